// ci/new-rule run in a temporary copy of the repository's rule files: the three files of a
// static rule are written and valid (the doc parses, the fixture expects the rule, the source
// compiles as the build compiles rules), and the README's table is rewritten with the new row.

#include "lint/catalog.hpp"
#include "test_support.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <sstream>

namespace miglint {
namespace {

namespace fs = std::filesystem;
using test::TempDir;

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// A copy of what the script reads and writes: itself, the README, the rule docs and the
// directories of rule sources and fixtures.
void copy_repository(const TempDir& dir) {
  const fs::path src(MIGLINT_SOURCE_DIR);
  fs::create_directories(dir.path() / "ci");
  fs::create_directories(dir.path() / "src" / "rules");
  fs::create_directories(dir.path() / "tests" / "rules");
  fs::copy(src / "ci" / "new-rule", dir.path() / "ci" / "new-rule");
  fs::copy(src / "README.md", dir.path() / "README.md");
  fs::copy(src / "rules", dir.path() / "rules", fs::copy_options::recursive);
}

test::ShellResult new_rule(const TempDir& dir, const std::string& args) {
  return test::run_shell("cd '" + dir.path().string() + "' && MIGLINT='" +
                         std::string(MIGLINT_BINARY) + "' ci/new-rule " + args + " 2>&1");
}

// The build's own compile command for src/rules/truncate.cpp, turned on `file` with
// -fsyntax-only (no object, no dependency file).
std::string syntax_check_command(const fs::path& file) {
  const fs::path db = fs::path(MIGLINT_BINARY).parent_path() / "compile_commands.json";
  const auto commands = nlohmann::json::parse(slurp(db));
  for (const auto& c : commands) {
    if (!c["file"].get<std::string>().ends_with("src/rules/truncate.cpp")) {
      continue;
    }
    std::istringstream words(c["command"].get<std::string>());
    std::string word;
    std::string out;
    while (words >> word) {
      if (word == "-o" || word == "-MT" || word == "-MF") {
        words >> word; // and its argument
        continue;
      }
      if (word == "-c" || word == "-MD" || word.ends_with("src/rules/truncate.cpp")) {
        continue;
      }
      out += word + " ";
    }
    return "cd '" + c["directory"].get<std::string>() + "' && " + out + "-fsyntax-only '" +
           file.string() + "' 2>&1";
  }
  return {};
}

TEST(NewRule, ScaffoldsAStaticRule) {
  TempDir dir;
  copy_repository(dir);
  const auto r = new_rule(dir, "frobnicate-table --severity error --tags locks");
  ASSERT_EQ(r.exit_code, 0) << r.out;

  const auto doc =
      lint::parse_rule_doc("frobnicate-table", slurp(dir.path() / "rules" / "frobnicate-table.md"));
  EXPECT_TRUE(doc.errors.empty()) << doc.errors.front();
  EXPECT_EQ(doc.severity, core::Severity::Error);
  EXPECT_EQ(doc.kind, lint::RuleKind::Static);
  EXPECT_TRUE(doc.has_tag("locks"));
  EXPECT_TRUE(doc.enabled);
  EXPECT_FALSE(doc.section("Rationale").empty());
  EXPECT_NE(doc.body.find("## Safe alternative"), std::string::npos);
  EXPECT_NE(doc.body.find("### Alembic"), std::string::npos);
  EXPECT_EQ(doc.bad_examples.size(), 1u);
  EXPECT_EQ(doc.good_examples.size(), 1u);

  const std::string fixture = slurp(dir.path() / "tests" / "rules" / "frobnicate-table.sql");
  EXPECT_NE(fixture.find("-- case: "), std::string::npos) << fixture;
  EXPECT_NE(fixture.find("-- expect: frobnicate-table\n"), std::string::npos) << fixture;

  const fs::path source = dir.path() / "src" / "rules" / "frobnicate_table.cpp";
  const std::string code = slurp(source);
  EXPECT_NE(code.find("std::unique_ptr<lint::Rule> make_frobnicate_table()"), std::string::npos);
  EXPECT_NE(code.find("return \"frobnicate-table\";"), std::string::npos);
  const std::string compile = syntax_check_command(source);
  ASSERT_FALSE(compile.empty()) << "no compile command for src/rules/truncate.cpp";
  const auto compiled = test::run_shell(compile);
  EXPECT_EQ(compiled.exit_code, 0) << compile << "\n" << compiled.out;

  // The README's table: the docs on disk, the new one among them, between the markers.
  const std::string readme = slurp(dir.path() / "README.md");
  const std::string table = lint::rule_table_markdown(lint::read_rule_docs((dir.path() / "rules")));
  EXPECT_NE(readme.find("<!-- rules:begin -->\n" + table + "<!-- rules:end -->\n"),
            std::string::npos)
      << readme;
  EXPECT_NE(table.find("| [`frobnicate-table`](rules/frobnicate-table.md) | error | "),
            std::string::npos);
  EXPECT_EQ(readme.size() - slurp(fs::path(MIGLINT_SOURCE_DIR) / "README.md").size(),
            table.size() - lint::rule_table_markdown().size())
      << "only the table changed";

  // Once there, the rule is not scaffolded again.
  const auto again = new_rule(dir, "frobnicate-table");
  EXPECT_EQ(again.exit_code, 2) << again.out;
  EXPECT_NE(again.out.find("already exists"), std::string::npos) << again.out;
}

// A round-trip or style rule is a doc only: nothing else names it.
TEST(NewRule, OtherKindsAreADocOnly) {
  TempDir dir;
  copy_repository(dir);
  auto r = new_rule(dir, "roundtrip-frobnicated --kind round-trip --no-readme");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  const auto doc = lint::parse_rule_doc("roundtrip-frobnicated",
                                        slurp(dir.path() / "rules" / "roundtrip-frobnicated.md"));
  EXPECT_TRUE(doc.errors.empty()) << doc.errors.front();
  EXPECT_EQ(doc.kind, lint::RuleKind::RoundTrip);
  EXPECT_FALSE(fs::exists(dir.path() / "src" / "rules" / "roundtrip_frobnicated.cpp"));
  EXPECT_FALSE(fs::exists(dir.path() / "tests" / "rules" / "roundtrip-frobnicated.sql"));

  r = new_rule(dir, "frob-style --tags style --severity info --no-readme");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  const auto style =
      lint::parse_rule_doc("frob-style", slurp(dir.path() / "rules" / "frob-style.md"));
  EXPECT_TRUE(style.errors.empty()) << style.errors.front();
  EXPECT_FALSE(style.enabled);

  r = new_rule(dir, "alembic-frob --kind alembic --no-readme");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  const auto alembic =
      lint::parse_rule_doc("alembic-frob", slurp(dir.path() / "rules" / "alembic-frob.md"));
  EXPECT_TRUE(alembic.errors.empty()) << alembic.errors.front();
  EXPECT_EQ(alembic.bad_python.size(), 1u);

  EXPECT_EQ(new_rule(dir, "Bad_Id").exit_code, 2);
  EXPECT_EQ(new_rule(dir, "ok-id --kind graph").exit_code, 2);
}

} // namespace
} // namespace miglint
