// Configuration files (miglint.toml, [tool.miglint] in pyproject.toml), `miglint init`,
// --exclude and --diff-base, through the binary.

#include "test_support.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>

namespace miglint {
namespace {

const auto run = test::run_miglint;

std::vector<std::string> rules_of(const std::string& json_text) {
  std::vector<std::string> out;
  const auto doc = nlohmann::json::parse(json_text);
  for (const auto& f : doc["findings"]) {
    out.push_back(f["rule"].get<std::string>() + " " + f["file"].get<std::string>());
  }
  return out;
}

class Config : public ::testing::Test {
protected:
  void SetUp() override { test::write_users_history(m_dir); }
  std::string dir() const { return m_dir.path().string(); }
  test::TempDir m_dir;
};

TEST_F(Config, ErrorsNameFileAndLineInFileOrder) {
  m_dir.write("miglint.toml", "pg-version = 15\n"
                              "selcet = [\"drop-table\"]\n"
                              "fail-on = \"warn\"\n"
                              "ignore = [\"no-such-rule\"]\n"
                              "[severity]\n"
                              "drop-table = \"fatal\"\n"
                              "[round-trip]\n"
                              "postgres = \"podman\"\n"
                              "statement-timeout = \"5 minutes\"\n"
                              "lock-held-threshold = \"long\"\n"
                              "estimated-lock-error = \"soon\"\n");
  const auto r = run("check migrations", dir());
  EXPECT_EQ(r.exit_code, 2) << r.out;
  const char* expected[] = {
      "miglint: miglint.toml:2: unknown key `selcet`",
      "miglint: miglint.toml:3: `fail-on` must be one of error, warning, info, never, not `warn`",
      "miglint: miglint.toml:4: `ignore`: unknown rule `no-such-rule`",
      "miglint: miglint.toml:6: `drop-table` must be one of error, warning, info, not `fatal`",
      "miglint: miglint.toml:8: `postgres` must be one of auto, local, docker, url, not `podman`",
      "miglint: miglint.toml:9: `statement-timeout` must be a duration such as \"30s\" or "
      "\"5min\" (\"0\": no limit), not `5 minutes`",
      "miglint: miglint.toml:10: `lock-held-threshold` must be a duration such as \"500ms\" or "
      "\"2s\", not `long`",
      "miglint: miglint.toml:11: `estimated-lock-error` must be a duration such as \"500ms\" or "
      "\"2s\", not `soon`"};
  size_t at = 0;
  for (const char* line : expected) {
    const size_t found = r.out.find(line, at);
    ASSERT_NE(found, std::string::npos) << line << "\n" << r.out;
    at = found;
  }
  EXPECT_EQ(r.out.find("error["), std::string::npos) << "nothing is linted: " << r.out;
}

TEST_F(Config, TomlSyntaxErrorHasLine) {
  m_dir.write("pyproject.toml", "[project]\nname = \"x\"\n\n[tool.miglint\n");
  const auto r = run("check migrations", dir());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.out.find("miglint: pyproject.toml:4: "), std::string::npos) << r.out;
}

TEST_F(Config, PyprojectIsFoundFromASubdirectoryAndItsPathsAreItsOwn) {
  m_dir.write("pyproject.toml", "[project]\nname = \"app\"\n\n"
                                "[tool.miglint]\npaths = [\"migrations\"]\nfail-on = \"never\"\n");
  m_dir.write("src/app/__init__.py", "");
  const auto r = run("check --format json", dir() + "/src/app");
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_EQ(rules_of(r.out), std::vector<std::string>{
                                 "add-column-not-null-no-default ../../migrations/002_add.up.sql"});
}

TEST_F(Config, PyprojectWithoutTheSectionIsPassedOver) {
  m_dir.write("miglint.toml", "fail-on = \"never\"\n");
  m_dir.write("svc/pyproject.toml", "[project]\nname = \"svc\"\n");
  EXPECT_EQ(run("check ../migrations", dir() + "/svc").exit_code, 0);
  // miglint.toml next to a pyproject.toml with a section wins.
  m_dir.write("svc/pyproject.toml", "[tool.miglint]\nfail-on = \"error\"\n");
  m_dir.write("svc/miglint.toml", "fail-on = \"never\"\n");
  EXPECT_EQ(run("check ../migrations", dir() + "/svc").exit_code, 0);
}

TEST_F(Config, CommandLineWins) {
  m_dir.write("miglint.toml", "fail-on = \"never\"\nselect = [\"drop-table\"]\n");
  EXPECT_EQ(run("check migrations", dir()).exit_code, 0);
  // --select replaces the configured selection, --fail-on the threshold.
  const auto r =
      run("check migrations --fail-on error --select add-column-not-null-no-default", dir());
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_NE(r.out.find("error[add-column-not-null-no-default]"), std::string::npos) << r.out;
  // --config names another file; --no-config reads none.
  m_dir.write("strict.toml", "fail-on = \"warning\"\n");
  EXPECT_EQ(run("check migrations --config strict.toml", dir()).exit_code, 1);
  EXPECT_EQ(run("check migrations --no-config", dir()).exit_code, 1);
  const auto missing = run("check migrations --config nope.toml", dir());
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.out.find("nope.toml: no such configuration file"), std::string::npos);
}

