#include "lint/catalog.hpp"
#include "lint/foreign_markers.hpp"
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

// --- other linters' reviewed markers ---------------------------------------------------------

std::vector<core::Finding> lint_markers(const std::string& sql, bool foreign_markers = true,
                                        lint::LintStats* stats = nullptr) {
  auto file = std::make_shared<core::SourceFile>("test.sql", sql);
  lint::LintOptions options;
  options.foreign_markers = foreign_markers;
  return lint::Linter(options).lint(
      test::history_of(file, 0, sql.size(), source::TxMode::PerScript), stats);
}

TEST(ForeignMarkers, AtlasCodesCoverTheRulesTheyCorrespondTo) {
  lint::LintStats stats;
  const auto f = lint_markers("SET lock_timeout = '5s';\n"
                              "-- atlas:nolint DS103 MF103\n"
                              "ALTER TABLE a DROP COLUMN x, ADD COLUMN y int NOT NULL;\n"
                              "-- atlas:nolint DS103\n"
                              "ALTER TABLE b DROP COLUMN x, ADD COLUMN y int NOT NULL;\n"
                              "ALTER TABLE c DROP COLUMN x;\n",
                              true, &stats);
  EXPECT_EQ(count_rule(f, "drop-column"), 1u);                    // c
  EXPECT_EQ(count_rule(f, "add-column-not-null-no-default"), 1u); // b: DS103 is not MF103
  EXPECT_EQ(stats.honoured_markers, 3u);
  EXPECT_EQ(count_rule(f, "invalid-ignore-comment"), 0u);
}

TEST(ForeignMarkers, CodesWithoutAMiglintCounterpartCoverNothing) {
  // MF101 says a unique index may fail on duplicates; the lock of its build was not reviewed.
  const auto f = lint_markers("-- atlas:nolint MF101\n"
                              "CREATE UNIQUE INDEX a_x ON a (x);\n");
  EXPECT_EQ(count_rule(f, "create-index-non-concurrent"), 1u);
}

TEST(ForeignMarkers, ABareMarkerCoversEveryStaticRuleOfItsStatement) {
  const auto f = lint_markers("-- atlas:nolint\n"
                              "CREATE UNIQUE INDEX a_x ON a (x);\n"
                              "CREATE INDEX b_x ON b (x);\n");
  EXPECT_EQ(count_rule(f, "create-index-non-concurrent"), 1u);
}

TEST(ForeignMarkers, AtlasFileHeaderCoversTheWholeFile) {
  const auto f = lint_markers("-- atlas:nolint destructive\n"
                              "-- we really mean it\n"
                              "\n"
                              "ALTER TABLE a DROP COLUMN x;\n"
                              "DROP TABLE b;\n"
                              "CREATE INDEX c_x ON c (x);\n");
  EXPECT_EQ(count_rule(f, "drop-column"), 0u);
  EXPECT_EQ(count_rule(f, "drop-table"), 0u);
  EXPECT_EQ(count_rule(f, "create-index-non-concurrent"), 1u);
}

TEST(ForeignMarkers, AtlasMarkerRightAboveTheFirstStatementIsNotAFileHeader) {
  const auto f = lint_markers("-- atlas:nolint DS103\n"
                              "ALTER TABLE a DROP COLUMN x;\n"
                              "ALTER TABLE b DROP COLUMN x;\n");
  EXPECT_EQ(count_rule(f, "drop-column"), 1u);
}

TEST(ForeignMarkers, SquawkIgnoreAndIgnoreFile) {
  const auto f = lint_markers("-- squawk-ignore ban-drop-column, renaming-column\n"
                              "ALTER TABLE a DROP COLUMN x;\n"
                              "ALTER TABLE b DROP COLUMN x;\n"
                              "/* squawk-ignore-file require-concurrent-index-creation */\n"
                              "CREATE INDEX c_x ON c (x);\n");
  EXPECT_EQ(count_rule(f, "drop-column"), 1u);
  EXPECT_EQ(count_rule(f, "create-index-non-concurrent"), 0u);
}

TEST(ForeignMarkers, EugeneIgnore) {
  const auto f = lint_markers("-- eugene: ignore E6, E9\n"
                              "CREATE INDEX c_x ON c (x);\n"
                              "-- eugene: ignore 2, E9\n"
                              "ALTER TABLE c ALTER COLUMN x SET NOT NULL;\n");
  EXPECT_EQ(count_rule(f, "create-index-non-concurrent"), 0u);
  EXPECT_EQ(count_rule(f, "missing-lock-timeout"), 0u);
  EXPECT_EQ(count_rule(f, "set-not-null"), 0u);
}

TEST(ForeignMarkers, DieselGuardSafetyAssuredBlocks) {
  const auto f = lint_markers("ALTER TABLE a DROP COLUMN x;\n"
                              "-- safety-assured:start\n"
                              "ALTER TABLE b DROP COLUMN x;\n"
                              "DROP TABLE c;\n"
                              "-- safety-assured:end\n"
                              "ALTER TABLE d DROP COLUMN x;\n");
  EXPECT_EQ(count_rule(f, "drop-column"), 2u); // a and d
  EXPECT_EQ(count_rule(f, "drop-table"), 0u);
}

TEST(ForeignMarkers, AnUnclosedBlockRunsToTheEndOfTheScript) {
  const auto f = lint_markers("-- safety-assured:start\n"
                              "ALTER TABLE b DROP COLUMN x;\n"
                              "DROP TABLE c;\n");
  EXPECT_EQ(count_rule(f, "drop-column"), 0u);
  EXPECT_EQ(count_rule(f, "drop-table"), 0u);
}

TEST(ForeignMarkers, EngineFindingsAreNotCovered) {
  const auto f = lint_markers("-- safety-assured:start\n"
                              "ALTER TABLE b DROP COLUMN;\n"
                              "-- safety-assured:end\n");
  EXPECT_EQ(count_rule(f, "sql-syntax-error"), 1u);
}

TEST(ForeignMarkers, ConfigurationTurnsThemOff) {
  lint::LintStats stats;
  const auto f = lint_markers("-- atlas:nolint DS103\n"
                              "ALTER TABLE a DROP COLUMN x;\n",
                              false, &stats);
  EXPECT_EQ(count_rule(f, "drop-column"), 1u);
  EXPECT_EQ(stats.honoured_markers, 0u);
}

TEST(ForeignMarkers, MiglintsOwnIgnoreIsNotCountedAsHonoured) {
  lint::LintStats stats;
  const auto f = lint_markers("-- miglint: ignore drop-column\n"
                              "-- atlas:nolint DS103\n"
                              "ALTER TABLE a DROP COLUMN x;\n",
                              true, &stats);
  EXPECT_EQ(count_rule(f, "drop-column"), 0u);
  EXPECT_EQ(stats.honoured_markers, 0u);
}

TEST(ForeignMarkers, EveryMappedRuleExists) {
  for (const auto& m : lint::foreign_code_table()) {
    for (const auto id : lint::rules_for_code(m.tool, m.code)) {
      EXPECT_NE(lint::find_rule_doc(id), nullptr) << m.tool << " " << m.code << " -> " << id;
    }
  }
}

} // namespace
} // namespace miglint
