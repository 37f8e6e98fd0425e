#pragma once

#include "core/finding.hpp"
#include "source/migration.hpp"

#include <optional>
#include <string>
#include <vector>

namespace miglint::roundtrip {

// What one statement was seen to do to relations that existed before the step.
struct Observation {
  bool observed = true; // false when it ran outside a transaction (locks already released)
  std::vector<std::pair<std::string, std::string>> locks; // (relation, "ACCESS EXCLUSIVE") new
  std::vector<std::string> rewritten;                     // relations whose relfilenode changed
};

struct ExecutedStatement {
  core::Location location; // in the user's file
  std::string sql;
  Observation observation;
};

struct StepResult {
  bool ok = true;
  std::string error;                       // PostgreSQL's (or Alembic's) message
  std::optional<ExecutedStatement> failed; // the statement that failed, when known
  std::vector<ExecutedStatement> statements;
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