TEST_F(Config, SeverityOverrideReachesEveryFormat) {
  m_dir.write("miglint.toml", "[severity]\nadd-column-not-null-no-default = \"info\"\n");
  const auto json = run("check migrations --format json", dir());
  EXPECT_EQ(json.exit_code, 0) << "an info does not fail the default --fail-on error";
  const auto doc = nlohmann::json::parse(json.out);
  ASSERT_EQ(doc["findings"].size(), 1u);
  EXPECT_EQ(doc["findings"][0]["severity"], "info");
  const auto sarif = nlohmann::json::parse(run("check migrations --format sarif", dir()).out);
  const auto& run0 = sarif["runs"][0];
  EXPECT_EQ(run0["results"][0]["level"], "note");
  for (const auto& rule : run0["tool"]["driver"]["rules"]) {
    if (rule["id"] == "add-column-not-null-no-default") {
      EXPECT_EQ(rule["defaultConfiguration"]["level"], "note");
    }
  }
  EXPECT_EQ(run("check migrations --fail-on info", dir()).exit_code, 1);
}

TEST_F(Config, ExcludeLeavesFilesOutButKeepsTheirSchema) {
  // 003 adds an index to the table 001 created: without 001's schema the table would be new.
  m_dir.write("migrations/003_index.up.sql",
              "SET lock_timeout = '5s';\nCREATE INDEX users_email ON users (email);\n");
  m_dir.write("miglint.toml", "exclude = [\"002_*\"]\n");
  auto r = run("check migrations --format json", dir());
  EXPECT_EQ(rules_of(r.out),
            std::vector<std::string>{"create-index-non-concurrent migrations/003_index.up.sql"})
      << r.out;
  EXPECT_EQ(nlohmann::json::parse(r.out)["summary"]["migrations"], 2);
  // A glob with a slash is a path from the configuration's directory; --exclude adds to it.
  m_dir.write("miglint.toml", "exclude = [\"migrations/003_index.up.sql\"]\n");
  r = run("check migrations --format json --exclude '002*'", dir());
  EXPECT_TRUE(rules_of(r.out).empty()) << r.out;
  // A directory name leaves out everything under it.
  m_dir.write("miglint.toml", "exclude = [\"migrations\"]\n");
  r = run("check migrations", dir());
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("in 0 migrations"), std::string::npos) << r.out;
}

TEST_F(Config, InitWritesAStarterThatLoads) {
  auto r = run("init", dir());
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_EQ(run("check migrations", dir()).exit_code, 1) << "the starter keeps the defaults";
  r = run("init", dir());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.out.find("miglint.toml already exists"), std::string::npos);
  // Every commented-out key in the starter is a valid setting.
  std::string uncommented;
  {
    const auto text =
        test::run_shell("sed -e 's/^# \\([a-z-]* = \\)/\\1/' '" + dir() + "/miglint.toml'");
    uncommented = text.out;
  }
  m_dir.write("all.toml", uncommented);
  r = run("check migrations --config all.toml", dir());
  EXPECT_NE(r.exit_code, 2) << uncommented << r.out;
}

