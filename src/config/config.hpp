#pragma once

#include "core/finding.hpp"

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace miglint::config {

// [tool.miglint] in pyproject.toml, or miglint.toml: the file format only; cli/ applies it to the
// check's options. Every key is optional; the command line wins over all of them.
struct Config {
  std::string file; // where it was read from ("" = none)
  std::optional<std::vector<std::string>> paths;
  std::vector<std::string> exclude; // globs on migration file paths
  std::optional<std::vector<std::string>> select;
  std::optional<std::vector<std::string>> extend_select; // on top of the default or selected ones
  std::optional<std::vector<std::string>> ignore;
  std::map<std::string, core::Severity> severity; // per-rule overrides
  // Session settings made outside the migrations (ALTER ROLE ... SET, connection options):
  // `session-settings = { lock_timeout = "5s" }`, name (lower case) -> value.
  std::map<std::string, std::string> session_settings;
  std::optional<int> pg_version;
  std::optional<std::string> fail_on;
  std::optional<std::string> phase;
  // `foreign-markers = false`: do not honour other linters' markers (atlas:nolint, ...).
  std::optional<bool> foreign_markers;
  // `deploy-batches = false`: every migration is its own deploy (check::Options::deploy_batches).
  std::optional<bool> deploy_batches;
  // `jobs = N`: threads that parse the scripts (0 = every core, 1 = one thread, for debugging).
  std::optional<unsigned> jobs;
  std::optional<std::string> postgres;            // [round-trip] provider
  std::optional<std::string> python;              // [round-trip] interpreter
  std::optional<std::string> database_url_env;    // [round-trip] environment variable to read
  std::optional<std::string> statement_timeout;   // [round-trip] a duration (parse_duration)
  std::optional<std::string> lock_held_threshold; // [round-trip] a duration (parse_duration)
  std::optional<std::string> stats_url;           // [round-trip] read-only production statistics
  std::optional<int64_t> small_table_rows;        // [round-trip] lock findings below it: info
  // [round-trip] a duration: lock findings estimated to hold a blocking lock this long at
  // production size (with-data and stats-url) become errors.
  std::optional<std::string> estimated_lock_error;
  std::optional<std::vector<std::string>> pg_bin; // [round-trip] server binary directories
  std::optional<size_t> with_data; // [round-trip] with-data = true (300 rows) | false | ROWS
};

// A duration as PostgreSQL writes timeouts, with a unit: "500ms", "30s", "5min", "1h"; "0" (no
// limit). nullopt when it is not one.
std::optional<std::chrono::milliseconds> parse_duration(std::string_view text);

struct LoadedConfig {
  Config config;
  std::vector<std::string> errors; // "pyproject.toml:7: unknown key `selcet`": exit code 2
};

// Reads `path`, or (when empty) the nearest miglint.toml or pyproject.toml with a
// [tool.miglint] table, walking up from the current directory.
LoadedConfig load_config(const std::string& path);

// A commented starter configuration (`miglint init`).
std::string starter_config();

} // namespace miglint::config
