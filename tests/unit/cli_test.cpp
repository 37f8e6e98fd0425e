// End-to-end tests of the miglint binary: exit codes, output formats, -o.

#include "test_support.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <sstream>
#include <sys/wait.h>

namespace miglint {
namespace {

const auto run = test::run_miglint;

class Cli : public ::testing::Test {
protected:
  void SetUp() override {
    // The index is on another table than the NOT NULL column: `users` must be empty for that
    // ALTER to succeed, so an index build on it would not be reported.
    test::write_users_history(m_dir, "CREATE INDEX orders_created_idx ON orders (created_at);\n");
    m_dir.write("migrations/001_init.up.sql",
                "CREATE TABLE users (id bigint PRIMARY KEY, email varchar(100));\n"
                "CREATE TABLE orders (created_at timestamptz);\n");
    m_dir.write("clean/001_ok.up.sql", "CREATE TABLE t (id bigint);\n");
  }
  std::string dir() const { return m_dir.path().string(); }
  test::TempDir m_dir;
};

TEST_F(Cli, TextOutputAndExitCodeOne) {
  const auto r = run("check migrations", dir());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("migrations/002_add.up.sql:2:30: error[add-column-not-null-no-default]"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("  help: "), std::string::npos);
  EXPECT_NE(r.out.find("1 error, 1 warning, 0 infos in 2 migrations (2 files)"), std::string::npos)
      << r.out;
  EXPECT_EQ(r.out.find("\033["), std::string::npos) << "no colour when not a terminal";
}

TEST_F(Cli, DefaultsToTheMigrationsDirectory) {
  EXPECT_EQ(run("check", dir()).exit_code, 1);
  EXPECT_EQ(run("check", dir() + "/clean").exit_code, 2);
}

// A directory without migrations (a repository's root) is not a silent success: a note names the
// Alembic projects below it. A file named alone that is no migration stays quiet (pre-commit).
TEST_F(Cli, NoMigrationsFoundSaysWhereTheyAre) {
  m_dir.write("repo/service/db/alembic.ini", "[alembic]\nscript_location = %(here)s\n");
  m_dir.write("repo/service/db/env.py", "");
  m_dir.write("repo/service/db/versions/.keep", "");
  m_dir.write("repo/README.md", "hello\n");
  const auto root = run("check repo", dir());
  EXPECT_EQ(root.exit_code, 0) << root.out;
  EXPECT_NE(root.out.find("miglint: note: no migrations found in repo; Alembic projects below it: "
                          "repo/service/db/alembic.ini (pass one of them)"),
            std::string::npos)
      << root.out;
  // A script directory without an alembic.ini next to it (the app runs Alembic itself).
  m_dir.write("app/pkg/migrations/env.py", "");
  m_dir.write("app/pkg/migrations/versions/.keep", "");
  const auto app = run("check app", dir());
  EXPECT_NE(app.out.find("Alembic projects below it: app/pkg/migrations (pass one of them)"),
            std::string::npos)
      << app.out;
  const auto file = run("check repo/README.md", dir());
  EXPECT_EQ(file.out.find("note:"), std::string::npos) << file.out;
}

TEST_F(Cli, JsonShape) {
  const auto r = run("check --format json migrations", dir());
  EXPECT_EQ(r.exit_code, 1);
  const auto doc = nlohmann::json::parse(r.out);
  EXPECT_EQ(doc["tool"], "miglint");
  EXPECT_TRUE(doc["version"].is_string());
  ASSERT_EQ(doc["findings"].size(), 2u);
  const auto& f = doc["findings"][0];
  for (const char* key : {"rule", "severity", "message", "help", "file", "line", "column",
                          "end_line", "end_column", "migration", "phase", "statement"}) {
    EXPECT_TRUE(f.contains(key)) << key;
  }
  EXPECT_EQ(f["rule"], "add-column-not-null-no-default");
  EXPECT_EQ(f["severity"], "error");
  EXPECT_EQ(f["file"], "migrations/002_add.up.sql");
  EXPECT_EQ(f["line"], 2);
  EXPECT_EQ(f["column"], 30);
  EXPECT_EQ(f["end_line"], 2);
  EXPECT_EQ(f["migration"], "002");
  EXPECT_EQ(f["phase"], "upgrade");
  EXPECT_EQ(f["statement"], "ALTER TABLE users ADD COLUMN created_at timestamptz NOT NULL");
  EXPECT_EQ(doc["summary"]["errors"], 1);
  EXPECT_EQ(doc["summary"]["warnings"], 1);
  EXPECT_EQ(doc["summary"]["migrations"], 2);
}

TEST_F(Cli, FailOnAndSelection) {
  EXPECT_EQ(run("check --fail-on never migrations", dir()).exit_code, 0);
  EXPECT_EQ(run("check --ignore add-column-not-null-no-default migrations", dir()).exit_code, 0);
  EXPECT_EQ(run("check --ignore add-column-not-null-no-default --fail-on warning migrations", dir())
                .exit_code,
            1);
  const auto r = run("check --select create-index-non-concurrent --format json migrations", dir());
  EXPECT_EQ(nlohmann::json::parse(r.out)["findings"].size(), 1u);
  EXPECT_EQ(run("check clean", dir()).exit_code, 0);
  EXPECT_EQ(run("check --ignore drop-table --ignore add-column-not-null-no-default,"
                "create-index-non-concurrent --fail-on warning migrations",
                dir())
                .exit_code,
            0);
}

TEST_F(Cli, PhaseDowngrade) {
  const auto r = run("check --phase downgrade --format json migrations", dir());
  const auto doc = nlohmann::json::parse(r.out);
  std::set<std::string> rules;
  for (const auto& f : doc["findings"]) {
    EXPECT_EQ(f["phase"], "downgrade");
    rules.insert(f["rule"]);
  }
  EXPECT_TRUE(rules.contains("drop-column"));
  EXPECT_TRUE(rules.contains("drop-table"));
  const auto both =
      nlohmann::json::parse(run("check --phase both --format json migrations", dir()).out);
  EXPECT_EQ(both["findings"].size(), doc["findings"].size() + 2);
}

TEST_F(Cli, OutputFile) {
  const auto r = run("check --format json -o report.json migrations", dir());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(r.out.empty()) << r.out;
  std::ifstream in(dir() + "/report.json");
  std::stringstream s;
  s << in.rdbuf();
  EXPECT_EQ(nlohmann::json::parse(s.str())["findings"].size(), 2u);
  EXPECT_EQ(run("check -o /nonexistent/dir/x.json migrations", dir()).exit_code, 3);
}

TEST_F(Cli, UsageErrors) {
  EXPECT_EQ(run("check does-not-exist", dir()).exit_code, 2);
  EXPECT_EQ(run("check --format xml migrations", dir()).exit_code, 2);
  EXPECT_EQ(run("check --select no-such-rule migrations", dir()).exit_code, 2);
  EXPECT_EQ(run("check --pg-version 3 migrations", dir()).exit_code, 2);
  EXPECT_EQ(run("frobnicate", dir()).exit_code, 2);
  EXPECT_EQ(run("", dir()).exit_code, 2);
  EXPECT_EQ(run("--help", dir()).exit_code, 0);
}

TEST_F(Cli, PgVersionChangesFindings) {
  m_dir.write("v/001_a.up.sql",
              "SET lock_timeout = '1s';\nALTER TABLE t ADD COLUMN f boolean DEFAULT false;\n");
  EXPECT_EQ(run("check v", dir()).exit_code, 0);
  const auto r = run("check --pg-version 10 v", dir());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("add-column-volatile-default"), std::string::npos);
}

TEST_F(Cli, RulesAndExplain) {
  const auto list = run("rules --format json", dir());
  EXPECT_EQ(list.exit_code, 0);
  const auto rules = nlohmann::json::parse(list.out);
  EXPECT_GE(rules.size(), 20u);
  const auto explain = run("explain set-not-null", dir());
  EXPECT_EQ(explain.exit_code, 0);
  EXPECT_NE(explain.out.find("## Safe alternative"), std::string::npos);
  EXPECT_EQ(run("explain nope", dir()).exit_code, 2);
  EXPECT_NE(run("rules --format markdown", dir()).out.find("| [`drop-column`]"), std::string::npos);
}

TEST_F(Cli, BadFilesAreReportedAndTheRestStillRuns) {
  m_dir.write("bad/001_a.up.sql", std::string("SELECT\0\x01", 8));
  m_dir.write("bad/002_b.up.sql", "SET lock_timeout = '1s';\nALTER TABLE t DROP COLUMN c;\n");
  const auto r = run("check --format json bad", dir());
  EXPECT_EQ(r.exit_code, 1);
  const auto doc = nlohmann::json::parse(r.out);
  std::set<std::string> rules;
  for (const auto& f : doc["findings"]) {
    rules.insert(f["rule"]);
  }
  EXPECT_TRUE(rules.contains("input-error"));
  EXPECT_TRUE(rules.contains("drop-column"));
}

} // namespace
} // namespace miglint

