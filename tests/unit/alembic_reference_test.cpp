// miglint's translation of Alembic revisions against the real Alembic (Debian's python3-alembic
// under /usr/bin/python3): every revision of the reference fixture and of the demo project in
// migrations/ is rendered with `alembic upgrade heads --sql` / `downgrade heads:base --sql`, and
// each revision's statements must equal miglint's after both are parsed and deparsed by
// libpg_query (so spelling and white space do not matter). Alembic's bookkeeping
// (alembic_version, BEGIN/COMMIT) is left out on both sides.

#include "discover/discover.hpp"
#include "roundtrip/server.hpp"
#include "sql/canonical.hpp"
#include "test_support.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <iterator>
#include <map>

namespace miglint {
namespace {

namespace fs = std::filesystem;

bool is_bookkeeping(const std::string& statement) {
  return statement.find("alembic_version") != std::string::npos ||
         statement.rfind("BEGIN", 0) == 0 || statement.rfind("COMMIT", 0) == 0 ||
         statement.rfind("START TRANSACTION", 0) == 0;
}

// SQLAlchemy creates a table's indexes by iterating `Table.indexes`, a Python set: their order
// after CREATE TABLE changes from run to run. Runs of CREATE INDEX are compared as sets. So are
// the constraints Alembic's add_column adds after the column (it iterates `Table.constraints`,
// also a set).
void sort_index_runs(std::vector<std::string>& statements) {
  auto is_index = [](const std::string& s) {
    return s.rfind("CREATE INDEX", 0) == 0 || s.rfind("CREATE UNIQUE INDEX", 0) == 0;
  };
  auto is_added_constraint = [](const std::string& s) {
    return s.rfind("ALTER TABLE", 0) == 0 && s.find(" ADD ") != std::string::npos &&
           s.find(" ADD COLUMN ") == std::string::npos;
  };
  for (auto it = statements.begin(); it != statements.end();) {
    auto end = std::find_if_not(it, statements.end(), is_index);
    if (end == it && it != statements.begin() &&
        (it - 1)->find(" ADD COLUMN ") != std::string::npos) {
      end = std::find_if_not(it, statements.end(), is_added_constraint);
    }
    std::sort(it, end);
    it = end == it ? it + 1 : end;
  }
}

// Alembic's batch copy on PostgreSQL drops the old table's named constraints, and lists them in
// the new table, in the order of `Table.constraints`, a Python set: those runs are compared as
// sets.
void sort_set_orders(std::vector<std::string>& statements) {
  auto is_drop = [](const std::string& s) {
    return s.rfind("ALTER TABLE", 0) == 0 && s.find(" DROP CONSTRAINT ") != std::string::npos;
  };
  for (auto it = statements.begin(); it != statements.end();) {
    auto end = std::find_if_not(it, statements.end(), is_drop);
    std::sort(it, end);
    it = end == it ? it + 1 : end;
  }
  for (auto& s : statements) {
    if (s.rfind("CREATE TABLE _alembic_tmp_", 0) != 0 || s.back() != ')') {
      continue;
    }
    const std::string sep = ", CONSTRAINT ";
    const auto first = s.find(sep);
    if (first == std::string::npos) {
      continue;
    }
    std::vector<std::string> parts;
    for (size_t at = first; at != std::string::npos;) {
      const auto next = s.find(sep, at + sep.size());
      parts.push_back(s.substr(at, (next == std::string::npos ? s.size() - 1 : next) - at));
      at = next;
    }
    std::sort(parts.begin(), parts.end());
    std::string out = s.substr(0, first);
    for (const auto& p : parts) {
      out += p;
    }
    s = out + ")";
  }
}

std::vector<std::string> canonical(const std::string& sql, const std::string& what) {
  auto statements = sql::canonical_statements(sql);
  EXPECT_TRUE(statements.has_value()) << what << " does not parse:\n" << sql;
  std::vector<std::string> out;
  for (auto& s : statements.value_or(std::vector<std::string>{})) {
    if (!is_bookkeeping(s)) {
      out.push_back(std::move(s));
    }
  }
  sort_index_runs(out);
  return out;
}

// Alembic's offline output split at its "-- Running upgrade a -> b" markers, by target revision
// (the revision whose upgrade or downgrade it is).
std::map<std::string, std::string> split_by_revision(const std::string& output, bool upgrade) {
  std::map<std::string, std::string> out;
  std::string current;
  size_t pos = 0;
  const std::string marker = upgrade ? "-- Running upgrade " : "-- Running downgrade ";
  while (pos < output.size()) {
    size_t eol = output.find('\n', pos);
    const size_t next = eol == std::string::npos ? output.size() : eol + 1;
    const std::string line = output.substr(pos, next - pos);
    if (line.rfind(marker, 0) == 0) {
      const auto arrow = line.find(" -> ");
      // upgrade "a -> b": the revision is b; downgrade "b -> a": the revision is b.
      current =
          upgrade ? line.substr(arrow + 4) : line.substr(marker.size(), arrow - marker.size());
      while (!current.empty() && (current.back() == '\n' || current.back() == ' ')) {
        current.pop_back();
      }
      out[current];
    } else if (!current.empty()) {
      out[current] += line;
    }
    pos = next;
  }
  return out;
}

std::string join(const std::vector<std::string>& statements) {
  std::string out;
  for (const auto& s : statements) {
    out += "  " + s + "\n";
  }
  return out;
}

void compare_with_alembic(const fs::path& project) {
  const auto discovery = discover::discover({project.string()});
  ASSERT_TRUE(discovery.usage_errors.empty());
  ASSERT_FALSE(discovery.migrations.empty()) << project;
  for (const bool upgrade : {true, false}) {
    const std::string cmd = "cd '" + project.string() + "' && /usr/bin/python3 -m alembic " +
                            (upgrade ? "upgrade heads" : "downgrade heads:base") +
                            " --sql 2>/dev/null";
    const auto [status, output] = test::run_shell(cmd);
    ASSERT_EQ(status, 0) << "the reference Alembic failed: " << cmd
                         << "\n(is python3-alembic installed under /usr/bin/python3?)";
    const auto blocks = split_by_revision(output, upgrade);
    for (const auto& m : discovery.migrations) {
      const auto& script = upgrade ? m.upgrade : m.downgrade;
      ASSERT_TRUE(script.has_value()) << m.id;
      ASSERT_TRUE(blocks.contains(m.id)) << "Alembic did not render " << m.id;
      auto expected = canonical(blocks.at(m.id), "Alembic's SQL for " + m.id);
      auto actual = canonical(script->sql, "miglint's SQL for " + m.id);
      sort_set_orders(expected);
      sort_set_orders(actual);
      EXPECT_EQ(actual, expected) << (upgrade ? "upgrade" : "downgrade") << " of " << m.id << " in "
                                  << project << "\nmiglint:\n"
                                  << join(actual) << "alembic:\n"
                                  << join(expected);
    }
  }
}

TEST(AlembicReference, ReferenceFixtureMatchesAlembic) {
  compare_with_alembic(fs::path(MIGLINT_SOURCE_DIR) / "tests/fixtures/alembic/reference");
}

TEST(AlembicReference, DemoProjectMatchesAlembic) {
  compare_with_alembic(fs::path(MIGLINT_SOURCE_DIR) / "migrations");
}

// env.py's target MetaData names constraints (read statically from env.py).
TEST(AlembicReference, NamingConventionOfEnvPyMatchesAlembic) {
  compare_with_alembic(fs::path(MIGLINT_SOURCE_DIR) / "tests/fixtures/alembic/reference_naming");
}

// What the inspector and `checkfirst=True` send to find out what exists: not the revision's SQL.
bool is_question(const std::string& statement) {
  std::string lower;
  for (char c : statement) {
    lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  const bool select = lower.rfind("select", 0) == 0;
  return (select && (lower.find("pg_") != std::string::npos ||
                     lower.find("information_schema") != std::string::npos ||
                     lower.find("current_schema") != std::string::npos)) ||
         lower.rfind("show ", 0) == 0 || lower.find("alembic_version") != std::string::npos;
}

// The statements env.py logged, by revision: "-- applied <rev> upgrade|downgrade" closes a step.
std::map<std::string, std::string> split_log(const std::string& log, bool upgrade) {
  std::map<std::string, std::string> out;
  std::string pending;
  size_t pos = 0;
  while (pos < log.size()) {
    const size_t end = log.find("\n;\n", pos);
    const size_t marker = log.find("-- applied ", pos);
    if (marker != std::string::npos && (end == std::string::npos || marker < end)) {
      const size_t eol = log.find('\n', marker);
      const std::string line = log.substr(marker + 11, eol - marker - 11);
      const auto space = line.find(' ');
      if ((line.substr(space + 1) == "upgrade") == upgrade) {
        out[line.substr(0, space)] = pending;
      }
      pending.clear();
      pos = eol == std::string::npos ? log.size() : eol + 1;
      continue;
    }
    if (end == std::string::npos) {
      break;
    }
    const std::string statement = log.substr(pos, end - pos);
    if (!is_question(statement)) {
      pending += statement + ";\n";
    }
    pos = end + 3;
  }
  return out;
}

// Revisions that ask the database what it holds (sa.inspect, Enum.create(checkfirst=True)) are
// run online by the real Alembic on a throw-away PostgreSQL; what they send must be what miglint
// derives from the schema the earlier revisions built.
TEST(AlembicReference, GuardedRevisionsMatchAlembicOnline) {
  const fs::path project = fs::path(MIGLINT_SOURCE_DIR) / "tests/fixtures/alembic/reference_online";
  roundtrip::ServerOptions options;
  options.provider = "local";
  auto started = roundtrip::start_server(options);
  ASSERT_TRUE(started.server) << started.error;
  test::TempDir dir;
  const fs::path log = dir.path() / "statements.log";
  const std::string env = "MIGLINT_REFERENCE_URL='" + started.server->sqlalchemy_url() +
                          "' MIGLINT_REFERENCE_LOG='" + log.string() + "' ";
  const std::string cmd = "cd '" + project.string() + "' && " + env +
                          "/usr/bin/python3 -m alembic upgrade heads && " + env +
                          "/usr/bin/python3 -m alembic downgrade base";
  const auto [status, output] = test::run_shell(cmd + " 2>&1");
  ASSERT_EQ(status, 0) << "the reference Alembic failed: " << output;
  std::ifstream in(log);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto discovery = discover::discover({project.string()});
  ASSERT_EQ(discovery.migrations.size(), 5u);
  for (const bool upgrade : {true, false}) {
    const auto blocks = split_log(text, upgrade);
    for (const auto& m : discovery.migrations) {
      const auto& script = upgrade ? m.upgrade : m.downgrade;
      ASSERT_TRUE(script.has_value()) << m.id;
      ASSERT_TRUE(blocks.contains(m.id)) << "Alembic did not run " << m.id << "\n" << text;
      auto expected = canonical(blocks.at(m.id), "Alembic's SQL for " + m.id);
      auto actual = canonical(script->sql, "miglint's SQL for " + m.id);
      sort_set_orders(expected);
      sort_set_orders(actual);
      EXPECT_EQ(actual, expected) << (upgrade ? "upgrade" : "downgrade") << " of " << m.id
                                  << "\nmiglint:\n"
                                  << join(actual) << "alembic:\n"
                                  << join(expected);
    }
    for (const auto& f : discovery.findings) {
      EXPECT_NE(f.rule, "unanalyzable-code") << f.message;
    }
  }
}

} // namespace
} // namespace miglint
