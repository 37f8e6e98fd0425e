#pragma once

#include "core/finding.hpp"
#include "source/migration.hpp"

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace miglint::roundtrip {

// What one statement was seen to do, by OID: the relation locks it took (on any relation; the
// engine keeps the tables that existed before the step, named from the snapshot taken then) and
// the relations that existed before the step whose files it replaced.
struct Observation {
  bool observed = true; // false when it ran outside a transaction (locks already released)
  std::vector<std::pair<std::string, std::string>> locks; // (oid, "ACCESS EXCLUSIVE"), new ones
  std::vector<std::string> rewritten;                     // oids whose relfilenode changed
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
  std::string error;                       // PostgreSQL's (or Alembic's) message
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
};

// Thrown when a signal interrupts the run: unwinds through every destructor.
struct Interrupted {
  int signal;
};

} // namespace miglint::roundtrip