namespace miglint {
namespace {

TEST_F(Cli, SqlCommandPrintsTheDerivedSqlWithLocations) {
  m_dir.write("alembic/versions/a1.py",
              "from alembic import op\nimport sqlalchemy as sa\nrevision = 'a1'\n"
              "down_revision = None\n\ndef upgrade():\n"
              "    op.create_index('ix', 't', ['a'], if_not_exists=True)\n"
              "    op.execute('UPDATE t SET a = 1')\n\ndef downgrade():\n"
              "    op.drop_index('ix', table_name='t', if_exists=True)\n");
  const auto up = run("sql alembic/versions", dir());
  EXPECT_EQ(up.exit_code, 0) << up.out;
  EXPECT_NE(up.out.find("-- migration a1 (upgrade)\n"), std::string::npos) << up.out;
  // Newer Alembic's SQL for if_not_exists / if_exists (1.8 ignores the keywords).
  EXPECT_NE(up.out.find("-- alembic/versions/a1.py:7\nCREATE INDEX IF NOT EXISTS ix ON t (a);"),
            std::string::npos)
      << up.out;
  EXPECT_NE(up.out.find("-- alembic/versions/a1.py:8\nUPDATE t SET a = 1;"), std::string::npos)
      << up.out;
  const auto down = run("sql --phase downgrade alembic/versions", dir());
  EXPECT_NE(down.out.find("DROP INDEX IF EXISTS ix;"), std::string::npos) << down.out;
  EXPECT_EQ(run("sql nowhere", dir()).exit_code, 2);
}

TEST_F(Cli, ChecksAnAlembicProject) {
  m_dir.write("proj/alembic.ini", "[alembic]\nscript_location = %(here)s/db\n");
  m_dir.write("proj/db/env.py", "");
  m_dir.write("proj/db/versions/a1.py",
              "from alembic import op\nrevision = 'a1'\ndown_revision = None\n\n"
              "def upgrade():\n    op.execute(\"SET lock_timeout = '1s'\")\n"
              "    op.drop_column('users', 'email')\n\ndef downgrade():\n    pass\n");
  const auto r = run("check --format json proj", dir());
  EXPECT_EQ(r.exit_code, 0) << r.out; // warnings only
  const auto doc = nlohmann::json::parse(r.out);
  std::set<std::string> rules;
  for (const auto& f : doc["findings"]) {
    rules.insert(f["rule"]);
    if (f["rule"] == "drop-column") {
      EXPECT_EQ(f["file"], "proj/db/versions/a1.py");
      EXPECT_EQ(f["line"], 7);
      EXPECT_EQ(f["migration"], "a1");
    }
  }
  EXPECT_TRUE(rules.contains("drop-column"));
  EXPECT_TRUE(rules.contains("empty-downgrade"));
}

} // namespace
} // namespace miglint
