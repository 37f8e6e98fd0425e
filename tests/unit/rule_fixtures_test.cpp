// Runs tests/rules/<rule-id>.sql: SQL fixtures with inline expectations.
//
//   -- case: <name> [pg=<major>] [tx=script|implicit|none]
//   ALTER TABLE t ADD COLUMN c int NOT NULL;  -- expect: add-column-not-null-no-default
//   ALTER TABLE t ADD c2 int, ALTER c3 SET NOT NULL; -- expect: set-not-null @27 "scans the whole"
//   -- next migration
//   -- downgrade
//
// Each case is linted on its own, both phases; within it `-- next migration` starts another
// migration and `-- downgrade` the current migration's downgrade script.
// For the fixture's rule and every rule named in an `expect:`, the findings must start exactly
// on the lines that carry an expectation (one expectation per finding), and nowhere else. An
// expectation may also give the finding's 1-based column (`@27`: where it starts, e.g. the ALTER
// TABLE subcommand it is about) and a fragment its message must contain (`"..."`), so that
// positions and wording are tested too.

#include "lint/catalog.hpp"
#include "test_support.hpp"

#include <gtest/gtest.h>

#include <cctype>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>

namespace miglint {
namespace {

namespace fs = std::filesystem;

struct Case {
  std::string name;
  int pg_version = 15;
  source::TxMode tx = source::TxMode::PerScript;
  std::vector<std::pair<uint32_t, uint32_t>> parts;         // byte ranges of the migrations
  std::multiset<std::pair<uint32_t, std::string>> expected; // (line, rule)
  struct Detail {
    uint32_t line = 0;
    std::string rule;
    std::optional<uint32_t> column; // @COL
    std::string fragment;           // "..." in the message
  };
  std::vector<Detail> details; // expectations with a column or a fragment
};

// The expectations after `-- expect:`: rule ids separated by commas or spaces, each optionally
// followed by @COLUMN and a "fragment" of its message.
void parse_expectations(std::string_view text, uint32_t line, Case& c) {
  std::optional<Case::Detail> current;
  auto flush = [&] {
    if (current && (current->column || !current->fragment.empty())) {
      c.details.push_back(*current);
    }
    current.reset();
  };
  size_t i = 0;
  while (i < text.size()) {
    const char ch = text[i];
    if (ch == ' ' || ch == ',' || ch == '\t' || ch == '\r' || ch == '\n') {
      ++i;
    } else if (ch == '"') {
      const size_t close = text.find('"', i + 1);
      const size_t end = close == std::string_view::npos ? text.size() : close;
      if (current) {
        current->fragment = std::string(text.substr(i + 1, end - i - 1));
      }
      i = end + 1;
    } else if (ch == '@') {
      size_t j = i + 1;
      while (j < text.size() && std::isdigit(static_cast<unsigned char>(text[j])) != 0) {
        ++j;
      }
      if (current && j > i + 1) {
        current->column =
            static_cast<uint32_t>(std::stoul(std::string(text.substr(i + 1, j - i - 1))));
      }
      i = j;
    } else {
      size_t j = i;
      while (j < text.size() && text[j] != ' ' && text[j] != ',' && text[j] != '\t' &&
             text[j] != '\r' && text[j] != '\n') {
        ++j;
      }
      flush();
      current = Case::Detail{line, std::string(text.substr(i, j - i)), std::nullopt, {}};
      c.expected.emplace(line, current->rule);
      i = j;
    }
  }
  flush();
}

fs::path fixture_dir() {
  return fs::path(MIGLINT_SOURCE_DIR) / "tests" / "rules";
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<Case> parse_cases(const std::string& text) {
  std::vector<Case> cases;
  uint32_t line_no = 0;
  size_t pos = 0;
  uint32_t part_begin = 0;
  auto close_part = [&](uint32_t end) {
    if (!cases.empty() && end > part_begin) {
      cases.back().parts.emplace_back(part_begin, end);
    }
  };
  while (pos < text.size()) {
    size_t eol = text.find('\n', pos);
    size_t next = eol == std::string::npos ? text.size() : eol + 1;
    const std::string line = text.substr(pos, next - pos);
    ++line_no;
    if (line.rfind("-- case:", 0) == 0) {
      close_part(static_cast<uint32_t>(pos));
      Case c;
      std::istringstream words(line.substr(8));
      std::string word;
      while (words >> word) {
        if (word.rfind("pg=", 0) == 0) {
          c.pg_version = std::stoi(word.substr(3));
        } else if (word == "tx=none") {
          c.tx = source::TxMode::None;
        } else if (word == "tx=implicit") {
          c.tx = source::TxMode::Implicit;
        } else if (word == "tx=script") {
          c.tx = source::TxMode::PerScript;
        } else {
          c.name += (c.name.empty() ? "" : " ") + word;
        }
      }
      cases.push_back(c);
      part_begin = static_cast<uint32_t>(next);
    } else if (auto at = line.find("-- expect:"); at != std::string::npos && !cases.empty()) {
      parse_expectations(std::string_view(line).substr(at + 10), line_no, cases.back());
    }
    pos = next;
  }
  close_part(static_cast<uint32_t>(text.size()));
  return cases;
}

std::vector<std::string> fixture_names() {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(fixture_dir())) {
    if (entry.path().extension() == ".sql") {
      names.push_back(entry.path().stem().string());
    }
  }
  std::sort(names.begin(), names.end());
  return names;
}

class RuleFixture : public ::testing::TestWithParam<std::string> {};

TEST_P(RuleFixture, FindingsMatchExpectations) {
  const std::string rule = GetParam();
  ASSERT_NE(lint::find_rule_doc(rule), nullptr) << "tests/rules/" << rule << ".sql names no rule";
  const fs::path path = fixture_dir() / (rule + ".sql");
  const std::string text = read_file(path);
  auto file = std::make_shared<core::SourceFile>(path.string(), text);
  const auto cases = parse_cases(text);
  ASSERT_FALSE(cases.empty()) << path << " has no `-- case:`";
  bool has_positive = false;
  bool has_negative = false;
  for (const auto& c : cases) {
    std::vector<source::Migration> migrations;
    for (const auto& [begin, end] : c.parts) {
      auto part = test::history_of(file, begin, end, c.tx);
      for (auto& m : part) {
        m.id = std::to_string(migrations.size() + 1);
        migrations.push_back(std::move(m));
      }
    }
    std::set<std::string> checked = {rule};
    for (const auto& e : c.expected) {
      checked.insert(e.second);
    }
    lint::LintOptions options;
    options.pg_version = c.pg_version;
    options.downgrade = true;
    options.selection.extend.insert(checked.begin(), checked.end()); // rules off by default too
    const auto findings = lint::Linter(options).lint(migrations);

    std::multiset<std::pair<uint32_t, std::string>> actual;
    std::map<uint32_t, std::string> messages;
    for (const auto& f : findings) {
      if (checked.contains(f.rule)) {
        actual.emplace(f.location.start().line, f.rule);
        messages[f.location.start().line] += "\n  " + f.rule + ": " + f.message;
      }
    }
    std::ostringstream got;
    for (const auto& [line, id] : actual) {
      got << "\n  line " << line << ": " << id;
    }
    EXPECT_EQ(actual, c.expected) << "case `" << c.name << "` in " << path << "; got:" << got.str();
    for (const auto& d : c.details) {
      const bool found = std::any_of(findings.begin(), findings.end(), [&](const auto& f) {
        return f.rule == d.rule && f.location.start().line == d.line &&
               (!d.column || f.location.start().column == *d.column) &&
               f.message.find(d.fragment) != std::string::npos;
      });
      std::ostringstream where;
      for (const auto& f : findings) {
        if (f.rule == d.rule && f.location.start().line == d.line) {
          where << "\n  @" << f.location.start().column << ": " << f.message;
        }
      }
      EXPECT_TRUE(found) << "case `" << c.name << "` in " << path << ", line " << d.line << ": no "
                         << d.rule << (d.column ? " at column " + std::to_string(*d.column) : "")
                         << (d.fragment.empty() ? "" : " saying \"" + d.fragment + "\"")
                         << "; got:" << where.str();
    }
    const bool positive = std::any_of(c.expected.begin(), c.expected.end(),
                                      [&](const auto& e) { return e.second == rule; });
    (positive ? has_positive : has_negative) = true;
  }
  EXPECT_TRUE(has_positive) << path << " has no case where " << rule << " fires";
  EXPECT_TRUE(has_negative) << path << " has no case where " << rule << " stays quiet";
}

std::string test_name(const ::testing::TestParamInfo<std::string>& param) {
  std::string name = param.param;
  std::replace(name.begin(), name.end(), '-', '_');
  return name;
}

INSTANTIATE_TEST_SUITE_P(Fixtures, RuleFixture, ::testing::ValuesIn(fixture_names()), test_name);

TEST(RuleFixtures, EveryRuleWithSqlExamplesHasAFixture) {
  const auto names = fixture_names();
  for (const auto& doc : lint::rule_docs()) {
    if (doc.bad_examples.empty()) {
      continue; // about files or Alembic code: discover_test, alembic_test, the catalog examples
    }
    EXPECT_TRUE(std::find(names.begin(), names.end(), doc.id) != names.end())
        << "no tests/rules/" << doc.id << ".sql";
  }
}

} // namespace
} // namespace miglint
