// The rule catalog as a whole: every rule has a doc, every doc a producer, every example
// behaves as documented (after eugene's every_lint_has_an_example_migration).

#include "lint/catalog.hpp"
#include "lint/rule.hpp"
#include "test_support.hpp"

#include <gtest/gtest.h>

#include <set>

namespace miglint {
namespace {

// Rules reported by the pipeline itself rather than by a class in src/rules/.
const std::set<std::string> k_engine_rules = {"input-error", "invalid-ignore-comment",
                                              "sql-syntax-error"};

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
  for (const auto& rule : lint::make_all_rules()) {
    ids.insert(std::string(rule->id()));
  }
  for (const auto& doc : lint::rule_docs()) {
    EXPECT_TRUE(ids.contains(doc.id)) << "rules/" << doc.id << ".md documents no rule";
  }
}

TEST(Catalog, ParsesFrontMatterAndExamples) {
  const auto doc =
      lint::parse_rule_doc("x", "---\nid: x\nseverity: error\nsummary: S.\nhelp: H.\n"
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
  EXPECT_FALSE(lint::parse_rule_doc("x", "---\nid: y\nsummary: s\nhelp: h\n---\n").errors.empty());
  EXPECT_FALSE(lint::parse_rule_doc("x", "---\nid: x\nseverity: fatal\nsummary: s\nhelp: h\n---\n")
                   .errors.empty());
  EXPECT_FALSE(lint::parse_rule_doc("x", "---\nid: x\nsummary: s\n").errors.empty());
}

class CatalogExamples : public ::testing::TestWithParam<std::string> {};

TEST_P(CatalogExamples, BadExamplesFireAndGoodOnesDoNot) {
  const lint::RuleDoc* doc = lint::find_rule_doc(GetParam());
  ASSERT_NE(doc, nullptr);
  ASSERT_FALSE(doc->bad_examples.empty()) << doc->id << " has no ```sql bad example";
  ASSERT_FALSE(doc->good_examples.empty()) << doc->id << " has no ```sql good example";
  for (const auto& sql : doc->bad_examples) {
    EXPECT_GE(test::count_rule(test::lint_sql(sql), doc->id), 1u) << "bad example:\n" << sql;
  }
  for (const auto& sql : doc->good_examples) {
    EXPECT_EQ(test::count_rule(test::lint_sql(sql), doc->id), 0u) << "good example:\n" << sql;
  }
}

std::vector<std::string> all_ids() {
  std::vector<std::string> ids;
  for (const auto& doc : lint::rule_docs()) {
    if (doc.id != "input-error") { // about files, not SQL: covered by discover_test
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
