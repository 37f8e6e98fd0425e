// The pre-commit hooks with the real pre-commit (Debian's 3.0.4): a temporary project repository
// installs them from a local hook repository holding miglint's .pre-commit-hooks.yaml, a commit
// adding a risky revision is blocked with miglint's message, the fixed one goes through, and the
// manual round-trip hook runs.

#include "test_support.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace miglint {
namespace {

namespace fs = std::filesystem;
using test::TempDir;

class PreCommit : public ::testing::Test {
protected:
  void SetUp() override {
    const std::string bin = fs::path(MIGLINT_BINARY).parent_path().string();
    m_env = "export PATH='" + bin + "':\"$PATH\" PRE_COMMIT_HOME='" +
            (m_dir.path() / "pre-commit-home").string() +
            "' GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@example.com GIT_COMMITTER_NAME=t "
            "GIT_COMMITTER_EMAIL=t@example.com; ";
    // The hook repository: miglint's manifest, committed and tagged.
    std::ifstream in(std::string(MIGLINT_SOURCE_DIR) + "/.pre-commit-hooks.yaml");
    m_dir.write("hooks/.pre-commit-hooks.yaml",
                std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()));
    ASSERT_EQ(sh("cd hooks && git init -q && git add -A && git commit -qm hooks").exit_code, 0);
    const std::string rev = sh("cd hooks && git rev-parse HEAD").out.substr(0, 40);
    // The project: an Alembic project using the hooks.
    m_hooks = "repos:\n  - repo: " + (m_dir.path() / "hooks").string() + "\n    rev: " + rev +
              "\n    hooks:\n      - id: miglint\n";
    m_dir.write("project/.pre-commit-config.yaml", m_hooks + "      - id: miglint-round-trip\n");
    // The demo's alembic.ini (with the logging sections env.py loads), pointing at migrations/.
    std::ifstream ini(std::string(MIGLINT_SOURCE_DIR) + "/migrations/alembic.ini");
    std::string config(std::istreambuf_iterator<char>(ini), std::istreambuf_iterator<char>{});
    const std::string from = "script_location = %(here)s\n";
    config.replace(config.find(from), from.size(), "script_location = %(here)s/migrations\n");
    const std::string versions = "version_locations = %(here)s/versions\n";
    config.replace(config.find(versions), versions.size(),
                   "version_locations = %(here)s/migrations/versions\n");
    m_dir.write("project/alembic.ini", config);
    std::ifstream env(std::string(MIGLINT_SOURCE_DIR) + "/migrations/env.py");
    m_dir.write("project/migrations/env.py",
                std::string(std::istreambuf_iterator<char>(env), std::istreambuf_iterator<char>()));
    m_dir.write("project/migrations/versions/a1_users.py", test::k_users_revision);
    m_dir.write("project/app.py", "print('not a migration')\n");
    ASSERT_EQ(sh("cd project && git init -q && pre-commit install >/dev/null && git add -A && "
                 "git commit -qm init 2>&1")
                  .exit_code,
              0);
  }

  test::ShellResult sh(const std::string& command) {
    return test::run_shell("cd '" + m_dir.path().string() + "' && " + m_env + command + " 2>&1");
  }

  // Makes `name` a repository using the miglint hook, with `files` (path -> text) committed.
  void make_repository(const std::string& name,
                       const std::vector<std::pair<std::string, std::string>>& files) {
    m_dir.write(name + "/.pre-commit-config.yaml", m_hooks);
    for (const auto& [path, text] : files) {
      m_dir.write(name + "/" + path, text);
    }
    ASSERT_EQ(sh("cd " + name +
                 " && git init -q && pre-commit install >/dev/null && git add -A && "
                 "git commit -qm init 2>&1")
                  .exit_code,
              0);
  }

  TempDir m_dir;
  std::string m_env;
  std::string m_hooks; // .pre-commit-config.yaml using the miglint hook
};

// A revision adding a NOT NULL column without a default to `users`, after a1.
std::string risky_revision(const std::string& id) {
  return "from alembic import op\nimport sqlalchemy as sa\n\nrevision = '" + id +
         "'\ndown_revision = 'a1'\n\n\ndef upgrade():\n"
         "    op.add_column('users', sa.Column('email', sa.String(), nullable=False))\n\n\n"
         "def downgrade():\n    op.drop_column('users', 'email')  # miglint: ignore drop-column\n";
}

