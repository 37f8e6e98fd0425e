#pragma once

#include "core/finding.hpp"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace miglint::cli {

// [tool.miglint] in pyproject.toml, or miglint.toml. Every key is optional; the command line
// wins over all of them.
struct Config {
  std::string file; // where it was read from ("" = none)
  std::optional<std::vector<std::string>> paths;
  std::vector<std::string> exclude; // globs on migration file paths
  std::optional<std::vector<std::string>> select;
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
  std::optional<std::string> postgres;         // [round-trip] provider
  std::optional<std::string> python;           // [round-trip] interpreter
  std::optional<std::string> database_url_env; // [round-trip] environment variable to read
};

struct LoadedConfig {
  Config config;
  std::vector<std::string> errors; // "pyproject.toml:7: unknown key `selcet`": exit code 2
};

// Reads `path`, or (when empty) the nearest miglint.toml or pyproject.toml with a
// [tool.miglint] table, walking up from the current directory.
LoadedConfig load_config(const std::string& path);

// A commented starter configuration (`miglint init`).
std::string starter_config();

} // namespace miglint::cli
