#include "config/config.hpp"

#include "lint/catalog.hpp"
#include "lint/linter.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <set>

namespace miglint::config {
namespace fs = std::filesystem;

namespace {

class Reader {
public:
  Reader(std::string file, LoadedConfig& out) : m_file(std::move(file)), m_out(out) {}

  void error(const toml::source_region& where, const std::string& message) {
    m_errors.emplace_back(where.begin.line, message);
  }

  // The errors in file order (tables are read in key order).
  void flush() {
    std::stable_sort(m_errors.begin(), m_errors.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    for (const auto& [line, message] : m_errors) {
      m_out.errors.push_back(m_file + ":" + std::to_string(line) + ": " + message);
    }
    m_errors.clear();
  }

  std::optional<std::string> string(const toml::node& node, std::string_view key,
                                    std::initializer_list<std::string_view> allowed = {}) {
    const auto* v = node.as_string();
    if (v == nullptr) {
      error(node.source(), "`" + std::string(key) + "` must be a string");
      return std::nullopt;
    }
    std::string s = v->get();
    if (allowed.size() > 0 && std::find(allowed.begin(), allowed.end(), s) == allowed.end()) {
      std::string list;
      for (auto a : allowed) {
        list += (list.empty() ? "" : ", ") + std::string(a);
      }
      error(node.source(),
            "`" + std::string(key) + "` must be one of " + list + ", not `" + s + "`");
      return std::nullopt;
    }
    return s;
  }

  std::optional<std::vector<std::string>> strings(const toml::node& node, std::string_view key) {
    const auto* arr = node.as_array();
    if (arr == nullptr) {
      error(node.source(), "`" + std::string(key) + "` must be an array of strings");
      return std::nullopt;
    }
    std::vector<std::string> out;
    for (const auto& item : *arr) {
      if (const auto* s = item.as_string()) {
        out.push_back(s->get());
      } else {
        error(item.source(), "`" + std::string(key) + "` must be an array of strings");
        return std::nullopt;
      }
    }
    return out;
  }

  std::optional<std::vector<std::string>> rule_ids(const toml::node& node, std::string_view key) {
    auto ids = strings(node, key);
    if (ids) {
      for (const auto& id : *ids) {
        if (!lint::is_rule_or_group(id)) {
          error(node.source(), "`" + std::string(key) + "`: unknown rule `" + id + "`");
        }
      }
    }
    return ids;
  }

  void read(const toml::table& table) {
    Config& c = m_out.config;
    for (auto&& [k, v] : table) {
      const std::string key(k.str());
      if (key == "paths") {
        c.paths = strings(v, key);
      } else if (key == "exclude") {
        c.exclude = strings(v, key).value_or(std::vector<std::string>{});
      } else if (key == "select") {
        c.select = rule_ids(v, key);
      } else if (key == "extend-select") {
        c.extend_select = rule_ids(v, key);
      } else if (key == "ignore") {
        c.ignore = rule_ids(v, key);
      } else if (key == "pg-version") {
        const auto* i = v.as_integer();
        if (i == nullptr || i->get() < 9 || i->get() > 18) {
          error(v.source(), "`pg-version` must be a PostgreSQL major version from 9 to 18");
        } else {
          c.pg_version = static_cast<int>(i->get());
        }
      } else if (key == "fail-on") {
        c.fail_on = string(v, key, {"error", "warning", "info", "never"});
      } else if (key == "phase") {
        c.phase = string(v, key, {"upgrade", "downgrade", "both"});
      } else if (key == "foreign-markers") {
        if (const auto* b = v.as_boolean()) {
          c.foreign_markers = b->get();
        } else {
          error(v.source(), "`foreign-markers` must be true or false");
        }
      } else if (key == "deploy-batches") {
        if (const auto* b = v.as_boolean()) {
          c.deploy_batches = b->get();
        } else {
          error(v.source(), "`deploy-batches` must be true or false");
        }
      } else if (key == "jobs") {
        const auto* i = v.as_integer();
        if (i == nullptr || i->get() < 0 || i->get() > 1024) {
          error(v.source(), "`jobs` must be a number of threads from 0 (every core) to 1024");
        } else {
          c.jobs = static_cast<unsigned>(i->get());
        }
      } else if (key == "severity") {
        read_severity(v);
      } else if (key == "session-settings") {
        read_session_settings(v);
      } else if (key == "round-trip") {
        read_round_trip(v);
      } else {
        error(k.source(), "unknown key `" + key + "` in the miglint configuration");
      }
    }
  }

private:
  void read_severity(const toml::node& node) {
    const auto* t = node.as_table();
    if (t == nullptr) {
      error(node.source(),
            "`severity` must be a table of rule = \"error\" | \"warning\" | \"info\"");
      return;
    }
    for (auto&& [k, v] : *t) {
      const std::string id(k.str());
      if (lint::find_rule_doc(id) == nullptr) {
        error(k.source(), "`severity`: unknown rule `" + id + "`");
        continue;
      }
      if (auto s = string(v, id, {"error", "warning", "info"})) {
        m_out.config.severity[id] = *core::parse_severity(*s);
      }
    }
  }

  void read_session_settings(const toml::node& node) {
    const auto* t = node.as_table();
    if (t == nullptr) {
      error(node.source(), "`session-settings` must be a table of setting = value, like "
                           "{ lock_timeout = \"5s\" }");
      return;
    }
    for (auto&& [k, v] : *t) {
      std::string name(k.str());
      for (auto& c : name) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      }
      if (const auto* s = v.as_string()) {
        m_out.config.session_settings[name] = s->get();
      } else if (const auto* i = v.as_integer()) {
        m_out.config.session_settings[name] = std::to_string(i->get());
      } else {
        error(v.source(), "`session-settings." + name + "` must be a string or an integer");
      }
    }
  }

