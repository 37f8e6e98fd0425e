#pragma once

#include "roundtrip/runner.hpp"

#include <pqxx/connection>

#include <map>
#include <set>
#include <string>

namespace miglint::roundtrip {

// Watches one backend: after each statement, the relation locks it holds that it did not hold
// before (on relations that existed when the step began), and the relations rewritten.
class Observer {
public:
  explicit Observer(pqxx::connection& connection) : m_connection(connection) {}

  void begin_step();      // remembers the relations that exist now
  Observation observe();  // after a statement, inside its transaction
  Observation rewrites(); // after a statement that ran outside a transaction

private:
  struct Relation {
    std::string name;
    char kind = 'r';
    std::string filenode;
  };
  void check_rewrites(Observation& out);

  pqxx::connection& m_connection;
  std::map<std::string, Relation> m_relations;          // by oid
  std::set<std::pair<std::string, std::string>> m_held; // (oid, mode) in the current transaction
  std::string m_txid;
};

// "AccessExclusiveLock" -> "ACCESS EXCLUSIVE"
std::string lock_mode_name(const std::string& pg_mode);
// Whether a lock mode blocks ordinary reads or writes of a table.
bool is_dangerous(const std::string& mode);

} // namespace miglint::roundtrip