TEST_F(PreCommit, BlocksARiskyRevisionAndLetsTheFixThrough) {
  m_dir.write("project/migrations/versions/b2_email.py",
              "from alembic import op\nimport sqlalchemy as sa\n\nrevision = 'b2'\n"
              "down_revision = 'a1'\n\n\ndef upgrade():\n"
              "    op.add_column('users', sa.Column('email', sa.String(), nullable=False))\n\n\n"
              "def downgrade():\n    op.drop_column('users', 'email')\n");
  const auto blocked = sh("cd project && git add -A && git commit -qm risky");
  EXPECT_NE(blocked.exit_code, 0) << blocked.out;
  EXPECT_NE(blocked.out.find(
                "migrations/versions/b2_email.py:9:5: error[add-column-not-null-no-default]"),
            std::string::npos)
      << blocked.out;
  EXPECT_NE(sh("cd project && git log --oneline").out.find("init"), std::string::npos);
  EXPECT_EQ(sh("cd project && git log --oneline").out.find("risky"), std::string::npos);

  m_dir.write(
      "project/migrations/versions/b2_email.py",
      "from alembic import op\nimport sqlalchemy as sa\n\nrevision = 'b2'\n"
      "down_revision = 'a1'\n\n\ndef upgrade():\n"
      "    op.add_column('users', sa.Column('email', sa.String(), nullable=True))\n\n\n"
      "def downgrade():\n    op.drop_column('users', 'email')  # miglint: ignore drop-column\n");
  const auto fixed = sh("cd project && git add -A && git commit -qm fixed");
  EXPECT_EQ(fixed.exit_code, 0) << fixed.out;
  EXPECT_NE(sh("cd project && git log --oneline").out.find("fixed"), std::string::npos);
}

TEST_F(PreCommit, FilesOutsideMigrationsAreIgnoredQuietly) {
  // Every .py file reaches miglint, which decides: application code and env.py are no
  // migrations, and pass without a word.
  const auto r = sh("cd project && pre-commit run miglint --files app.py migrations/env.py");
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("Passed"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("error"), std::string::npos) << r.out;
}

TEST_F(PreCommit, FiresInAScriptLocationDotProject) {
  // alembic.ini inside the script directory (`script_location = .`), in a db/ directory whose
  // name the old file pattern did not know.
  make_repository("dot", {{"db/alembic.ini", "[alembic]\nscript_location = .\n"},
                          {"db/env.py", "from alembic import context\n"},
                          {"db/versions/a1_users.py", test::k_users_revision}});
  m_dir.write("dot/db/versions/b2_email.py", risky_revision("b2"));
  const auto blocked = sh("cd dot && git add -A && git commit -qm risky");
  EXPECT_NE(blocked.exit_code, 0) << blocked.out;
  EXPECT_NE(blocked.out.find("db/versions/b2_email.py:9:5: error[add-column-not-null-no-default]"),
            std::string::npos)
      << blocked.out;
  EXPECT_EQ(sh("cd dot && git log --oneline").out.find("risky"), std::string::npos);
}

TEST_F(PreCommit, FiresInANestedPerDialectTree) {
  // prefect's layout: alembic.ini deep in a src/ package with `package:path`, revisions in
  // versions/postgresql/ and versions/sqlite/. A PostgreSQL revision is checked against its
  // history; the same change for SQLite is not a PostgreSQL migration and passes.
  const std::string db = "src/app/server/database/";
  make_repository(
      "nested",
      {{"src/app/__init__.py", ""},
       {db + "alembic.ini", "[alembic]\nscript_location = app:server:database:_migrations\n"
                            "prepend_sys_path = .\npath_separator = os\n"},
       {db + "_migrations/env.py", "from alembic import context\n"},
       {db + "_migrations/versions/postgresql/2024_01_01_a1_users.py", test::k_users_revision},
       {db + "_migrations/versions/sqlite/2024_01_01_a1_users.py", test::k_users_revision}});
  m_dir.write("nested/" + db + "_migrations/versions/sqlite/2024_02_01_b2_email.py",
              risky_revision("b2"));
  const auto sqlite = sh("cd nested && git add -A && git commit -qm sqlite");
  EXPECT_EQ(sqlite.exit_code, 0) << sqlite.out;
  m_dir.write("nested/" + db + "_migrations/versions/postgresql/2024_02_01_b2_email.py",
              risky_revision("b2"));
  const auto blocked = sh("cd nested && git add -A && git commit -qm risky");
  EXPECT_NE(blocked.exit_code, 0) << blocked.out;
  EXPECT_NE(blocked.out.find(db + "_migrations/versions/postgresql/2024_02_01_b2_email.py:9:5: "
                                  "error[add-column-not-null-no-default]"),
            std::string::npos)
      << blocked.out;
}

TEST_F(PreCommit, ManualRoundTripHook) {
  const auto r = sh("cd project && pre-commit run miglint-round-trip --hook-stage manual");
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("miglint round-trip"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Passed"), std::string::npos) << r.out;
}

} // namespace
} // namespace miglint