  void read_round_trip(const toml::node& node) {
    const auto* t = node.as_table();
    if (t == nullptr) {
      error(node.source(), "`round-trip` must be a table");
      return;
    }
    for (auto&& [k, v] : *t) {
      const std::string key(k.str());
      if (key == "postgres") {
        m_out.config.postgres = string(v, key, {"auto", "local", "docker", "url"});
      } else if (key == "python") {
        m_out.config.python = string(v, key);
      } else if (key == "database-url-env") {
        m_out.config.database_url_env = string(v, key);
      } else if (key == "lock-held-threshold") {
        m_out.config.lock_held_threshold = string(v, key);
        if (m_out.config.lock_held_threshold &&
            !parse_duration(*m_out.config.lock_held_threshold)) {
          error(v.source(), "`lock-held-threshold` must be a duration such as \"500ms\" or "
                            "\"2s\", not `" +
                                *m_out.config.lock_held_threshold + "`");
          m_out.config.lock_held_threshold.reset();
        }
      } else if (key == "estimated-lock-error") {
        m_out.config.estimated_lock_error = string(v, key);
        if (m_out.config.estimated_lock_error &&
            !parse_duration(*m_out.config.estimated_lock_error)) {
          error(v.source(), "`estimated-lock-error` must be a duration such as \"500ms\" or "
                            "\"2s\", not `" +
                                *m_out.config.estimated_lock_error + "`");
          m_out.config.estimated_lock_error.reset();
        }
      } else if (key == "statement-timeout") {
        m_out.config.statement_timeout = string(v, key);
        if (m_out.config.statement_timeout && !parse_duration(*m_out.config.statement_timeout)) {
          error(v.source(), "`statement-timeout` must be a duration such as \"30s\" or \"5min\" "
                            "(\"0\": no limit), not `" +
                                *m_out.config.statement_timeout + "`");
          m_out.config.statement_timeout.reset();
        }
      } else if (key == "stats-url") {
        m_out.config.stats_url = string(v, key);
      } else if (key == "small-table-rows") {
        if (auto n = v.value<int64_t>(); n && *n >= 0) {
          m_out.config.small_table_rows = *n;
        } else {
          error(v.source(), "`round-trip.small-table-rows` must be a number of rows (0 or more)");
        }
      } else if (key == "pg-bin") {
        // One directory, or a list of them (one per PostgreSQL major you may deploy to).
        if (const auto* one = v.as_string()) {
          m_out.config.pg_bin = std::vector<std::string>{one->get()};
        } else {
          m_out.config.pg_bin = strings(v, "round-trip.pg-bin");
        }
      } else if (key == "with-data") {
        if (const auto* b = v.as_boolean()) {
          m_out.config.with_data = b->get() ? 300 : 0;
        } else if (const auto* i = v.as_integer(); i != nullptr && i->get() >= 0) {
          m_out.config.with_data = static_cast<size_t>(i->get());
        } else {
          error(v.source(), "`round-trip.with-data` must be true, false or a number of rows");
        }
      } else {
        error(k.source(), "unknown key `round-trip." + key + "` in the miglint configuration");
      }
    }
  }

