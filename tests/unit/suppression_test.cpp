#include "test_support.hpp"

#include <gtest/gtest.h>

namespace miglint {
namespace {

using test::count_rule;
using test::lint_sql;

TEST(Suppression, LineBeforeAppliesToTheNextStatementOnly) {
  const auto f = lint_sql("-- miglint: ignore drop-column\n"
                          "ALTER TABLE a DROP COLUMN x;\n"
                          "ALTER TABLE b DROP COLUMN y;\n");
  ASSERT_EQ(count_rule(f, "drop-column"), 1u);
  for (const auto& finding : f) {
    if (finding.rule == "drop-column") {
      EXPECT_EQ(finding.location.start().line, 3u);
    }
  }
}

TEST(Suppression, TrailingCommentOnTheLastLineOfAMultiLineStatement) {
  const auto f = lint_sql("ALTER TABLE a\n  DROP COLUMN x; -- miglint: ignore drop-column\n"
                          "ALTER TABLE b DROP COLUMN y;\n");
  EXPECT_EQ(count_rule(f, "drop-column"), 1u);
}

TEST(Suppression, TrailingCommentDoesNotLeakToTheNextStatement) {
  const auto f = lint_sql("SELECT 1; -- miglint: ignore drop-column\n"
                          "ALTER TABLE b DROP COLUMN y;\n");
  EXPECT_EQ(count_rule(f, "drop-column"), 1u);
}

TEST(Suppression, SeveralIdsAndReason) {
  const auto f = lint_sql("-- miglint: ignore drop-column, missing-lock-timeout -- planned\n"
                          "ALTER TABLE a DROP COLUMN x;\n");
  EXPECT_EQ(count_rule(f, "drop-column"), 0u);
  EXPECT_EQ(count_rule(f, "missing-lock-timeout"), 0u);
  EXPECT_EQ(count_rule(f, "invalid-ignore-comment"), 0u);
}

TEST(Suppression, IgnoreFileWithoutIdsSilencesEverything) {
  const auto f = lint_sql("ALTER TABLE a DROP COLUMN x;\n/* miglint: ignore-file */\n"
                          "DROP TABLE b;\n");
  EXPECT_TRUE(f.empty());
}

TEST(Suppression, SyntaxErrorsCanBeIgnored) {
  const auto f = lint_sql("-- miglint: ignore sql-syntax-error\nVACUUM (NEWFANGLED) t;\n");
  EXPECT_EQ(count_rule(f, "sql-syntax-error"), 0u);
}

TEST(Suppression, IgnoreWithNothingAfterIsHarmless) {
  const auto f = lint_sql("ALTER TABLE a DROP COLUMN x;\n-- miglint: ignore drop-table\n");
  EXPECT_EQ(count_rule(f, "drop-column"), 1u);
  EXPECT_EQ(count_rule(f, "invalid-ignore-comment"), 0u);
}

} // namespace
} // namespace miglint
