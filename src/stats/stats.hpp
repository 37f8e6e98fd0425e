#pragma once

// Production size for findings: a read-only connection to production or a replica (`--stats-url`)
// gives, for every table a finding names, its estimated row count and size, so a reviewer sees
// "rewrites `orders` (200,000 rows, 26 MB)" and severity can follow size.
//
// The connection only reads the catalog and statistics: it opens a READ ONLY transaction, sets a
// short statement_timeout and lock_timeout, and never prints the URL's password. Statistics never
// fail the run: a server that cannot be reached gives one note and the findings stay as they are.
// Sources: PostgreSQL 15 documentation, 73.1 "Row Estimation Examples" (pg_class.reltuples),
// 9.27.7 "Database Object Management Functions" (pg_total_relation_size, pg_indexes_size),
// 28.2.20 "pg_stat_all_tables" (n_live_tup, used when reltuples is unknown).

#include "core/finding.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace miglint::stats {

struct Options {
  std::string url;                 // libpq URL or conninfo of the read-only server
  int statement_timeout_ms = 5000; // per statistics query
  int connect_timeout_s = 10;      // libpq connect_timeout
  // Findings about locks or rewrites (rules tagged `locks`) whose every named table has fewer
  // rows than this are lowered to info: rewriting a 50-row lookup table is not an outage. Negative:
  // never (the default).
  int64_t small_table_rows = -1;
  // With an estimate at production size (below): a finding about locks (rules tagged `locks`)
  // whose statement held a lock that blocks writes (SHARE and up) for at least this long at
  // production size becomes an error. Negative: never (the default). `--estimated-lock-error`,
  // `round-trip.estimated-lock-error`.
  double estimated_lock_error_ms = -1;
};

// "≈200,000 rows, 26 MB"; "not on the statistics server" when !exists.
std::string describe(const core::RelationSize& size);

// The URL with its password replaced by "***" (URL and key=value forms), for messages.
std::string redact(std::string_view url);

// What enrich() did, for the run's notes.
struct Outcome {
  size_t findings_enriched = 0;
  size_t tables_read = 0;
  size_t lowered = 0;   // findings lowered to info by small_table_rows
  size_t estimated = 0; // findings given an estimate at production size
  size_t raised = 0;    // findings raised to error by estimated_lock_error_ms
  std::string error;    // why statistics are missing (connection refused, ...), redacted
};

// For each finding with a statement, finds the tables the statement locks (lint/effects.hpp)
// and, for a finding with a round-trip observation, the tables it was seen locking or rewriting;
// reads their size once per table, and appends it to the message
// ("(production statistics: `public.orders` has ≈200,000 rows, 26 MB)") and to Finding::sizes.
//
// Production size (`--with-data` with `--stats-url`): an observation whose time grows with rows
// (core::Observed::grows: a rewrite, or a scan of every row by the effect table) and that counted
// its tables' seeded rows (core::Observed::rows) is scaled to production, linearly: its duration
// and lock hold times production rows over seeded rows, for the table where that ratio is
// largest. The estimate goes to core::Observed::estimate and to the message ("; held ≈ 4.1 s at
// production size (≈2,000,000 rows in public.orders against 300 in the round-trip, scaled
// linearly)"); where none can be made the message says why ("no estimate at production size:
// `public.orders` is not on the statistics server"). Statements that only change the catalog get
// neither: their time does not follow the row count. Linear is the stated assumption: a sort (an
// index build) is n log n and takes somewhat more, and the statement's fixed cost is scaled
// with the rest, so with a few hundred seeded rows the estimate errs high (bench/README.md).
Outcome enrich(std::vector<core::Finding>& findings, const Options& options);

} // namespace miglint::stats
