#include "report/reporter.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <sstream>

namespace miglint::report {
namespace {

core::Finding finding(const std::string& path, const std::string& text, uint32_t begin,
                      uint32_t end) {
  core::Finding f;
  f.rule = "drop-column";
  f.severity = core::Severity::Warning;
  f.message = "say \"hi\"\\ \n\t\x01 é";
  f.help = "help";
  f.location = {std::make_shared<core::SourceFile>(path, text), begin, end};
  f.migration = "0001";
  f.phase = core::Phase::Downgrade;
  f.statement = text.substr(begin, end - begin);
  return f;
}

TEST(JsonReport, EscapesAndParses) {
  Report r;
  r.findings.push_back(finding("dir with space/ü.sql", "SELECT 1;\nDROP \xff\xfe x;", 10, 22));
  r.migrations = 1;
  r.files = 1;
  std::ostringstream out;
  write_json(out, r);
  const auto doc = nlohmann::json::parse(out.str());
  const auto& f = doc["findings"][0];
  EXPECT_EQ(f["message"], "say \"hi\"\\ \n\t\x01 é");
  EXPECT_EQ(f["file"], "dir with space/ü.sql");
  EXPECT_EQ(f["statement"], "DROP \xEF\xBF\xBD\xEF\xBF\xBD x;"); // invalid bytes become U+FFFD
  EXPECT_EQ(f["line"], 2);
  EXPECT_EQ(f["column"], 1);
  EXPECT_EQ(f["end_line"], 2);
  EXPECT_EQ(f["end_column"], 11); // 10 code points: invalid bytes count one each
  EXPECT_EQ(f["phase"], "downgrade");
  EXPECT_EQ(doc["summary"]["warnings"], 1);
}

TEST(JsonReport, EmptyReportIsValid) {
  std::ostringstream out;
  write_json(out, Report{});
  const auto doc = nlohmann::json::parse(out.str());
  EXPECT_TRUE(doc["findings"].empty());
  EXPECT_EQ(doc["summary"]["errors"], 0);
}

TEST(JsonReport, RejectsOverlongAndSurrogateSequences) {
  Report r;
  r.findings.push_back(finding("a.sql", "x\xC0\xAF\xED\xA0\x80y", 0, 7));
  std::ostringstream out;
  write_json(out, r);
  const auto doc = nlohmann::json::parse(out.str());
  EXPECT_EQ(doc["findings"][0]["statement"],
            "x\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBDy");
}

TEST(TextReport, FormatAndSummary) {
  Report r;
  r.findings.push_back(finding("a.sql", "SELECT 1;\nDROP x;", 10, 17));
  r.migrations = 3;
  r.files = 2;
  std::ostringstream out;
  write_text(out, r, false);
  EXPECT_EQ(out.str().substr(0, 30), "a.sql:2:1: warning[drop-column");
  EXPECT_NE(out.str().find("\n  help: help\n"), std::string::npos);
  EXPECT_NE(out.str().find("0 errors, 1 warning, 0 infos in 3 migrations (2 files)"),
            std::string::npos);
  std::ostringstream colored;
  write_text(colored, r, true);
  EXPECT_NE(colored.str().find("\033[1;33mwarning"), std::string::npos);
}

// Reporters take categories from the rules' metadata, not from their ids: a round-trip rule
// counts as a round-trip problem unless it is a lock observation (tagged `locks`) or a notice;
// SARIF's tags follow the kind and tags, its full description the rationale.
TEST(SummaryReport, RoundTripProblemsFromRuleKinds) {
  Report r;
  r.round_trip = true;
  r.round_trip_stepped = 2;
  r.rules = {{.id = "made-up-failure", .severity = core::Severity::Error, .kind = "round-trip"},
             {.id = "made-up-observed",
              .severity = core::Severity::Warning,
              .kind = "round-trip",
              .tags = {"locks"}},
             {.id = "made-up-notice", .severity = core::Severity::Info, .kind = "round-trip"},
             {.id = "drop-column", .severity = core::Severity::Warning, .kind = "static"}};
  for (const auto* id : {"made-up-failure", "made-up-observed", "made-up-notice", "drop-column"}) {
    auto f = finding("a.sql", "SELECT 1;", 0, 8);
    f.rule = id;
    f.severity = r.rule(id)->severity;
    r.findings.push_back(f);
  }
  std::ostringstream out;
  write_summary(out, r);
  EXPECT_NE(out.str().find("applied again; 1 problem found."), std::string::npos) << out.str();
  r.findings.erase(r.findings.begin());
  std::ostringstream clean;
  write_summary(clean, r);
  EXPECT_NE(clean.str().find("every downgrade restored the schema."), std::string::npos)
      << clean.str();
}

TEST(SarifReport, TagsAndDescriptionFromRuleInfo) {
  Report r;
  r.rules = {{.id = "a-graph-rule",
              .summary = "S.",
              .kind = "graph",
              .tags = {"alembic"},
              .rationale = "Why it matters."},
             {.id = "a-round-trip-rule", .summary = "T.", .kind = "round-trip"},
             {.id = "a-style-rule", .summary = "U.", .tags = {"style"}, .enabled = false}};
  std::ostringstream out;
  write_sarif(out, r);
  const auto doc = nlohmann::json::parse(out.str());
  const auto& rules = doc["runs"][0]["tool"]["driver"]["rules"];
  ASSERT_EQ(rules.size(), 3u);
  using tags = std::vector<std::string>;
  EXPECT_EQ(rules[0]["properties"]["tags"].get<tags>(),
            (tags{"postgresql", "migrations", "alembic"}));
  EXPECT_EQ(rules[0]["fullDescription"]["text"], "S. Why it matters.");
  EXPECT_EQ(rules[1]["properties"]["tags"].get<tags>(),
            (tags{"postgresql", "migrations", "round-trip"}));
  EXPECT_EQ(rules[1]["fullDescription"]["text"], "T.");
  EXPECT_EQ(rules[2]["properties"]["tags"].get<tags>(),
            (tags{"postgresql", "migrations", "style"}));
}

} // namespace
} // namespace miglint::report
