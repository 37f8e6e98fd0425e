// The rule catalog as a whole: every rule has a doc, every doc a producer, every example
// behaves as documented (after eugene's every_lint_has_an_example_migration).

#include "discover/discover.hpp"
#include "lint/catalog.hpp"
#include "lint/rule.hpp"
#include "test_support.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <set>

namespace miglint {
namespace {

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

// A static rule is a class in src/rules/; the other kinds are reported by the pipeline itself
// (reading revisions, the graph, the round-trip, input handling), and no rule class claims them.
TEST(Catalog, EveryStaticDocHasARuleAndNoOtherDoes) {
  std::set<std::string> classes;
  for (const auto& rule : lint::make_all_rules()) {
    classes.insert(std::string(rule->id()));
  }
  for (const auto& doc : lint::rule_docs()) {
    EXPECT_EQ(classes.contains(doc.id), doc.kind == lint::RuleKind::Static)
        << "rules/" << doc.id << ".md says kind: " << lint::to_string(doc.kind);
  }
}

// The README's rule table is exactly what `miglint rules --format markdown` writes.
TEST(Catalog, ReadmeTableIsCurrent) {
  std::ifstream in(std::string(MIGLINT_SOURCE_DIR) + "/README.md");
  const std::string readme((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::string begin = "<!-- rules:begin -->\n";
  const auto from = readme.find(begin);
  const auto to = readme.find("<!-- rules:end -->");
  ASSERT_NE(from, std::string::npos);
  ASSERT_NE(to, std::string::npos);
  EXPECT_EQ(readme.substr(from + begin.size(), to - from - begin.size()),
            lint::rule_table_markdown())
      << "regenerate the table with `miglint rules --format markdown` (ci/new-rule does it)";
  // The same table from the docs on disk (what `--rules-dir` reads) as from those compiled in.
  EXPECT_EQ(
      lint::rule_table_markdown(lint::read_rule_docs(std::string(MIGLINT_SOURCE_DIR) + "/rules")),
      lint::rule_table_markdown());
}

TEST(Catalog, TableMarksRulesOffByDefault) {
  const auto on = lint::parse_rule_doc("a", "---\nid: a\nseverity: info\nkind: static\n"
                                            "summary: S.\nhelp: H.\n---\n");
  const auto off = lint::parse_rule_doc("b", "---\nid: b\nseverity: warning\nkind: static\n"
                                             "tags: style\nenabled: false\nsummary: T.\n"
                                             "help: H.\n---\n");
  EXPECT_EQ(lint::rule_table_markdown({on, off}),
            "| rule | severity | what it flags |\n|---|---|---|\n"
            "| [`a`](rules/a.md) | info | S. |\n"
            "| [`b`](rules/b.md) | warning, off by default | T. |\n");
}

TEST(Catalog, SectionsAndRationale) {
  const auto doc = lint::parse_rule_doc(
      "x", "---\nid: x\nseverity: error\nkind: static\nsummary: S.\nhelp: H.\n---\n# x\n\n"
           "## Rationale\n\nFirst line\nsecond line.\n\nMore.\n### Detail\nD.\n\n"
           "## Safe alternative\nDo this.\n");
  EXPECT_TRUE(doc.errors.empty());
  EXPECT_EQ(doc.section("Rationale"), "First line\nsecond line.\n\nMore.\n### Detail\nD.\n");
  EXPECT_EQ(doc.section("Safe alternative"), "Do this.\n");
  EXPECT_EQ(doc.section("Examples"), "");
  EXPECT_EQ(doc.rationale, "First line second line.");
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

TEST(Catalog, KindAndTags) {
  const auto doc =
      lint::parse_rule_doc("x", "---\nid: x\nseverity: info\nkind: round-trip\n"
                                "summary: S.\nhelp: H.\ntags: data-loss, style\n---\n");
  EXPECT_TRUE(doc.errors.empty()) << doc.errors.front();
  EXPECT_EQ(doc.kind, lint::RuleKind::RoundTrip);
  EXPECT_EQ(doc.tags, (std::vector<std::string>{"data-loss", "style"}));
  EXPECT_TRUE(doc.has_tag("data-loss"));
  EXPECT_FALSE(doc.has_tag("locks"));
  EXPECT_FALSE(lint::parse_rule_doc("x", "---\nid: x\nkind: dynamic\nsummary: s\nhelp: h\n---\n")
                   .errors.empty());
  // The drop rules and their observation take observed data loss.
  EXPECT_TRUE(lint::find_rule_doc("set-not-null")->has_tag("locks"));
  for (const char* id : {"drop-column", "drop-table", "rename-as-drop-add", "data-loss-observed"}) {
    EXPECT_TRUE(lint::find_rule_doc(id)->has_tag("data-loss")) << id;
  }
  EXPECT_EQ(lint::find_rule_doc("roundtrip-fails-with-data")->kind, lint::RuleKind::RoundTrip);
}

TEST(Catalog, SubsumedRulesExist) {
  EXPECT_EQ(lint::find_rule_doc("rename-as-drop-add")->subsumes,
            (std::vector<std::string>{"drop-column", "drop-table"}));
  for (const auto& doc : lint::rule_docs()) {
    for (const auto& id : doc.subsumes) {
      EXPECT_NE(lint::find_rule_doc(id), nullptr) << doc.id << " subsumes unknown " << id;
    }
  }
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
    if (doc.id != "input-error" && doc.kind != lint::RuleKind::RoundTrip) {
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
