// The GitHub Action: action.yml and the example workflow checked by @action-validator/cli
// (installed by ci/setup.sh into tests/tools), and the action's shell steps (ci/action.sh) run
// as the runner runs them, with GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files, in real git
// repositories: full and shallow clones, pull-request style.

#include "roundtrip/server.hpp"
#include "test_support.hpp"

#include <gtest/gtest.h>
#include <pqxx/pqxx>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>

namespace miglint {
namespace {

namespace fs = std::filesystem;
using test::TempDir;

const std::string k_source = MIGLINT_SOURCE_DIR;

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

test::ShellResult validate(const fs::path& file) {
  return test::run_shell("'" + k_source + "/tests/tools/node_modules/.bin/action-validator' '" +
                         file.string() + "' 2>&1");
}

TEST(Action, MetadataAndExampleWorkflowValidate) {
  auto r = validate(k_source + "/action.yml");
  EXPECT_EQ(r.exit_code, 0) << r.out;
  r = validate(k_source + "/ci/miglint-workflow.yml");
  EXPECT_EQ(r.exit_code, 0) << r.out;
  // The README's copy of the workflow.
  TempDir dir;
  const std::string readme = read(k_source + "/README.md");
  const size_t begin = readme.find("```yaml\n# .github/workflows/miglint.yml\n");
  ASSERT_NE(begin, std::string::npos);
  const size_t body = readme.find('\n', begin) + 1;
  dir.write("miglint.yml", readme.substr(body, readme.find("```", body) - body));
  r = validate(dir.path() / "miglint.yml");
  EXPECT_EQ(r.exit_code, 0) << r.out;
  // The validator does catch mistakes: a run step without its shell.
  std::string broken = read(k_source + "/action.yml");
  broken.erase(broken.find("      shell: bash\n"), std::string("      shell: bash\n").size());
  dir.write("broken/action.yml", broken);
  r = validate(dir.path() / "broken/action.yml");
  EXPECT_EQ(r.exit_code, 1) << r.out;
}

// Every declared input reaches a step, and every input a step reads is declared.
TEST(Action, InputsAreDeclaredAndUsed) {
  const std::string yml = read(k_source + "/action.yml");
  const size_t begin = yml.find("\ninputs:\n");
  const std::string inputs = yml.substr(begin, yml.find("\noutputs:\n") - begin);
  const std::string steps = yml.substr(yml.find("\nruns:\n"));
  std::set<std::string> declared;
  const std::regex decl("\n  ([a-z-]+):\n");
  for (std::sregex_iterator it(inputs.begin(), inputs.end(), decl), end; it != end; ++it) {
    declared.insert((*it)[1]);
  }
  EXPECT_EQ(declared.size(), 12u);
  for (const auto& name : declared) {
    EXPECT_NE(steps.find("inputs." + name + " "), std::string::npos) << name;
  }
  const std::regex use(R"(inputs\.([a-z-]+))");
  for (std::sregex_iterator it(steps.begin(), steps.end(), use), end; it != end; ++it) {
    EXPECT_TRUE(declared.contains((*it)[1])) << (*it)[1];
  }
  // Each MIGLINT_* variable the run step sets is one ci/action.sh reads.
  const std::string script = read(k_source + "/ci/action.sh");
  const std::regex env(R"(\n        (MIGLINT_[A-Z_]+):)");
  int vars = 0;
  for (std::sregex_iterator it(steps.begin(), steps.end(), env), end; it != end; ++it, ++vars) {
    EXPECT_NE(script.find("${" + (*it)[1].str() + ":-"), std::string::npos) << (*it)[1];
  }
  EXPECT_EQ(vars, 11);
}

// The cache key changes with the action's sources and nothing else.
TEST(Action, CacheKeyFollowsTheSources) {
  TempDir dir;
  const auto copy = dir.path() / "action";
  for (const char* part : {"CMakeLists.txt", "cmake", "src", "rules", "ci"}) {
    fs::create_directories((copy / part).parent_path());
    fs::copy(k_source + "/" + part, copy / part, fs::copy_options::recursive);
  }
  auto key = [&] {
    const auto r = test::run_shell(
        "cd '" + dir.path().string() + "' && GITHUB_ACTION_PATH='" + copy.string() +
        "' GITHUB_OUTPUT='" + (dir.path() / "out").string() +
        "' RUNNER_OS=Linux RUNNER_ARCH=X64 bash '" + copy.string() +
        "/ci/action.sh' key >/dev/null && tail -1 '" + (dir.path() / "out").string() + "'");
    return r.out;
  };
  const std::string first = key();
  EXPECT_TRUE(std::regex_match(first, std::regex("key=miglint-Linux-X64-[0-9a-f]{16}\n"))) << first;
  EXPECT_EQ(key(), first);
  dir.write("action/README.md", "not a source\n");
  EXPECT_EQ(key(), first);
  std::ofstream(copy / "src/cli/app.cpp", std::ios::app) << "// changed\n";
  EXPECT_NE(key(), first);
}

// The dependency step on this machine (where ci/setup.sh has run): nothing left to install.
TEST(Action, DependencyStepIsIdempotent) {
  const auto r = test::run_shell("bash '" + k_source + "/ci/action.sh' deps 2>&1");
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("packages present"), std::string::npos) << r.out;
}

const char* k_risky_revision = R"py(from alembic import op
import sqlalchemy as sa

revision = "b2"
down_revision = "a1"


def upgrade():
    op.execute("SET lock_timeout = '5s'")
    op.add_column("users", sa.Column("email", sa.String(100), nullable=False))


def downgrade():
    op.drop_column("users", "email")
)py";