TEST_F(Config, ReadmeExampleLoads) {
  const auto readme = test::run_shell("cat '" MIGLINT_SOURCE_DIR "/README.md'").out;
  const std::string open = "```toml\n# pyproject.toml";
  const size_t begin = readme.find(open);
  ASSERT_NE(begin, std::string::npos);
  const size_t body = readme.find('\n', begin) + 1;
  m_dir.write("pyproject.toml", readme.substr(body, readme.find("```", body) - body));
  const auto r = run("check migrations", dir());
  EXPECT_NE(r.exit_code, 2) << r.out;
  EXPECT_EQ(r.out.find("miglint: pyproject.toml"), std::string::npos) << r.out;
}

class DiffBase : public Config {
protected:
  void SetUp() override {
    Config::SetUp();
    git("init -q -b main && git add -A && git commit -qm base");
  }
  void git(const std::string& args) {
    const auto r =
        test::run_shell("cd '" + dir() +
                        "' && export GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@example.com "
                        "GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@example.com && git " +
                        args + " 2>&1");
    ASSERT_EQ(r.exit_code, 0) << args << "\n" << r.out;
  }
};

TEST_F(DiffBase, ReportsOnlyChangedMigrations) {
  auto r = run("check migrations --diff-base main --format json", dir());
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_EQ(nlohmann::json::parse(r.out)["summary"]["migrations"], 0);
  // A branch commits one migration and leaves another untracked: both are changes.
  git("checkout -q -b feature");
  m_dir.write("migrations/003_drop.up.sql", "SET lock_timeout = '5s';\nDROP TABLE users;\n");
  git("add -A && git commit -qm drop");
  m_dir.write("migrations/004_index.up.sql",
              "SET lock_timeout = '5s';\nCREATE TABLE t (a int);\nCREATE INDEX ON t (a);\n");
  r = run("check migrations --diff-base main --format json", dir());
  EXPECT_EQ(rules_of(r.out), std::vector<std::string>{"drop-table migrations/003_drop.up.sql"})
      << "the table of 001 is known, the one 004 creates is new: " << r.out;
  EXPECT_EQ(nlohmann::json::parse(r.out)["summary"]["migrations"], 2);
  // From a subdirectory, paths are still matched.
  r = run("check ../migrations --diff-base main --format json", dir() + "/migrations");
  EXPECT_EQ(rules_of(r.out).size(), 1u) << r.out;
}

// Migrations deployed together are linted as one deploy: a table the first creates is still new
// (unused, empty) when the next builds an index on it.
class DeployBatches : public DiffBase {
protected:
  // A migration creating table `name`, and one indexing it without CONCURRENTLY.
  void write_pair(const std::string& first, const std::string& second, const std::string& name) {
    m_dir.write("migrations/" + first + ".up.sql",
                "SET lock_timeout = '5s';\nCREATE TABLE " + name + " (a int);\n");
    m_dir.write("migrations/" + second + ".up.sql",
                "SET lock_timeout = '5s';\nCREATE INDEX ON " + name + " (a);\n");
  }
  std::vector<std::string> check() {
    const auto r = run("check migrations --format json", dir());
    EXPECT_NE(r.exit_code, 2) << r.out;
    return rules_of(r.out);
  }
};

