// The rule catalog as a whole: every rule has a doc, every doc a producer, every example
// behaves as documented (after eugene's every_lint_has_an_example_migration).

#include "lint/catalog.hpp"
#include "lint/rule.hpp"
#include "source/discover.hpp"
#include "test_support.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <set>

namespace miglint {
namespace {

// Rules reported by the pipeline itself rather than by a class in src/rules/.
const std::set<std::string> k_engine_rules = {"drop-constraint-without-name",
                                              "duplicate-revision",
                                              "input-error",
                                              "invalid-ignore-comment",
                                              "missing-down-revision",
                                              "multiple-heads",
                                              "revision-cycle",
                                              "sql-syntax-error",
                                              "unanalyzable-code"};

// Rules of `check --round-trip`: tested against a real PostgreSQL in roundtrip_test.cpp.
const std::set<std::string> k_round_trip_rules = {
    "dangerous-lock-observed",     "downgrade-leaves-trace",   "roundtrip-builtin-env",
    "roundtrip-downgrade-failed",  "roundtrip-env-failed",     "roundtrip-import-failed",
    "roundtrip-downgrade-skipped", "roundtrip-upgrade-failed", "table-rewrite-observed",
    "upgrade-not-repeatable"};

// Lints Python examples as an Alembic versions directory (`# file: x.py` lines split files).
std::vector<core::Finding> lint_python(const std::string& example, const std::string& rule) {
  test::TempDir dir;
  std::string name = "example.py";
  std::string text;
  auto flush = [&] {
    if (!text.empty()) {
      dir.write("versions/" + name, text);
    }
    text.clear();
  };
  size_t pos = 0;
  while (pos < example.size()) {
    size_t eol = example.find('\n', pos);
    size_t next = eol == std::string::npos ? example.size() : eol + 1;
    const std::string line = example.substr(pos, next - pos);
    if (line.rfind("# file: ", 0) == 0) {
      flush();
      name = line.substr(8, line.find_last_not_of("\r\n") - 7);
    } else {
      text += line;
    }
    pos = next;
  }
  flush();
  return test::discover_and_lint({(dir.path() / "versions").string()}, true, {rule}).findings;
}

TEST(Catalog, DocsParseWithoutErrors) {
  ASSERT_FALSE(lint::rule_docs().empty());
  for (const auto& doc : lint::rule_docs()) {
    EXPECT_TRUE(doc.errors.empty()) << doc.id << ": " << (doc.errors.empty() ? "" : doc.errors[0]);
    EXPECT_NE(doc.body.find("## Rationale"), std::string::npos) << doc.id;
    EXPECT_NE(doc.body.find("## Safe alternative"), std::string::npos) << doc.id;
    EXPECT_NE(doc.body.find("### Alembic"), std::string::npos) << doc.id;
  }
}

TEST(Catalog, EveryRuleHasADocAndIdsAreUnique) {
  std::set<std::string> ids;
  for (const auto& rule : lint::make_all_rules()) {
    const std::string id(rule->id());
    EXPECT_TRUE(ids.insert(id).second) << "duplicate rule id " << id;
    EXPECT_NE(lint::find_rule_doc(id), nullptr) << id << " has no rules/" << id << ".md";
  }
}

TEST(Catalog, EveryDocHasARule) {
  std::set<std::string> ids(k_engine_rules);
  ids.insert(k_round_trip_rules.begin(), k_round_trip_rules.end());
  for (const auto& rule : lint::make_all_rules()) {
    ids.insert(std::string(rule->id()));
  }
  for (const auto& doc : lint::rule_docs()) {
    EXPECT_TRUE(ids.contains(doc.id)) << "rules/" << doc.id << ".md documents no rule";
  }
}

TEST(Catalog, ReadmeListsEveryRule) {
  std::ifstream in(std::string(MIGLINT_SOURCE_DIR) + "/README.md");
  const std::string readme((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  for (const auto& doc : lint::rule_docs()) {
    EXPECT_NE(readme.find("| [`" + doc.id + "`](rules/" + doc.id + ".md) | " +
                          std::string(core::to_string(doc.severity)) + " | " + doc.summary + " |"),
              std::string::npos)
        << doc.id << ": regenerate the table with `miglint rules --format markdown`";
  }
}

TEST(Catalog, ParsesFrontMatterAndExamples) {
  const auto doc =
      lint::parse_rule_doc("x", "---\nid: x\nseverity: error\nkind: static\nsummary: S.\nhelp: H.\n"
                                "---\n# x\n```sql bad\nA;\n```\n```sql good\nB;\n```\n");
  EXPECT_TRUE(doc.errors.empty());
  EXPECT_EQ(doc.severity, core::Severity::Error);
  EXPECT_EQ(doc.summary, "S.");
  ASSERT_EQ(doc.bad_examples.size(), 1u);
  EXPECT_EQ(doc.bad_examples[0], "A;\n");
  ASSERT_EQ(doc.good_examples.size(), 1u);
}

TEST(Catalog, ReportsBrokenDocs) {
  EXPECT_FALSE(lint::parse_rule_doc("x", "no front matter").errors.empty());
  EXPECT_FALSE(lint::parse_rule_doc("x", "---\nid: x\nseverity: error\nkind: static\n"
                                         "summary: S.\nhelp: H.\ntags: locks, shiny\n---\n")
                   .errors.empty());
  EXPECT_FALSE(lint::parse_rule_doc("x", "---\nid: x\nseverity: error\nkind: lint\n"
                                         "summary: S.\nhelp: H.\n---\n")
                   .errors.empty());
  EXPECT_FALSE(
      lint::parse_rule_doc("x", "---\nid: x\nseverity: error\nsummary: S.\nhelp: H.\n---\n")
          .errors.empty()); // kind is required
  const auto doc = lint::parse_rule_doc("x", "---\nid: x\nseverity: error\nkind: round-trip\n"
                                             "summary: S.\nhelp: H.\ntags: locks, style\n"
                                             "enabled: false\n---\n");
  EXPECT_TRUE(doc.errors.empty());
  EXPECT_EQ(doc.kind, lint::RuleKind::RoundTrip);
  EXPECT_TRUE(doc.has_tag("locks"));
  EXPECT_TRUE(doc.has_tag("style"));
  EXPECT_FALSE(doc.enabled);
  EXPECT_TRUE(lint::find_rule_doc("set-not-null")->has_tag("locks"));
  EXPECT_FALSE(lint::find_rule_doc("drop-table")->has_tag("locks"));
  EXPECT_EQ(lint::find_rule_doc("multiple-heads")->kind, lint::RuleKind::Graph);
  EXPECT_FALSE(lint::parse_rule_doc("x", "---\nid: y\nsummary: s\nhelp: h\n---\n").errors.empty());
  EXPECT_FALSE(lint::parse_rule_doc("x", "---\nid: x\nseverity: fatal\nsummary: s\nhelp: h\n---\n")
                   .errors.empty());
  EXPECT_FALSE(lint::parse_rule_doc("x", "---\nid: x\nsummary: s\n").errors.empty());
}

class CatalogExamples : public ::testing::TestWithParam<std::string> {};

TEST_P(CatalogExamples, BadExamplesFireAndGoodOnesDoNot) {
  const lint::RuleDoc* doc = lint::find_rule_doc(GetParam());
  ASSERT_NE(doc, nullptr);
  ASSERT_FALSE(doc->bad_examples.empty() && doc->bad_python.empty())
      << doc->id << " has no bad example";
  ASSERT_FALSE(doc->good_examples.empty() && doc->good_python.empty())
      << doc->id << " has no good example";
  // Rules off by default (the style group) are selected for their own examples.
  auto lint = [&](const std::string& sql) {
    return test::lint_sql(sql, 15, source::TxMode::PerScript, {doc->id});
  };
  for (const auto& sql : doc->bad_examples) {
    EXPECT_GE(test::count_rule(lint(sql), doc->id), 1u) << "bad example:\n" << sql;
  }
  for (const auto& sql : doc->good_examples) {
    EXPECT_EQ(test::count_rule(lint(sql), doc->id), 0u) << "good example:\n" << sql;
  }
  for (const auto& py : doc->bad_python) {
    EXPECT_GE(test::count_rule(lint_python(py, doc->id), doc->id), 1u) << "bad example:\n" << py;
  }
  for (const auto& py : doc->good_python) {
    EXPECT_EQ(test::count_rule(lint_python(py, doc->id), doc->id), 0u) << "good example:\n" << py;
  }
}

std::vector<std::string> all_ids() {
  std::vector<std::string> ids;
  for (const auto& doc : lint::rule_docs()) {
    // input-error is about files (discover_test); round-trip rules need a server (roundtrip_test).
    if (doc.id != "input-error" && !k_round_trip_rules.contains(doc.id)) {
      ids.push_back(doc.id);
    }
  }
  return ids;
}

std::string test_name(const ::testing::TestParamInfo<std::string>& param) {
  std::string name = param.param;
  std::replace(name.begin(), name.end(), '-', '_');
  return name;
}

INSTANTIATE_TEST_SUITE_P(AllRules, CatalogExamples, ::testing::ValuesIn(all_ids()), test_name);

} // namespace
} // namespace miglint
