#pragma once

#include "core/finding.hpp"

#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace miglint::report {

// A rule as reporters describe it (SARIF's rules[], the summary's links).
struct RuleInfo {
  std::string id;
  core::Severity severity = core::Severity::Warning;
  std::string summary;
  std::string help;
  std::string markdown; // the whole rules/<id>.md body
  // From the front matter: where the rule runs ("static", "alembic", "graph", "round-trip",
  // "engine"), its tags ("locks", "style", "alembic") and whether it is on by default.
  std::string kind = "static";
  std::vector<std::string> tags;
  bool enabled = true;
  std::string rationale; // the first paragraph of the doc's Rationale, on one line

  bool has_tag(std::string_view tag) const;
};

// What a run produced, as the reporters see it. Reporters only render: they compute nothing.
struct Report {
  std::vector<core::Finding> findings;
  size_t migrations = 0;       // how many migrations were checked
  size_t files = 0;            // how many files they came from
  std::vector<RuleInfo> rules; // the catalog, sorted by id
  std::string base_dir;        // absolute directory that relative paths are relative to
  bool round_trip = false;     // whether the run included the round-trip
  size_t round_trip_stepped = 0;
  size_t honoured_markers = 0; // findings left out under other linters' reviewed markers

  const RuleInfo* rule(std::string_view id) const; // from `rules`, null if not there
};

struct Counts {
  size_t errors = 0;
  size_t warnings = 0;
  size_t infos = 0;
};
Counts count(const std::vector<core::Finding>& findings);

void write_text(std::ostream& out, const Report& report, bool color);
void write_json(std::ostream& out, const Report& report);
// SARIF 2.1.0 for GitHub code scanning: one run, every rule, repository-relative URIs.
void write_sarif(std::ostream& out, const Report& report);
// GitHub workflow commands (::error file=...::message), at most `per_level` per level.
void write_github(std::ostream& out, const Report& report, size_t per_level = 10);
// A Markdown job summary: counts, the round-trip result, the production sizes of the tables the
// findings name and the estimated lock times at production size (--stats-url, with --with-data;
// at most 50 rows each, largest first), a table per migration; kept under GitHub's 1 MiB limit.
void write_summary(std::ostream& out, const Report& report);

// "migrations/my file.py" -> "migrations/my%20file.py" (RFC 3986 path characters kept).
std::string uri_path(std::string_view path);

} // namespace miglint::report
