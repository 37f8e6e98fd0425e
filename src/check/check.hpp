#pragma once

// The check pipeline, with no command line around it: discover the migrations, narrow them to
// those reported, lint them, optionally run the round-trip and merge what it saw, and hand back a
// report::Report for the reporters. cli/ parses arguments and configuration into check::Options,
// calls check::run and maps the outcome to an exit code.

#include "core/finding.hpp"
#include "lint/linter.hpp"
#include "report/reporter.hpp"
#include "roundtrip/server.hpp"
#include "stats/stats.hpp"

#include <chrono>
#include <iostream>
#include <map>
#include <ostream>
#include <string>
#include <vector>

namespace miglint::check {

// A glob leaving out migration files: matched on the path relative to `base` (a directory);
// without a slash it matches a file or directory name anywhere below `base`.
struct Exclude {
  std::string base; // "" = the current directory
  std::string glob;
};

// `check --round-trip`: where it runs and how the migrations are applied.
struct RoundTripOptions {
  bool enabled = false;
  roundtrip::ServerOptions server; // provider, database URL, initdb directory, docker
  // For server.provider == "url" without a URL: the environment variable that holds it.
  std::string database_url_env = "DATABASE_URL";
  std::string python; // the Alembic project's interpreter ("" = $VIRTUAL_ENV, then python3)
  std::string from;   // apply migrations before this id without stepping them
  // How long one statement may run before the round-trip cancels it; zero: no limit.
  std::chrono::milliseconds statement_timeout = std::chrono::minutes(5);
  // --with-data[=ROWS]: rows generated in every empty table before each step (0: none).
  size_t with_data = 0;
  // A lock that blocks traffic held at least this long counts as held across real work
  // (dangerous-lock-observed; roundtrip::RoundTripOptions::lock_held_threshold).
  std::chrono::milliseconds lock_held_threshold = std::chrono::seconds(1);
};

struct Options {
  std::vector<std::string> paths; // files or directories (empty = discover's defaults)
  // Phases linted, PostgreSQL version, rule selection (ids or groups, unknown ones are a usage
  // error), per-rule severities and outside session settings.
  lint::LintOptions lint;
  std::vector<Exclude> exclude;
  std::string diff_base; // report only migrations changed since the merge base with this ref
  // Lint migrations deployed together as one (source::Migration::deployed_with_previous): every
  // migration under --diff-base, and in git those one main-line commit added or not committed.
  bool deploy_batches = true;
  RoundTripOptions round_trip;
  // --stats-url: production sizes of the tables findings name (stats.url empty = off).
  stats::Options stats;
  // Notes, progress and errors for people (never the report itself).
  std::ostream* log = &std::cerr;
  bool log_is_terminal = false; // progress redraws one line instead of printing one per step
};

enum class Status {
  Ok,          // the report is complete (findings or not)
  Usage,       // bad input: an unknown rule, a path that does not exist, a bad --diff-base
  Environment, // the round-trip's server or driver could not run
  Interrupted, // a signal stopped the round-trip; everything it started was removed
  Aborted,     // a fault outside the migrations (server killed, disk full, driver killed) ended
               // the round-trip early: the report is complete up to there (one roundtrip-aborted)
};

struct Outcome {
  Status status = Status::Ok;
  int signal = 0; // the signal, for Status::Interrupted
  // The findings sorted, the catalog (severities as configured) and the run's facts: how many
  // migrations and files were checked, whether the round-trip ran and how many it stepped.
  // Complete only for Status::Ok.
  report::Report report;
};

// Runs the check. Writes only to options.log; throws only on bugs.
Outcome run(const Options& options);

// The catalog as reporters see it, with the configured severities over the documented ones.
std::vector<report::RuleInfo>
rule_infos(const std::map<std::string, core::Severity, std::less<>>& severity = {});

} // namespace miglint::check