TEST_F(DeployBatches, ACommitOrTheUncommittedFilesAreOneDeploy) {
  write_pair("003_t", "004_t_index", "t");
  git("add -A && git commit -qm 'one commit, two migrations'");
  EXPECT_EQ(check(), std::vector<std::string>{}) << "004 indexes a table its deploy created";
  // Turned off, every migration is its own deploy (002 of the base commit, too).
  m_dir.write("miglint.toml", "deploy-batches = false\n");
  EXPECT_EQ(check(), (std::vector<std::string>{
                         "add-column-not-null-no-default migrations/002_add.up.sql",
                         "create-index-non-concurrent migrations/004_t_index.up.sql"}));
  m_dir.write("miglint.toml", "");
  // Committed apart: t may have rows and traffic by the time 006 runs.
  write_pair("005_u", "006_u_index", "u");
  git("add migrations/005_u.up.sql && git commit -qm u");
  git("add -A && git commit -qm 'u index'");
  EXPECT_EQ(check(),
            std::vector<std::string>{"create-index-non-concurrent migrations/006_u_index.up.sql"});
  // Not committed yet (untracked, or staged only): one pending deploy.
  write_pair("007_v", "008_v_index", "v");
  git("add migrations/008_v_index.up.sql");
  EXPECT_EQ(check(),
            std::vector<std::string>{"create-index-non-concurrent migrations/006_u_index.up.sql"});
  // Named alone, as pre-commit passes staged files, the same holds.
  const auto named = run("check migrations/008_v_index.up.sql --format json", dir());
  EXPECT_EQ(rules_of(named.out), std::vector<std::string>{}) << named.out;
}

TEST_F(DeployBatches, ACommitOfManyMigrationsIsAnImportNotADeploy) {
  for (int i = 0; i < 3; ++i) {
    const std::string n = std::to_string(i);
    m_dir.write("migrations/01" + n + "_other.up.sql", "SELECT 1;\n");
  }
  write_pair("013_t", "014_t_index", "t");
  git("add -A && git commit -qm 'a history brought in'");
  EXPECT_EQ(check(),
            std::vector<std::string>{"create-index-non-concurrent migrations/014_t_index.up.sql"});
}

TEST_F(DeployBatches, OnlyTheNewestMigrationsAreAskedAbout) {
  // A pair committed together long ago is left as it was linted before (git would have to walk
  // the history to its root to place it); the newest pair is one deploy.
  write_pair("010_t", "011_t_index", "t");
  git("add -A && git commit -qm t");
  for (int i = 20; i < 55; ++i) {
    m_dir.write("migrations/0" + std::to_string(i) + "_noop.up.sql", "SELECT 1;\n");
    git("add -A && git commit -qm " + std::to_string(i));
  }
  write_pair("060_u", "061_u_index", "u");
  git("add -A && git commit -qm u");
  EXPECT_EQ(check(), (std::vector<std::string>{
                         "add-column-not-null-no-default migrations/002_add.up.sql",
                         "create-index-non-concurrent migrations/011_t_index.up.sql"}));
}

// diesel-guard's start_after: the migrations at or before it were reviewed before the linter came
// in; they teach the schema and report nothing, unless foreign-markers = false.
TEST(DieselGuard, StartAfterReadsOlderMigrationsAsContext) {
  test::TempDir d;
  d.write("diesel-guard.toml", "framework = \"diesel\"\nstart_after = \"2024_01_01_000000\"\n");
  d.write("migrations/2023-06-01-120000_init/up.sql", "CREATE TABLE users (id bigint);\n");
  d.write("migrations/2023-07-01-120000_drop/up.sql", "SET lock_timeout = '5s';\n"
                                                      "ALTER TABLE users DROP COLUMN id;\n");
  d.write("migrations/2024-01-01-000000_same_second/up.sql", "SET lock_timeout = '5s';\n"
                                                             "ALTER TABLE users ADD COLUMN a int;\n"
                                                             "ALTER TABLE users DROP COLUMN a;\n");
  d.write("migrations/2024-02-01-120000_index/up.sql", "SET lock_timeout = '5s';\n"
                                                       "CREATE INDEX ON users (id);\n");
  const std::string dir = d.path().string();
  auto r = run("check --no-config --format json -o out.json migrations", dir);
  auto report = [&] {
    std::ifstream in(d.path() / "out.json");
    return std::string(std::istreambuf_iterator<char>(in), {});
  };
  EXPECT_EQ(rules_of(report()),
            std::vector<std::string>{"create-index-non-concurrent "
                                     "migrations/2024-02-01-120000_index/up.sql"})
      << r.out;
  EXPECT_NE(r.out.find("diesel-guard.toml has start_after = \"2024_01_01_000000\": 3 migrations "
                       "at or before it read as context only"),
            std::string::npos)
      << r.out;
  d.write("miglint.toml", "foreign-markers = false\n");
  r = run("check --format json -o out.json migrations", dir);
  EXPECT_EQ(rules_of(report()).size(), 2u) << r.out; // drop-column of 2023-07 too
}