// A repository whose main branch has one revision and a feature branch that adds a risky one.
class ActionRun : public ::testing::Test {
protected:
  void SetUp() override {
    m_dir.write("upstream/alembic.ini", "[alembic]\nscript_location = migrations\n");
    m_dir.write("upstream/migrations/env.py",
                "import os\nfrom alembic import context\nfrom sqlalchemy import create_engine\n"
                "with create_engine(os.environ['DATABASE_URL']).connect() as c:\n"
                "    context.configure(connection=c, transaction_per_migration=True)\n"
                "    with context.begin_transaction():\n"
                "        context.run_migrations()\n");
    m_dir.write("upstream/migrations/versions/a1_users.py", test::k_users_revision);
    m_dir.write("upstream/README.md", "app\n");
    sh("cd upstream && git init -q -b main && git add -A && git commit -qm base && "
       "echo more >> README.md && git commit -qam docs && git checkout -q -b feature");
    m_dir.write("upstream/migrations/versions/b2_email.py", k_risky_revision);
    sh("cd upstream && git add -A && git commit -qm email && "
       "git config uploadpack.allowAnySHA1InWant true");
    m_base = sh("cd upstream && git rev-parse main").out.substr(0, 40);
  }

  test::ShellResult sh(const std::string& command, bool check = true) {
    const auto r = test::run_shell(
        "cd '" + m_dir.path().string() +
        "' && export GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@example.com GIT_COMMITTER_NAME=t "
        "GIT_COMMITTER_EMAIL=t@example.com && " +
        command + " 2>&1");
    if (check) {
      EXPECT_EQ(r.exit_code, 0) << command << "\n" << r.out;
    }
    return r;
  }

  // Runs the action's `run` step in `repo` with `inputs` (VAR=value ...), as the runner would.
  test::ShellResult run_step(const std::string& repo, const std::string& inputs) {
    return sh("cd " + repo + " && env GITHUB_OUTPUT=../output GITHUB_STEP_SUMMARY=../summary " +
                  "GITHUB_ACTION_PATH='" + k_source + "' MIGLINT_BIN='" + MIGLINT_BINARY + "' " +
                  inputs + " bash '" + k_source + "/ci/action.sh' run",
              false);
  }

