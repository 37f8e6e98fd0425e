#pragma once

#include "core/finding.hpp"
#include "roundtrip/runner.hpp"
#include "roundtrip/server.hpp"
#include "source/migration.hpp"

#include <functional>
#include <string>
#include <vector>

namespace miglint::roundtrip {

struct RoundTripOptions {
  std::string from; // apply migrations before this id without stepping them
  // Called before each migration is stepped: (index from 1, count, migration).
  std::function<void(size_t, size_t, const source::Migration&)> progress;
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
};

// For each migration in order: upgrade, snapshot; downgrade, snapshot, compare with the schema
// before the upgrade; upgrade again, compare with the first upgrade. Each statement's locks and
// rewrites are observed. One failing migration does not stop the check of the others.
// Drops the scratch database and creates it again, empty.
void recreate_database(Server& server);

RoundTripResult round_trip(const std::vector<source::Migration>& migrations, Server& server,
                           Runner& runner, const RoundTripOptions& options);

} // namespace miglint::roundtrip
