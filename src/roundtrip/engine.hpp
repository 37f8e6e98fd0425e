#pragma once

#include "core/finding.hpp"
#include "roundtrip/runner.hpp"
#include "roundtrip/server.hpp"
#include "source/migration.hpp"

#include <chrono>
#include <functional>
#include <string>
#include <vector>

namespace miglint::roundtrip {

struct RoundTripOptions {
  std::string from; // apply migrations before this id without stepping them
  // Called before each migration is stepped: (index from 1, count, migration).
  std::function<void(size_t, size_t, const source::Migration&)> progress;
  // How long one statement may run (Runner::set_statement_timeout); zero: no limit.
  // `--statement-timeout`, `statement-timeout` in the configuration's [round-trip].
  std::chrono::milliseconds statement_timeout = std::chrono::minutes(5);
};

struct RoundTripResult {
  std::vector<core::Finding> findings; // roundtrip-*, downgrade-leaves-trace, ...
  // What PostgreSQL was seen doing to tables that existed before (dangerous-lock-observed,
  // table-rewrite-observed): reported where no static finding of the same statement says it.
  std::vector<core::Finding> observations;
  // Observations of statements, to attach to static findings on the same statement:
  // location (file, begin) -> "took ACCESS EXCLUSIVE on orders, rewrote it".
  std::vector<std::pair<core::Location, std::string>> confirmations;
  size_t stepped = 0;
  // Non-empty when something outside the migrations ended the round-trip early: the server was
  // killed or stopped, its disk is full, the Alembic driver was killed, the connection broke.
  // The same words are the one `roundtrip-aborted` finding among `findings` (on the statement
  // or migration that was running); nothing after it was stepped. An environment error
  // (exit code 3), though the report is still written.
  std::string aborted;
};

// For each migration in order: upgrade, snapshot; downgrade, snapshot, compare with the schema
// before the upgrade; upgrade again, compare with the first upgrade. Each statement's locks and
// rewrites are observed. One failing migration does not stop the check of the others; a failure
// the migration does not explain does (RoundTripResult::aborted): after a failed step or an
// exception the engine asks the server (Server::failure) and looks for a full disk (SQLSTATE
// 53100, "No space left on device"; PostgreSQL docs, Appendix A "PostgreSQL Error Codes").
// Drops the scratch database and creates it again, empty.
void recreate_database(Server& server);

RoundTripResult round_trip(const std::vector<source::Migration>& migrations, Server& server,
                           Runner& runner, const RoundTripOptions& options);

} // namespace miglint::roundtrip