  TempDir m_dir;
  std::string m_base;
};

TEST_F(ActionRun, AnnotatesWritesSarifSummaryAndOutputs) {
  const auto r = run_step("upstream", "MIGLINT_DIFF_BASE=" + m_base);
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_NE(r.out.find("::error file=migrations/versions/b2_email.py,line=10,"), std::string::npos)
      << r.out;
  EXPECT_EQ(r.out.find("a1_users.py"), std::string::npos) << "main's revision is unchanged";
  const std::string outputs = read(m_dir.path() / "output");
  EXPECT_NE(outputs.find("sarif-file=miglint.sarif\n"), std::string::npos) << outputs;
  EXPECT_NE(outputs.find("findings=1\n"), std::string::npos) << outputs;
  EXPECT_NE(outputs.find("exit-code=1\n"), std::string::npos) << outputs;
  EXPECT_NE(read(m_dir.path() / "summary").find("b2"), std::string::npos);
  const auto gate = test::run_shell("/usr/bin/python3 '" + k_source + "/ci/sarif_gate.py' '" +
                                    (m_dir.path() / "upstream/miglint.sarif").string() + "' 2>&1");
  EXPECT_EQ(gate.exit_code, 0) << gate.out;
  // fail-on never: the same findings, a green step.
  EXPECT_EQ(run_step("upstream", "MIGLINT_FAIL_ON=never MIGLINT_DIFF_BASE=" + m_base).exit_code, 0);
}

TEST_F(ActionRun, ShallowCloneGetsTheHistoryItNeeds) {
  sh("git clone -q --depth 1 --branch feature file://$PWD/upstream clone");
  ASSERT_EQ(sh("cd clone && git rev-parse --is-shallow-repository").out, "true\n");
  const auto r = run_step("clone", "MIGLINT_PATHS=alembic.ini MIGLINT_DIFF_BASE=" + m_base);
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_NE(r.out.find("::error file=migrations/versions/b2_email.py"), std::string::npos) << r.out;
  EXPECT_NE(read(m_dir.path() / "output").find("findings=1\n"), std::string::npos);
}

TEST_F(ActionRun, BadInputsAreUsageErrors) {
  auto r = run_step("upstream", "MIGLINT_ROUND_TRIP=yes");
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_NE(r.out.find("round-trip must be true or false"), std::string::npos) << r.out;
  r = run_step("upstream", "MIGLINT_FAIL_ON=sometimes");
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_NE(read(m_dir.path() / "output").find("exit-code=2\n"), std::string::npos);
}

TEST_F(ActionRun, RoundTripOnTheChangedRevision) {
  const auto r = run_step("upstream", "MIGLINT_ROUND_TRIP=true MIGLINT_FAIL_ON=never "
                                      "MIGLINT_PYTHON=/usr/bin/python3 MIGLINT_DIFF_BASE=" +
                                          m_base);
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("round-trip stepped 1 migration\n"), std::string::npos) << r.out;
}

