#pragma once

#include "roundtrip/runner.hpp"

#include <pqxx/nontransaction>
#include <pqxx/result>

#include <map>
#include <set>
#include <string>

namespace miglint::roundtrip {

// Watches one backend: after each statement, the relation locks it holds that it did not hold
// before (on relations that existed when the step began), and the relations rewritten.
class Observer {
public:
  // All queries go through `work`: the runner's own nontransaction on its connection.
  void begin_step(pqxx::transaction_base& work);      // remembers the relations that exist now
  Observation observe(pqxx::transaction_base& work);  // after a statement, in its transaction
  Observation rewrites(pqxx::transaction_base& work); // after one that ran outside a transaction

private:
  struct Relation {
    std::string name;
    char kind = 'r';
    std::string filenode;
  };
  void check_rewrites(const pqxx::result& rows, Observation& out);

  std::map<std::string, Relation> m_relations;          // by oid
  std::set<std::pair<std::string, std::string>> m_held; // (oid, mode) in the current transaction
  std::string m_txid;
};

// "AccessExclusiveLock" -> "ACCESS EXCLUSIVE"
std::string lock_mode_name(const std::string& pg_mode);
// 1 (ACCESS SHARE) to 8 (ACCESS EXCLUSIVE), 0 for an unknown name.
int lock_strength(const std::string& mode);
// Whether a lock mode blocks ordinary reads or writes of a table.
bool is_dangerous(const std::string& mode);

} // namespace miglint::roundtrip
