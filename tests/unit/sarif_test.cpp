// SARIF for GitHub code scanning and the GitHub annotations/summary: real output of the binary,
// validated against the SARIF schema and the SARIF Multitool's GitHub ingestion rules
// (ci/sarif_gate.py; the tool is installed by ci/setup.sh into tests/tools).

#include "test_support.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>

namespace miglint {
namespace {

using test::TempDir;

std::string read(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

test::ShellResult miglint(const std::string& args, const std::filesystem::path& cwd) {
  return test::run_shell("cd '" + cwd.string() + "' && '" + std::string(MIGLINT_BINARY) + "' " +
                         args + " 2>/dev/null");
}

// Runs the gate; returns its output, and expects it to pass.
void expect_valid(const std::filesystem::path& sarif) {
  const auto gate = test::run_shell("/usr/bin/python3 '" + std::string(MIGLINT_SOURCE_DIR) +
                                    "/ci/sarif_gate.py' '" + sarif.string() + "' 2>&1");
  EXPECT_EQ(gate.exit_code, 0) << sarif << " is not valid for GitHub:\n" << gate.out;
}

class Sarif : public ::testing::Test {
protected:
  void SetUp() override {
    m_dir.write("repo/db migrations/0001_añadir.up.sql",
                "ALTER TABLE pedidós ADD COLUMN número int NOT NULL;\n");
    m_dir.write("repo/db migrations/0002_x.up.sql",
                "SET lock_timeout = '1s';\nDROP TABLE viejo;\n");
    m_dir.write("repo/bad.sql", "ALTER TABEL x;\n");
  }
  std::filesystem::path repo() const { return m_dir.path() / "repo"; }
  TempDir m_dir;
};

TEST_F(Sarif, LintFindingsAreValidForGitHub) {
  const auto r = miglint("check --format sarif -o out.sarif 'db migrations' bad.sql", repo());
  EXPECT_EQ(r.exit_code, 1);
  expect_valid(repo() / "out.sarif");
  const auto doc = nlohmann::json::parse(read(repo() / "out.sarif"));
  ASSERT_EQ(doc["runs"].size(), 1u);
  const auto& run = doc["runs"][0];
  EXPECT_EQ(run["tool"]["driver"]["name"], "miglint");
  EXPECT_GE(run["tool"]["driver"]["rules"].size(), 38u); // the whole catalog
  EXPECT_EQ(run["columnKind"], "unicodeCodePoints");
  EXPECT_FALSE(run.contains("automationDetails"));
  std::set<std::string> uris;
  for (const auto& res : run["results"]) {
    const auto& loc = res["locations"][0]["physicalLocation"];
    uris.insert(loc["artifactLocation"]["uri"].get<std::string>());
    EXPECT_EQ(loc["artifactLocation"]["uriBaseId"], "%SRCROOT%");
    EXPECT_EQ(run["tool"]["driver"]["rules"][res["ruleIndex"].get<size_t>()]["id"], res["ruleId"]);
    for (const char* k : {"startLine", "startColumn", "endLine", "endColumn"}) {
      EXPECT_TRUE(loc["region"].contains(k)) << k;
    }
  }
  EXPECT_TRUE(uris.contains("db%20migrations/0001_a%C3%B1adir.up.sql"));
  EXPECT_TRUE(uris.contains("bad.sql"));
  // Columns count code points: `número` starts at column 32 (byte 33, after the 2-byte ó).
  for (const auto& res : run["results"]) {
    if (res["ruleId"] == "add-column-not-null-no-default") {
      EXPECT_EQ(res["locations"][0]["physicalLocation"]["region"]["startColumn"], 32);
      EXPECT_EQ(res["level"], "error");
      EXPECT_EQ(res["properties"]["migration"], "0001");
    }
  }
  // Same input, same bytes.
  miglint("check --format sarif -o again.sarif 'db migrations' bad.sql", repo());
  EXPECT_EQ(read(repo() / "out.sarif"), read(repo() / "again.sarif"));
}

TEST_F(Sarif, AlembicAndRoundTripFindingsAreValidForGitHub) {
  // Run from the source tree (for its relative URIs), written outside it.
  const auto path = m_dir.path() / "rt.sarif";
  const auto r = miglint("check --round-trip --format sarif -o '" + path.string() + "' migrations",
                         MIGLINT_SOURCE_DIR "/.");
  EXPECT_EQ(r.exit_code, 1);
  expect_valid(path);
  const auto doc = nlohmann::json::parse(read(path));
  std::set<std::string> rules;
  for (const auto& res : doc["runs"][0]["results"]) {
    rules.insert(res["ruleId"].get<std::string>());
    const std::string uri = res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"];
    EXPECT_EQ(uri.rfind("migrations/versions/", 0), 0u) << uri;
  }
  EXPECT_TRUE(rules.contains("downgrade-leaves-trace"));
  EXPECT_TRUE(rules.contains("rename-as-drop-add"));
}

TEST_F(Sarif, GithubAnnotationsAreEscapedAndCapped) {
  for (int i = 0; i < 12; ++i) {
    m_dir.write("repo/many/00" + std::to_string(10 + i) + "_x.up.sql",
                "SET lock_timeout = '1s';\nDROP TABLE t" + std::to_string(i) + ";\n");
  }
  m_dir.write("repo/odd/0001_a,b:c.up.sql", "ALTER TABLE t ADD COLUMN c int NOT NULL;\n");
  const auto r = miglint("check --format github many odd", repo());
  std::vector<std::string> lines;
  std::istringstream in(r.out);
  for (std::string line; std::getline(in, line);) {
    lines.push_back(line);
  }
  size_t warnings = 0;
  bool odd = false;
  bool more = false;
  for (const auto& l : lines) {
    warnings += l.rfind("::warning ", 0) == 0 ? 1 : 0;
    odd |=
        l.rfind("::error file=odd/0001_a%2Cb%3Ac.up.sql,line=1,endLine=1,col=", 0) == 0 &&
        l.find("title=miglint add-column-not-null-no-default::column `t.c`") != std::string::npos &&
        l.find("%0Ahelp: ") != std::string::npos;
    // 12 dropped tables and the odd file's missing lock timeout: 13 warnings, 10 shown.
    more |= l.rfind("::notice title=miglint::3 more warnings", 0) == 0;
  }
  EXPECT_EQ(warnings, 10u) << r.out;
  EXPECT_TRUE(odd) << r.out;
  EXPECT_TRUE(more) << r.out;
}

TEST_F(Sarif, JobSummary) {
  const auto summary = m_dir.path() / "summary.md";
  const auto r =
      test::run_shell("cd '" + repo().string() + "' && GITHUB_STEP_SUMMARY='" + summary.string() +
                      "' '" + MIGLINT_BINARY + "' check 'db migrations' >/dev/null 2>&1");
  EXPECT_EQ(r.exit_code, 1);
  const std::string md = read(summary);
  EXPECT_NE(md.find("## miglint"), std::string::npos) << md;
  EXPECT_NE(md.find("### 0001"), std::string::npos) << md;
  EXPECT_NE(
      md.find("| error | `add-column-not-null-no-default` | db migrations/0001_añadir.up.sql:1 |"),
      std::string::npos)
      << md;
  const auto explicit_file = m_dir.path() / "s2.md";
  miglint("check --summary '" + explicit_file.string() + "' 'db migrations'", repo());
  EXPECT_NE(read(explicit_file).find("### 0002"), std::string::npos);
}

// Findings other linters' markers cover are left out and counted, in every format; the
// configuration turns the markers off.
TEST(ForeignMarkersReport, CountedInTextJsonAndSarif) {
  TempDir dir;
  dir.write("db/0001_x.up.sql", "SET lock_timeout = '1s';\n"
                                "-- atlas:nolint DS103\n"
                                "ALTER TABLE a DROP COLUMN x;\n"
                                "-- squawk-ignore ban-drop-table\n"
                                "DROP TABLE b;\n"
                                "ALTER TABLE c DROP COLUMN x;\n");
  const auto text = miglint("check --no-config db", dir.path());
  EXPECT_NE(text.out.find("; 2 findings left out under other linters' reviewed markers"),
            std::string::npos)
      << text.out;
  miglint("check --no-config --format json -o out.json db", dir.path());
  const auto json = nlohmann::json::parse(read(dir.path() / "out.json"));
  EXPECT_EQ(json["summary"]["honoured_markers"], 2);
  EXPECT_EQ(json["findings"].size(), 1u);
  miglint("check --no-config --format sarif -o out.sarif db", dir.path());
  expect_valid(dir.path() / "out.sarif");
  const auto sarif = nlohmann::json::parse(read(dir.path() / "out.sarif"));
  EXPECT_EQ(sarif["runs"][0]["properties"]["honouredMarkers"], 2);

  dir.write("miglint.toml", "foreign-markers = false\n");
  miglint("check --format json -o off.json db", dir.path());
  const auto off = nlohmann::json::parse(read(dir.path() / "off.json"));
  EXPECT_EQ(off["summary"]["honoured_markers"], 0);
  EXPECT_EQ(off["findings"].size(), 3u);
}

} // namespace
} // namespace miglint