  std::string m_file;
  LoadedConfig& m_out;
  std::vector<std::pair<uint32_t, std::string>> m_errors;
};

LoadedConfig read_file(const fs::path& path, bool pyproject) {
  LoadedConfig out;
  const std::string name = fs::proximate(path).lexically_normal().string();
  toml::table doc;
  try {
    doc = toml::parse_file(path.string());
  } catch (const toml::parse_error& e) {
    out.errors.push_back(name + ":" + std::to_string(e.source().begin.line) + ": " +
                         std::string(e.description()));
    return out;
  }
  const toml::node* section = pyproject ? doc.at_path("tool.miglint").node() : &doc;
  if (section == nullptr) {
    return out;
  }
  out.config.file = name;
  if (const auto* t = section->as_table()) {
    Reader reader(name, out);
    reader.read(*t);
    reader.flush();
  } else {
    out.errors.push_back(name + ": [tool.miglint] must be a table");
  }
  return out;
}

bool has_miglint_section(const fs::path& pyproject) {
  try {
    return toml::parse_file(pyproject.string()).at_path("tool.miglint").is_table();
  } catch (const toml::parse_error&) {
    return true; // let read_file report the error
  }
}

} // namespace

LoadedConfig load_config(const std::string& path) {
  if (!path.empty()) {
    std::error_code ec;
    if (!fs::is_regular_file(path, ec)) {
      LoadedConfig out;
      out.errors.push_back(path + ": no such configuration file");
      return out;
    }
    return read_file(path, fs::path(path).filename() == "pyproject.toml");
  }
  std::error_code ec;
  for (fs::path dir = fs::current_path(ec); !dir.empty(); dir = dir.parent_path()) {
    if (fs::is_regular_file(dir / "miglint.toml", ec)) {
      return read_file(dir / "miglint.toml", false);
    }
    if (fs::is_regular_file(dir / "pyproject.toml", ec) &&
        has_miglint_section(dir / "pyproject.toml")) {
      return read_file(dir / "pyproject.toml", true);
    }
    if (dir == dir.parent_path()) {
      break;
    }
  }
  return {};
}

std::string starter_config() {
  return R"toml(# miglint configuration. In pyproject.toml, put these keys under [tool.miglint].
# Every key is optional; options on the command line win.

# Where the migrations are (default: ./alembic.ini, else migrations/, else alembic/).
# paths = ["migrations"]

# Migration files to leave out (globs on their paths).
# exclude = ["migrations/versions/legacy_*.py"]

# The PostgreSQL major version you deploy to: some rules depend on it.
pg-version = 15

# Lowest severity that fails the run: "error", "warning", "info" or "never".
fail-on = "error"

# Which scripts to lint: "upgrade", "downgrade" or "both".
# phase = "upgrade"

# Run only these rules, or skip these (`miglint rules` lists them).
# select = ["add-column-not-null-no-default", "concurrently-in-transaction"]
# ignore = ["rename-column"]
# Add rules or groups (a kind or a tag, like "locks") on top of the default or selected ones:
# the way to turn on rules that are off by default, such as the "style" group.
# extend-select = ["locks"]

# Findings under other linters' reviewed markers (-- atlas:nolint, -- squawk-ignore,
# -- eugene: ignore, diesel-guard's -- safety-assured:start/end) are left out, for the miglint
# rules their codes correspond to; false reports them anyway.
# foreign-markers = true

# Migrations deployed together (all those under --diff-base; in git, those one main-line commit
# added, or not committed yet) are linted as one: a table the first creates is still new in the
# next. false treats every migration as its own deploy.
# deploy-batches = true

# Threads that parse the migrations: 0 (the default) uses every core, 1 one thread.
# jobs = 0

# Session settings your deployment makes outside the migrations (ALTER ROLE ... SET, connection
# options); miglint reads those your Alembic env.py sets on its own.
# session-settings = { lock_timeout = "5s" }

# Per-rule severity: "error", "warning" or "info".
[severity]
# missing-lock-timeout = "error"

[round-trip]
# Where `miglint check --round-trip` runs: "auto", "local", "docker" or "url".
# postgres = "auto"
# The Python of your Alembic project (default: $VIRTUAL_ENV, then python3).
# python = ".venv/bin/python"
# The environment variable holding a database URL for postgres = "url" (default DATABASE_URL).
# database-url-env = "DATABASE_URL"
# How long one statement of a migration may run in the round-trip before miglint cancels it
# (and, for Alembic, how long the revision's Python may run between two statements): "30s",
# "5min", "0" for no limit.
# statement-timeout = "5min"
# A lock the round-trip saw held this long is reported (dangerous-lock-observed) even when the
# statement did no scan or rewrite.
# lock-held-threshold = "1s"
# A read-only connection to production or a replica: findings name the size of the tables they
# touch (`--stats-url`; the environment variable MIGLINT_STATS_URL keeps it out of the file).
# stats-url = "postgresql://readonly@replica.internal/app"
# Lock and rewrite findings whose every table has fewer rows (on the statistics server) become info.
# small-table-rows = 10000
# With with-data and stats-url: a lock that blocks writes, held this long once the round-trip's
# time is scaled to the table's production rows, makes its finding an error.
# estimated-lock-error = "2s"
# Directories of PostgreSQL server binaries (initdb, postgres); the round-trip runs on the one
# whose major is pg-version (default: PATH, pg_config --bindir, /usr/lib/postgresql/*/bin).
# pg-bin = ["/usr/lib/postgresql/14/bin", "/usr/lib/postgresql/16/bin"]
# Run the round-trip on tables with generated rows: true (300 rows per table) or a number.
# with-data = true
)toml";
}

std::optional<std::chrono::milliseconds> parse_duration(std::string_view text) {
  size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') {
    ++digits;
  }
  if (digits == 0 || digits > 9) {
    return std::nullopt;
  }
  const long long n = std::stoll(std::string(text.substr(0, digits)));
  std::string_view unit = text.substr(digits);
  while (!unit.empty() && unit.front() == ' ') {
    unit.remove_prefix(1);
  }
  if (unit.empty()) {
    return n == 0 ? std::optional(std::chrono::milliseconds(0)) : std::nullopt;
  }
  static const std::pair<std::string_view, long long> k_units[] = {
      {"ms", 1}, {"s", 1000}, {"min", 60000}, {"h", 3600000}};
  for (const auto& [name, ms] : k_units) {
    if (unit == name) {
      return std::chrono::milliseconds(n * ms);
    }
  }
  return std::nullopt;
}

} // namespace miglint::config
