#include "discover/discover.hpp"
#include "lint/linter.hpp"
#include "test_support.hpp"

#include <gtest/gtest.h>

namespace miglint::discover {
namespace {

using test::TempDir;

std::vector<std::string> ids_of(const Discovery& d) {
  std::vector<std::string> ids;
  for (const auto& m : d.migrations) {
    ids.push_back(m.id);
  }
  return ids;
}

TEST(Versions, PrefixAndOrder) {
  EXPECT_EQ(version_prefix("2017-09-23-123456_create_users"), "2017-09-23-123456");
  EXPECT_EQ(version_prefix("001_init"), "001");
  EXPECT_EQ(version_prefix("V2__add"), "V2");
  EXPECT_EQ(version_prefix("V1_2__add"), "V1_2");
  EXPECT_EQ(version_prefix("seed"), "");
  EXPECT_EQ(version_prefix("20170804_x"), "20170804");
  EXPECT_TRUE(version_less("20170804", "2017-09-23-123456"));
  EXPECT_TRUE(version_less("2", "10"));
  EXPECT_TRUE(version_less("0009", "10"));
  EXPECT_FALSE(version_less("10", "10"));
}

TEST(Discover, GolangMigratePairs) {
  TempDir dir;
  dir.write("db/10_b.up.sql", "ALTER TABLE t ADD COLUMN b int;");
  dir.write("db/10_b.down.sql", "ALTER TABLE t DROP COLUMN b;");
  dir.write("db/2_a.up.sql", "CREATE TABLE t (id int);");
  dir.write("db/2_a.down.sql", "DROP TABLE t;");
  dir.write("db/README.md", "not a migration");
  dir.write("db/seed.sql", "INSERT INTO t VALUES (1);");
  const auto d = discover({(dir.path() / "db").string()});
  EXPECT_TRUE(d.findings.empty());
  ASSERT_EQ(ids_of(d), (std::vector<std::string>{"2", "10"}));
  EXPECT_EQ(d.migrations[1].name, "10_b");
  ASSERT_TRUE(d.migrations[1].downgrade.has_value());
  EXPECT_EQ(d.migrations[1].downgrade->sql, "ALTER TABLE t DROP COLUMN b;");
  EXPECT_EQ(d.migrations[1].upgrade->tx, source::TxMode::Implicit);
}

TEST(Discover, DirectoryPerMigrationWithMetadata) {
  TempDir dir;
  dir.write("m/2017-09-23-123456_b/up.sql", "CREATE INDEX CONCURRENTLY i ON t (a);");
  dir.write("m/2017-09-23-123456_b/down.sql", "DROP INDEX i;");
  dir.write("m/2017-09-23-123456_b/metadata.toml", "run_in_transaction = false\n");
  dir.write("m/20170804000000_a/up.sql", "CREATE TABLE t (a int);");
  dir.write("m/00000000000000_diesel_initial_setup/up.sql", "SELECT 1;");
  const auto d = discover({(dir.path() / "m").string()});
  EXPECT_TRUE(d.findings.empty());
  EXPECT_EQ(ids_of(d),
            (std::vector<std::string>{"00000000000000", "20170804000000", "2017-09-23-123456"}));
  EXPECT_EQ(d.migrations[1].upgrade->tx, source::TxMode::PerScript);
  EXPECT_EQ(d.migrations[2].upgrade->tx, source::TxMode::None);
  EXPECT_FALSE(d.migrations[1].downgrade.has_value());
}

TEST(Discover, BrokenMetadataIsAFinding) {
  TempDir dir;
  dir.write("m/001_a/up.sql", "SELECT 1;");
  dir.write("m/001_a/metadata.toml", "run_in_transaction = = false\n");
  const auto d = discover({(dir.path() / "m").string()});
  ASSERT_EQ(d.findings.size(), 1u);
  EXPECT_EQ(d.findings[0].rule, "input-error");
  EXPECT_NE(d.findings[0].message.find("metadata.toml"), std::string::npos);
  EXPECT_EQ(d.migrations.size(), 1u);
}

TEST(Discover, DbmateSections) {
  TempDir dir;
  const std::string text =
      "-- migrate:up transaction:false\nCREATE INDEX CONCURRENTLY i ON t (a);\n\n"
      "-- migrate:down\nDROP INDEX i;\n";
  dir.write("db/migrations/20151129054053_test.sql", text);
  const auto d = discover({(dir.path() / "db").string()});
  ASSERT_EQ(d.migrations.size(), 1u);
  const auto& m = d.migrations[0];
  EXPECT_EQ(m.layout, "dbmate");
  EXPECT_EQ(m.id, "20151129054053");
  EXPECT_EQ(m.upgrade->tx, source::TxMode::None);
  EXPECT_EQ(m.downgrade->tx, source::TxMode::PerScript);
  EXPECT_EQ(m.upgrade->sql, "CREATE INDEX CONCURRENTLY i ON t (a);\n\n");
  // Findings in a section point at the file's own lines.
  const auto loc = m.downgrade->origin.locate(0, 5);
  EXPECT_EQ(loc.start().line, 5u);
}

TEST(Discover, DbmateWithoutUpSection) {
  TempDir dir;
  dir.write("x/001_a.sql", "-- migrate:down\nDROP TABLE t;\n");
  const auto d = discover({(dir.path() / "x").string()});
  ASSERT_EQ(d.findings.size(), 1u);
  EXPECT_NE(d.findings[0].message.find("no `-- migrate:up`"), std::string::npos);
}

TEST(Discover, VersionedPlainFilesAndExplicitFiles) {
  TempDir dir;
  dir.write("flyway/V2__b.sql", "SELECT 2;");
  dir.write("flyway/V1__a.sql", "SELECT 1;");
  dir.write("flyway/notes.sql", "SELECT 0;");
  const auto d = discover({(dir.path() / "flyway").string()});
  EXPECT_EQ(ids_of(d), (std::vector<std::string>{"V1", "V2"}));
  // A file named explicitly is linted even without a version.
  const auto e = discover({(dir.path() / "flyway" / "notes.sql").string()});
  ASSERT_EQ(e.migrations.size(), 1u);
  EXPECT_EQ(e.migrations[0].id, "notes");
  EXPECT_EQ(e.migrations[0].upgrade->tx, source::TxMode::None);
  // A versioned file named alone brings its history as context: read, not reported.
  const auto v = discover({(dir.path() / "flyway" / "V2__b.sql").string()});
  EXPECT_EQ(ids_of(v), (std::vector<std::string>{"V1", "V2"}));
  EXPECT_FALSE(v.migrations[0].selected);
  EXPECT_TRUE(v.migrations[1].selected);
}

TEST(Discover, ExplicitUpFileBringsItsDownFile) {
  TempDir dir;
  dir.write("db/1_a.up.sql", "CREATE TABLE t (id int);");
  dir.write("db/1_a.down.sql", "DROP TABLE t;");
  const auto d = discover({(dir.path() / "db" / "1_a.up.sql").string()});
  ASSERT_EQ(d.migrations.size(), 1u);
  EXPECT_TRUE(d.migrations[0].downgrade.has_value());
}

TEST(Discover, SqlxNoTransactionComment) {
  TempDir dir;
  dir.write("m/20240101_a.up.sql", "-- no-transaction\nCREATE INDEX CONCURRENTLY i ON t (a);");
  const auto d = discover({(dir.path() / "m").string()});
  ASSERT_EQ(d.migrations.size(), 1u);
  EXPECT_EQ(d.migrations[0].upgrade->tx, source::TxMode::None);
}

TEST(Discover, ProblemsAreFindingsAndTheRestStillRuns) {
  TempDir dir;
  dir.write("m/1_a.down.sql", "DROP TABLE t;");
  dir.write("m/2_b.up.sql", std::string("SELECT 1;\0\x01\x02", 12));
  dir.write("m/3_c.up.sql", "ALTER TABLE t DROP COLUMN c;");
  dir.write("other.txt", "hello");
  const auto d = discover({(dir.path() / "m").string(), (dir.path() / "other.txt").string()});
  EXPECT_EQ(ids_of(d), (std::vector<std::string>{"3"}));
  ASSERT_EQ(d.findings.size(), 3u);
  for (const auto& f : d.findings) {
    EXPECT_EQ(f.rule, "input-error");
    EXPECT_FALSE(f.location.path().empty());
  }
}

TEST(Discover, MissingPathIsAUsageError) {
  const auto d = discover({"/nonexistent/miglint/path"});
  ASSERT_EQ(d.usage_errors.size(), 1u);
  EXPECT_NE(d.usage_errors[0].find("/nonexistent/miglint/path"), std::string::npos);
}

TEST(Discover, BomIsSkippedWithoutMovingOffsets) {
  TempDir dir;
  dir.write("m/1_a.up.sql", "\xEF\xBB\xBFSELECT 1 FROM;");
  const auto d = discover({(dir.path() / "m").string()});
  ASSERT_EQ(d.migrations.size(), 1u);
  const auto findings = lint::Linter(lint::LintOptions{}).lint(d.migrations);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].rule, "sql-syntax-error");
  EXPECT_EQ(findings[0].location.start().column, 14u); // the BOM takes no column
}

} // namespace
} // namespace miglint::discover
