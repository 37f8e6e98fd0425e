#pragma once

#include "core/source_file.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace miglint::core {

enum class Severity { Info, Warning, Error };
enum class Phase { Upgrade, Downgrade };

std::string_view to_string(Severity severity);
std::string_view to_string(Phase phase);
std::optional<Severity> parse_severity(std::string_view text);

// A byte range in a source file. `file` may be null for findings about no file in particular.
struct Location {
  SourceFilePtr file;
  uint32_t begin = 0;
  uint32_t end = 0; // exclusive

  const std::string& path() const {
    static const std::string none;
    return file ? file->path() : none;
  }
  LineCol start() const { return file ? file->position(begin) : LineCol{}; }
  // The position of the last character, plus one column (an exclusive end, as SARIF wants).
  LineCol stop() const;
};

// The size of a table a finding names, as a production or replica server reports it
// (`--stats-url`, see stats/stats.hpp).
struct RelationSize {
  std::string relation;    // schema.name as the server resolved it, else as the statement wrote it
  bool exists = false;     // false: no such table on that server
  double rows = -1;        // estimated rows; -1 when the server has no estimate
  int64_t total_bytes = 0; // heap, TOAST and indexes
};

// What the round-trip saw one statement do (roundtrip/engine.hpp): reported with a round-trip
// observation finding and with each static finding it confirms (JSON `observed`, SARIF
// `properties.observed`).
struct ObservedLock {
  std::string relation; // schema.name of a table that existed before the migration
  std::string mode;     // "ACCESS EXCLUSIVE": the strongest its transaction held on it
};
// An observation scaled to the production size of a table (`--with-data` with `--stats-url`,
// stats/stats.hpp): the measured time per seeded row times the table's production rows, on the
// assumption that the statement's work is linear in the rows (a rewrite, a scan; an index build is
// n log n, so more). The fixed cost of the statement is scaled too: with few seeded rows the
// estimate errs high (bench/README.md). Empty `none` with the figures, or `none` saying why there
// is no estimate.
struct Estimate {
  std::string relation;    // the table whose rows drive the statement's time (schema.name)
  double seeded_rows = -1; // rows it had in the round-trip when the statement ran
  double production_rows = -1;
  double duration_ms = -1; // the statement's duration at production size; -1 unknown
  double held_ms = -1;     // its locks' hold at production size; -1 unknown
  std::string none;        // "`public.orders` is not on the statistics server", "the round-trip
                           // counted no rows of `public.orders`", ...
};

struct Observed {
  std::vector<ObservedLock> locks;   // one per relation, by name
  std::vector<std::string> rewrites; // tables whose file was replaced (schema.name)
  double duration_ms = -1;           // the statement's wall time (client side); -1 unmeasured
  double held_ms = -1;               // from its start to the end of its transaction; -1 unmeasured
  // With --with-data: the rows each locked or rewritten table had before the step (schema.name ->
  // rows), as counted for the tables the migration names; 0 when none were counted.
  std::vector<std::pair<std::string, uint64_t>> rows;
  // What makes the statement's time grow with its table's rows, by what PostgreSQL was seen doing
  // and the effect table (lint/effects.hpp): "a rewrite", or the effect table's statement that
  // reads every row under the lock ("CREATE INDEX", "SET NOT NULL", "an UPDATE or DELETE of every
  // row"). Empty: it only changes the catalog, and takes as long on any size (no estimate).
  std::string grows;
  std::optional<Estimate> estimate; // at production size (--with-data and --stats-url)
};

// The one currency of miglint: every stage that sees a problem produces these.
struct Finding {
  std::string rule;
  Severity severity = Severity::Warning;
  std::string message;
  std::string help;
  Location location;
  std::string migration;            // migration id / version; empty when not about one migration
  std::optional<Phase> phase;       // upgrade or downgrade script
  std::string statement;            // the SQL statement concerned, if any
  std::vector<RelationSize> sizes;  // production sizes of the tables it names (--stats-url)
  std::optional<Observed> observed; // the round-trip's observation of its statement
};

// Stable order for output: file, position, rule.
void sort_findings(std::vector<Finding>& findings);

} // namespace miglint::core
