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
    m_dir.write("project/.pre-commit-config.yaml",
                "repos:\n  - repo: " + (m_dir.path() / "hooks").string() + "\n    rev: " + rev +
                    "\n    hooks:\n      - id: miglint\n"
                    "      - id: miglint-round-trip\n");
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

  TempDir m_dir;
  std::string m_env;
};

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

TEST_F(PreCommit, FilesOutsideMigrationsAreSkipped) {
  const auto r = sh("cd project && pre-commit run miglint --files app.py");
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("(no files to check)Skipped"), std::string::npos) << r.out;
}

TEST_F(PreCommit, ManualRoundTripHook) {
  const auto r = sh("cd project && pre-commit run miglint-round-trip --hook-stage manual");
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("miglint round-trip"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Passed"), std::string::npos) << r.out;
}

} // namespace
} // namespace miglint