// with-data and stats-url: the rows reach the round-trip, and the statistics URL (a secret) reaches
// miglint through its environment only: not on its command line, not in any output.
TEST_F(ActionRun, WithDataAndStatsUrl) {
  roundtrip::ServerOptions options;
  options.provider = "local";
  auto started = roundtrip::start_server(options);
  ASSERT_TRUE(started.server) << started.error;
  {
    pqxx::connection c(started.server->conninfo());
    pqxx::nontransaction n(c);
    n.exec("CREATE TABLE users (id int PRIMARY KEY)");
    n.exec("INSERT INTO users SELECT generate_series(1, 5000)");
    n.exec("ANALYZE users");
    n.exec("CREATE ROLE reader LOGIN PASSWORD 'pw-9f3e1c' IN ROLE pg_read_all_stats");
    n.exec("ALTER ROLE reader SET default_transaction_read_only = on");
  }
  const std::string conninfo = started.server->conninfo();
  const auto at = conninfo.find("host='") + 6;
  const std::string url = "postgresql://reader:pw-9f3e1c@/" + started.server->database() +
                          "?host=" + conninfo.substr(at, conninfo.find('\'', at) - at);
  // The binary behind a wrapper that records its command line and whether the URL is in its
  // environment.
  m_dir.write("wrapper.sh", "#!/bin/sh\nprintf '%s\\n' \"$@\" > \"$(dirname \"$0\")/argv\"\n"
                            "[ -n \"$MIGLINT_STATS_URL\" ] && echo env-has-url >> "
                            "\"$(dirname \"$0\")/argv\"\nexec '" +
                                std::string(MIGLINT_BINARY) + "' \"$@\"\n");
  sh("chmod +x wrapper.sh");
  auto step = [&](const std::string& inputs) {
    return sh("cd upstream && env GITHUB_OUTPUT=../output GITHUB_STEP_SUMMARY=../summary "
              "GITHUB_ACTION_PATH='" +
                  k_source + "' MIGLINT_BIN=../wrapper.sh MIGLINT_FAIL_ON=never " +
                  "MIGLINT_PYTHON=/usr/bin/python3 MIGLINT_DIFF_BASE=" + m_base + " " + inputs +
                  " bash '" + k_source + "/ci/action.sh' run",
              false);
  };
  auto r = step("MIGLINT_WITH_DATA=40 MIGLINT_STATS_URL='" + url + "'");
  EXPECT_EQ(r.exit_code, 0) << r.out;
  std::string argv = read(m_dir.path() / "argv");
  EXPECT_NE(argv.find("\n--with-data=40\n"), std::string::npos) << argv;
  EXPECT_NE(argv.find("env-has-url"), std::string::npos) << argv;
  EXPECT_EQ(argv.find("pw-9f3e1c"), std::string::npos) << argv;
  EXPECT_EQ(argv.find("--stats-url"), std::string::npos) << argv;
  // The rows: the NOT NULL column without a default fails on them (an error with data only).
  EXPECT_NE(r.out.find("round-trip stepped 1 migration"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("roundtrip-fails-with-data"), std::string::npos) << r.out;
  // The statistics: users' size in the annotations, the summary and SARIF.
  EXPECT_NE(r.out.find("`public.users` has ≈5,000 rows"), std::string::npos) << r.out;
  const std::string summary = read(m_dir.path() / "summary");
  EXPECT_NE(summary.find("| public.users | ≈5,000 |"), std::string::npos) << summary;
  const std::string sarif = read(m_dir.path() / "upstream/miglint.sarif");
  EXPECT_NE(sarif.find("\"relation\": \"public.users\""), std::string::npos);
  for (const auto& text : {r.out, summary, sarif, read(m_dir.path() / "output")}) {
    EXPECT_EQ(text.find("pw-9f3e1c"), std::string::npos) << text;
  }
  // true: the default rows; false or empty: none (and no round-trip unless asked).
  r = step("MIGLINT_WITH_DATA=true");
  EXPECT_EQ(r.exit_code, 0) << r.out;
  argv = read(m_dir.path() / "argv");
  EXPECT_NE(argv.find("\n--with-data\n"), std::string::npos) << argv;
  EXPECT_EQ(argv.find("env-has-url"), std::string::npos) << argv;
  r = step("MIGLINT_WITH_DATA=false MIGLINT_STATS_URL=");
  EXPECT_EQ(r.exit_code, 0) << r.out;
  argv = read(m_dir.path() / "argv");
  EXPECT_EQ(argv.find("--with-data"), std::string::npos) << argv;
  EXPECT_EQ(argv.find("env-has-url"), std::string::npos) << argv;
  EXPECT_EQ(r.out.find("round-trip"), std::string::npos) << r.out;
  r = step("MIGLINT_WITH_DATA=lots");
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_NE(r.out.find("with-data must be true, false or a number of rows"), std::string::npos)
      << r.out;
}

} // namespace
} // namespace miglint