// A history where no migration has a downgrade is forward-only by choice (supabase/postgres:
// append-only, every `migrate:down` empty): empty-downgrade says so once, not per migration. One
// downgrade written anywhere makes the others' absence worth reporting again. ALTER TABLE ...
// OWNER TO is a privilege, not a schema change.
TEST(EmptyDowngrade, ForwardOnlyHistoriesAndOwnership) {
  test::TempDir d;
  for (int i = 1; i <= 5; ++i) {
    d.write("db/2021010" + std::to_string(i) + "_m.sql",
            "-- migrate:up\nCREATE TABLE t" + std::to_string(i) + " (id int);\n-- migrate:down\n");
  }
  const std::string dir = d.path().string();
  auto r = run("check --no-config --format json -o out.json db", dir);
  auto report = [&] {
    std::ifstream in(d.path() / "out.json");
    return std::string(std::istreambuf_iterator<char>(in), {});
  };
  EXPECT_EQ(rules_of(report()), std::vector<std::string>{}) << r.out;
  EXPECT_NE(r.out.find("no migration of the history has a downgrade (5 empty): it is "
                       "forward-only by choice"),
            std::string::npos)
      << r.out;
  // One real downgrade: the empty ones are oversights again; an ownership change is not.
  d.write("db/20210106_m.sql", "-- migrate:up\nCREATE TABLE t6 (id int);\n"
                               "-- migrate:down\nDROP TABLE t6;\n");
  d.write("db/20210107_owner.sql", "-- migrate:up\nSET lock_timeout = '1s';\n"
                                   "ALTER TABLE t1 OWNER TO postgres;\n-- migrate:down\n");
  r = run("check --no-config --format json -o out.json db", dir);
  const auto rules = rules_of(report());
  EXPECT_EQ(std::count(rules.begin(), rules.end(), "empty-downgrade db/20210101_m.sql"), 1)
      << r.out;
  EXPECT_EQ(std::count_if(rules.begin(), rules.end(),
                          [](const std::string& f) { return f.starts_with("empty-downgrade"); }),
            5)
      << r.out;
  EXPECT_EQ(r.out.find("forward-only"), std::string::npos) << r.out;
}

TEST_F(DiffBase, UnknownRefIsAUsageError) {
  const auto r = run("check migrations --diff-base no-such-branch", dir());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.out.find("miglint: --diff-base no-such-branch: no merge base"), std::string::npos)
      << r.out;
  // Outside a repository (the temporary directory's parent is not one).
  const auto outside = run("check '" + dir() + "/migrations' --diff-base main", dir() + "/..");
  EXPECT_EQ(outside.exit_code, 2) << outside.out;
  EXPECT_NE(outside.out.find("not a git repository"), std::string::npos) << outside.out;
}

TEST_F(DiffBase, RoundTripStepsOnlyChangedMigrations) {
  git("checkout -q -b feature");
  m_dir.write("migrations/003_col.up.sql", "ALTER TABLE users ADD COLUMN note text;\n");
  m_dir.write("migrations/003_col.down.sql", "ALTER TABLE users DROP COLUMN note;\n");
  const auto r = run("check migrations --diff-base main --round-trip --fail-on never", dir());
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("round-trip 1/1: 003"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("round-trip stepped 1 migration\n"), std::string::npos) << r.out;
}

} // namespace
} // namespace miglint
