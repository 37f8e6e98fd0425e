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
};

// "≈200,000 rows, 26 MB"; "not on the statistics server" when !exists.
std::string describe(const core::RelationSize& size);

// The URL with its password replaced by "***" (URL and key=value forms), for messages.
std::string redact(std::string_view url);

// What enrich() did, for the run's notes.
struct Outcome {
  size_t findings_enriched = 0;
  size_t tables_read = 0;
  size_t lowered = 0; // findings lowered to info by small_table_rows
  std::string error;  // why statistics are missing (connection refused, ...), redacted
};

// For each finding with a statement, finds the tables the statement locks (lint/effects.hpp),
// reads their size once per table, and appends it to the message
// ("; on the statistics server `orders` has ≈200,000 rows, 26 MB") and to Finding::sizes.
Outcome enrich(std::vector<core::Finding>& findings, const Options& options);

} // namespace miglint::stats
