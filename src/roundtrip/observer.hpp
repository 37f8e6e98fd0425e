#pragma once

#include "roundtrip/runner.hpp"

#include <pqxx/nontransaction>
#include <pqxx/result>

#include <map>
#include <set>
#include <string>

namespace miglint::roundtrip {

// Watches one backend: after each statement, the relation locks its transaction holds (those it
// did not hold before marked as taken), the session's lock_timeout, and the relations that existed
// when the step began whose files were replaced (a rewrite); over the step, every relation locked
// and every transaction seen (StepTrace).
class Observer {
public:
  // All queries go through `work`: the runner's own nontransaction on its connection. With
  // `begin`, the step's first transaction is opened in the same round trip.
  void begin_step(pqxx::transaction_base& work, bool begin = false);
  Observation observe(pqxx::transaction_base& work); // after a statement, in its transaction
  // Runs `statement` (in a transaction) and observes it, in one round trip.
  Observation observe(pqxx::transaction_base& work, const std::string& statement);
  Observation rewrites(pqxx::transaction_base& work); // after one that ran outside a transaction
  const StepTrace& trace() const { return m_trace; }

private:
  void check_rewrites(const pqxx::result& rows, Observation& out);
  Observation read(const pqxx::result& rows);

  // Relation OIDs and file numbers come from one counter: every relation that existed when the
  // step began, and every file it had, has a number up to this one; whatever the step creates,
  // above it (until the counter wraps around after 2^32 objects).
  std::string m_last_number;
  std::map<std::string, std::string> m_files;           // oid -> relfilenode seen rewritten
  std::set<std::pair<std::string, std::string>> m_held; // (oid, mode) in the current transaction
  std::string m_vxid; // pg_locks.virtualtransaction of the current transaction
  StepTrace m_trace;
  const pqxx::connection_base* m_prepared_on = nullptr;
};

// "AccessExclusiveLock" -> "ACCESS EXCLUSIVE"
std::string lock_mode_name(const std::string& pg_mode);
// 1 (ACCESS SHARE) to 8 (ACCESS EXCLUSIVE), 0 for an unknown name.
int lock_strength(const std::string& mode);
// Whether a lock mode blocks ordinary reads or writes of a table.
bool is_dangerous(const std::string& mode);

} // namespace miglint::roundtrip
