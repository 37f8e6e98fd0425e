#pragma once

#include "core/finding.hpp"
#include "source/migration.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace miglint::roundtrip {

// One relation lock the migration's transaction held when a statement ended (pg_locks: granted,
// locktype 'relation', the backend's own pid).
struct HeldLock {
  std::string oid;
  std::string mode;   // "ACCESS EXCLUSIVE"
  bool taken = false; // first seen after this statement: the statement took it; otherwise an
                      // earlier statement of the same transaction did and this one ran under it
};

// What one statement was seen to do, by OID: every relation lock its transaction held once it
// ended (on any relation; the engine keeps the tables that existed before the step, named from
// the snapshot taken then, and of those the ones the statement took a lock on, rewrote or names),
// the relations that existed before the step whose files it replaced, and the session's
// lock_timeout.
//
// Why every lock held and not only the new ones: PostgreSQL grants a lock the transaction
// already holds in the same or a stronger mode without a new entry in pg_locks ("Explicit
// Locking", 13.3.1 Table-Level Locks: "a transaction never conflicts with itself", and locks are
// "held until the end of the transaction"); a statement that needs ACCESS EXCLUSIVE after an
// earlier ALTER of the same table shows no new lock, yet it runs under that ACCESS EXCLUSIVE,
// and that lock is what blocks others while it runs.
struct Observation {
  bool observed = true;        // false when it ran outside a transaction (locks already released)
  std::vector<HeldLock> locks; // every relation lock held after it, in its transaction
  std::vector<std::string> rewritten; // oids whose relfilenode changed
  // current_setting('lock_timeout') in its session after it ran ("0": none, "5s"); empty when
  // not read (outside a transaction).
  std::string lock_timeout;
};

// What a whole step was seen to touch: every relation its transactions locked (in any mode,
// indexes included) and the ids of those transactions. A snapshot after the step re-reads only
// these relations when every transaction since the last snapshot is among `xids`
// (roundtrip/snapshot.hpp).
struct StepTrace {
  std::set<uint64_t> xids;
  std::set<std::string> relations; // oids
};

struct ExecutedStatement {
  core::Location location; // in the user's file
  std::string sql;
  Observation observation;
  // Wall times in milliseconds, measured by the runner (client side: a round trip included):
  // when the statement started, counted from the start of the step; how long it ran; and how
  // long the locks it took were held, from its start to the end of its transaction (its own
  // duration outside a transaction). -1 when not measured.
  double started_ms = -1;
  double duration_ms = -1;
  double held_ms = -1;
};

// The project's environment (Alembic's env.py) could not run: said once, by the step where it
// failed; that step and the later ones ran in the runner's built-in environment instead.
struct EnvironmentFailure {
  core::Location location; // the line of env.py the exception came from, else env.py
  std::string message;     // "env.py cannot run under Python 3.11 (...): ...", empty: no env.py
  std::string notice;      // what ran instead
};

struct StepResult {
  bool ok = true;
  // The history cannot go on past this migration (its revision file cannot be imported): the
  // engine reports it once and steps nothing after it.
  bool fatal = false;
  // The runner cannot run anything after this step (it stopped an Alembic driver that did not
  // return within the statement timeout): the step is reported as failed, and the engine steps
  // nothing after it.
  bool last = false;
  // Something outside the migration ended the run (the Alembic driver was killed or exited):
  // what happened, for the engine's one roundtrip-aborted finding. Empty otherwise.
  std::string fault;
  std::string error;                       // PostgreSQL's (or Alembic's) message
  std::string sqlstate;                    // of PostgreSQL's error, when there was one
  std::optional<ExecutedStatement> failed; // the statement that failed, when known
  std::vector<ExecutedStatement> statements;
  StepTrace trace;
  std::optional<EnvironmentFailure> environment;
};

// Applies one migration's upgrade or downgrade to the scratch database.
class Runner {
public:
  virtual ~Runner() = default;
  virtual StepResult apply(const source::Migration& migration, core::Phase phase) = 0;
  // After the scratch database was recreated (the runner reconnects).
  virtual void reconnect() = 0;
  // No statement may run longer than `timeout` (zero: no limit), nor, for Alembic, the
  // revision's Python between two statements: the runner cancels the statement (then the step
  // fails with "... did not finish within the round-trip's statement timeout") and stops a
  // driver that still does not return (StepResult::last). Enforced from outside the migration's
  // session, so a migration's own `SET statement_timeout = 0` does not lift it.
  virtual void set_statement_timeout(std::chrono::milliseconds timeout) = 0;
};

// "1 s", "300 ms", "5 min": a statement timeout for messages.
std::string describe_timeout(std::chrono::milliseconds timeout);

// Thrown when a signal interrupts the run: unwinds through every destructor.
struct Interrupted {
  int signal;
};

} // namespace miglint::roundtrip
