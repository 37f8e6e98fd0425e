#include "sql/parser.hpp"

#include <gtest/gtest.h>

#include <random>

namespace miglint::sql {
namespace {

std::string text_of(std::string_view sql, Span s) {
  return std::string(sql.substr(s.begin, s.end - s.begin));
}

TEST(Parser, SplitsWithExactSpans) {
  const std::string sql =
      "-- header\nCREATE TABLE a (id int);\n\n  /* c */ DROP TABLE b ;\nSELECT 1";
  const auto parsed = parse(sql);
  ASSERT_TRUE(parsed.errors.empty());
  ASSERT_EQ(parsed.statements.size(), 3u);
  EXPECT_EQ(text_of(sql, parsed.statements[0].span), "CREATE TABLE a (id int)");
  EXPECT_EQ(text_of(sql, parsed.statements[1].span), "DROP TABLE b");
  EXPECT_EQ(text_of(sql, parsed.statements[2].span), "SELECT 1");
  EXPECT_EQ(parsed.statements[0].tag, "CreateStmt");
  ASSERT_EQ(parsed.comments.size(), 2u);
  EXPECT_EQ(parsed.comments[0].text, " header");
  EXPECT_EQ(parsed.comments[1].text, " c ");
}

TEST(Parser, KeepsCrLfOffsets) {
  const std::string sql = "ALTER TABLE a\r\n  ADD COLUMN b int;\r\nDROP TABLE c;\r\n";
  const auto parsed = parse(sql);
  ASSERT_EQ(parsed.statements.size(), 2u);
  EXPECT_EQ(text_of(sql, parsed.statements[0].span), "ALTER TABLE a\r\n  ADD COLUMN b int");
  EXPECT_EQ(text_of(sql, parsed.statements[1].span), "DROP TABLE c");
  const auto* alter = parsed.statements[0].as<AlterTable>();
  ASSERT_NE(alter, nullptr);
  ASSERT_EQ(alter->cmds.size(), 1u);
  // The column definition's location points at `b`.
  EXPECT_EQ(sql.substr(alter->cmds[0].column_def->location, 1), "b");
}

TEST(Parser, DollarQuotingAndSemicolonsInStrings) {
  const std::string sql =
      "CREATE FUNCTION f() RETURNS int AS $body$ SELECT 1; SELECT 2; $body$ LANGUAGE sql;\n"
      "SELECT ';', E'\\';', \"we;ird\" FROM t;\n"
      "DO $$ BEGIN PERFORM 1; END $$;";
  const auto parsed = parse(sql);
  EXPECT_TRUE(parsed.errors.empty());
  ASSERT_EQ(parsed.statements.size(), 3u);
  EXPECT_EQ(parsed.statements[2].tag, "DoStmt");
}

TEST(Parser, SyntaxErrorKeepsTheOtherStatements) {
  const std::string sql = "CREATE TABLE a (id int);\nALTER TABEL a ADD b int;\nDROP TABLE c;";
  const auto parsed = parse(sql);
  ASSERT_EQ(parsed.errors.size(), 1u);
  EXPECT_NE(parsed.errors[0].message.find("syntax error at or near \"TABEL\""), std::string::npos);
  EXPECT_EQ(sql.substr(parsed.errors[0].offset, 5), "TABEL");
  EXPECT_EQ(text_of(sql, parsed.errors[0].statement), "ALTER TABEL a ADD b int");
  ASSERT_EQ(parsed.statements.size(), 2u);
  EXPECT_NE(parsed.statements[1].as<Drop>(), nullptr);
}

TEST(Parser, ErrorPositionCountsBytesAfterMultibyteText) {
  const std::string sql = "SELECT 'é€😀' FROM WHERE;";
  const auto parsed = parse(sql);
  ASSERT_EQ(parsed.errors.size(), 1u);
  EXPECT_EQ(sql.substr(parsed.errors[0].offset, 5), "WHERE");
}

TEST(Parser, UnterminatedStringIsOneError) {
  const auto parsed = parse("SELECT 1;\nSELECT 'abc;\nSELECT 2;");
  ASSERT_EQ(parsed.errors.size(), 1u);
  EXPECT_NE(parsed.errors[0].message.find("unterminated"), std::string::npos);
}

TEST(Parser, EmptyAndCommentOnlyScripts) {
  EXPECT_TRUE(parse("").statements.empty());
  EXPECT_TRUE(parse("").errors.empty());
  const auto parsed = parse("  -- only a comment\n/* and /* nested */ one */\n;;\n");
  EXPECT_TRUE(parsed.statements.empty());
  EXPECT_TRUE(parsed.errors.empty());
  EXPECT_EQ(parsed.comments.size(), 2u);
}

TEST(Parser, NulByteIsAnError) {
  const std::string sql = std::string("SELECT 1;\0DROP TABLE x;", 23);
  const auto parsed = parse(sql);
  ASSERT_EQ(parsed.statements.size(), 1u);
  ASSERT_EQ(parsed.errors.size(), 1u);
  EXPECT_EQ(parsed.errors[0].offset, 9u);
}

TEST(Parser, BinaryGarbageNeverCrashes) {
  std::mt19937 rng(42);
  for (int round = 0; round < 200; ++round) {
    std::string garbage(static_cast<size_t>(rng() % 400), '\0');
    for (auto& c : garbage) {
      c = static_cast<char>(rng() % 255 + 1); // no NUL: exercise the grammar, not the guard
    }
    const auto parsed = parse(garbage);
    for (const auto& e : parsed.errors) {
      EXPECT_LE(e.offset, garbage.size());
      EXPECT_FALSE(e.message.empty());
    }
    for (const auto& s : parsed.statements) {
      EXPECT_LE(s.span.begin, s.span.end);
      EXPECT_LE(s.span.end, garbage.size());
    }
  }
}

TEST(Parser, InvalidUtf8IsReportedNotCrashed) {
  const auto parsed = parse("SELECT '\xff\xfe';\nDROP TABLE t;");
  // libpg_query does not validate encodings: the statements still come back.
  EXPECT_GE(parsed.statements.size() + parsed.errors.size(), 1u);
}

TEST(Parser, InvalidUtf8StatementsAreStillRead) {
  // The parse tree is read from libpg_query's C nodes, so bytes that are not UTF-8 inside a
  // literal do not lose the script (its JSON output, read before, could not be parsed then).
  const auto parsed = parse("SELECT '\xff\xfe';\nDROP TABLE t;");
  EXPECT_TRUE(parsed.errors.empty());
  ASSERT_EQ(parsed.statements.size(), 2u);
  EXPECT_EQ(parsed.statements[1].tag, "DropStmt");
}

TEST(Parser, NegativeIntegersKeepTheirValue) {
  // libpg_query's JSON left negative integer constants out (they read as 0).
  const auto parsed = parse("SET extra_float_digits = -3;\n"
                            "CREATE TABLE t (millions numeric(3, -6));");
  ASSERT_EQ(parsed.statements.size(), 2u);
  const auto* set = parsed.statements[0].as<SetVariable>();
  ASSERT_NE(set, nullptr);
  EXPECT_EQ(set->value, "-3");
  const auto* create = parsed.statements[1].as<CreateTable>();
  ASSERT_NE(create, nullptr);
  ASSERT_EQ(create->columns.size(), 1u);
  EXPECT_EQ(create->columns[0].type.modifiers, (std::vector<int64_t>{3, -6}));
}

TEST(Parser, HugeScript) {
  std::string sql;
  for (int i = 0; i < 20000; ++i) {
    sql += "ALTER TABLE t" + std::to_string(i % 50) + " ADD COLUMN c" + std::to_string(i) +
           " int DEFAULT 0;\n";
  }
  sql += "ALTER TABLE oops;\n";
  const auto parsed = parse(sql);
  EXPECT_EQ(parsed.statements.size(), 20000u);
  EXPECT_EQ(parsed.errors.size(), 1u);
}

TEST(Parser, TransformsAlterTable) {
  const auto parsed =
      parse("ALTER TABLE billing.orders ADD COLUMN token uuid NOT NULL DEFAULT gen_random_uuid(), "
            "ALTER COLUMN qty TYPE bigint USING qty::bigint, ALTER COLUMN a SET NOT NULL, "
            "ADD CONSTRAINT fk FOREIGN KEY (c) REFERENCES customers (id) NOT VALID, "
            "VALIDATE CONSTRAINT fk, DROP COLUMN IF EXISTS z CASCADE");
  ASSERT_EQ(parsed.statements.size(), 1u);
  const auto* alter = parsed.statements[0].as<AlterTable>();
  ASSERT_NE(alter, nullptr);
  EXPECT_EQ(alter->table.display(), "billing.orders");
  ASSERT_EQ(alter->cmds.size(), 6u);
  EXPECT_EQ(alter->cmds[0].kind, AlterKind::AddColumn);
  EXPECT_TRUE(alter->cmds[0].column_def->not_null);
  EXPECT_EQ(alter->cmds[0].column_def->default_value->volatility, Volatility::Volatile);
  EXPECT_EQ(alter->cmds[0].column_def->type.base(), "uuid");
  EXPECT_EQ(alter->cmds[1].kind, AlterKind::AlterColumnType);
  EXPECT_TRUE(alter->cmds[1].has_using);
  EXPECT_EQ(alter->cmds[1].type->canonical(), "int8");
  EXPECT_EQ(alter->cmds[2].kind, AlterKind::SetNotNull);
  EXPECT_EQ(alter->cmds[2].column, "a");
  EXPECT_EQ(alter->cmds[3].constraint->kind, ConstraintKind::ForeignKey);
  EXPECT_TRUE(alter->cmds[3].constraint->not_valid);
  EXPECT_EQ(alter->cmds[3].constraint->references.name, "customers");
  EXPECT_EQ(alter->cmds[4].kind, AlterKind::ValidateConstraint);
  EXPECT_EQ(alter->cmds[4].name, "fk");
  EXPECT_EQ(alter->cmds[5].kind, AlterKind::DropColumn);
  EXPECT_TRUE(alter->cmds[5].cascade);
}

TEST(Parser, TransformsOtherStatements) {
  const auto parsed =
      parse("CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS ix ON t (a);"
            "DROP INDEX CONCURRENTLY ix;"
            "ALTER TABLE t RENAME COLUMN a TO b;"
            "TRUNCATE t1, t2 CASCADE;"
            "SET LOCAL lock_timeout = '2s';"
            "BEGIN;"
            "LOCK TABLE t IN SHARE ROW EXCLUSIVE MODE;"
            "CREATE TABLE n (id bigserial PRIMARY KEY, v varchar(20) CHECK (v IS NOT NULL));");
  ASSERT_EQ(parsed.statements.size(), 8u);
  const auto* index = parsed.statements[0].as<CreateIndex>();
  ASSERT_NE(index, nullptr);
  EXPECT_TRUE(index->concurrent && index->unique && index->if_not_exists);
  const auto* drop = parsed.statements[1].as<Drop>();
  ASSERT_NE(drop, nullptr);
  EXPECT_EQ(drop->kind, ObjectKind::Index);
  EXPECT_TRUE(drop->concurrent);
  const auto* rename = parsed.statements[2].as<Rename>();
  ASSERT_NE(rename, nullptr);
  EXPECT_EQ(rename->kind, ObjectKind::Column);
  EXPECT_EQ(rename->old_name, "a");
  EXPECT_EQ(rename->new_name, "b");
  EXPECT_EQ(parsed.statements[3].as<Truncate>()->tables.size(), 2u);
  const auto* set = parsed.statements[4].as<SetVariable>();
  EXPECT_EQ(set->name, "lock_timeout");
  EXPECT_EQ(set->value, "2s");
  EXPECT_TRUE(set->local);
  EXPECT_EQ(parsed.statements[5].as<Transaction>()->kind, TxKind::Begin);
  EXPECT_EQ(parsed.statements[6].as<LockTable>()->mode, LockMode::ShareRowExclusive);
  const auto* create = parsed.statements[7].as<CreateTable>();
  ASSERT_EQ(create->columns.size(), 2u);
  EXPECT_TRUE(create->columns[0].type.is_serial());
  EXPECT_TRUE(create->columns[0].primary_key);
  EXPECT_EQ(create->columns[1].type.display(), "varchar(20)");
  ASSERT_EQ(create->columns[1].constraints.size(), 1u);
  EXPECT_EQ(create->columns[1].constraints[0].check->not_null_column, "v");
}

TEST(Parser, TransformsMaintenanceDomainAndDatabaseStatements) {
  const auto parsed = parse("REINDEX (VERBOSE) INDEX CONCURRENTLY billing.ix;"
                            "REINDEX TABLE t;"
                            "REINDEX SCHEMA billing;"
                            "REINDEX DATABASE app;"
                            "VACUUM (FULL, ANALYZE) t, u;"
                            "VACUUM t;"
                            "CLUSTER t USING ix;"
                            "CLUSTER;"
                            "ALTER TABLE p DETACH PARTITION s.p1 CONCURRENTLY;"
                            "CREATE DOMAIN s.code AS text NOT NULL CHECK (VALUE <> '');"
                            "ALTER DOMAIN s.code ADD CONSTRAINT c CHECK (VALUE ~ 'x') NOT VALID;"
                            "ALTER DOMAIN code VALIDATE CONSTRAINT c;"
                            "ALTER DOMAIN code SET NOT NULL;"
                            "DROP DATABASE IF EXISTS old WITH (FORCE);"
                            "CREATE SCHEMA IF NOT EXISTS s;");
  ASSERT_EQ(parsed.statements.size(), 15u);
  const auto* reindex = parsed.statements[0].as<Reindex>();
  ASSERT_NE(reindex, nullptr);
  EXPECT_EQ(reindex->kind, ReindexKind::Index);
  EXPECT_TRUE(reindex->concurrent && reindex->is_index);
  EXPECT_EQ(reindex->target.display(), "billing.ix");
  EXPECT_EQ(parsed.statements[1].as<Reindex>()->kind, ReindexKind::Table);
  EXPECT_EQ(parsed.statements[2].as<Reindex>()->kind, ReindexKind::Schema);
  EXPECT_EQ(parsed.statements[2].as<Reindex>()->target.name, "billing");
  EXPECT_EQ(parsed.statements[3].as<Reindex>()->kind, ReindexKind::Database);
  const auto* full = parsed.statements[4].as<Vacuum>();
  EXPECT_TRUE(full->full && !full->cluster);
  EXPECT_EQ(full->tables.size(), 2u);
  EXPECT_FALSE(parsed.statements[5].as<Vacuum>()->full);
  const auto* cluster = parsed.statements[6].as<Vacuum>();
  EXPECT_TRUE(cluster->cluster);
  EXPECT_EQ(cluster->index, "ix");
  EXPECT_TRUE(parsed.statements[7].as<Vacuum>()->tables.empty());
  const auto& detach = parsed.statements[8].as<AlterTable>()->cmds.at(0);
  EXPECT_EQ(detach.kind, AlterKind::DetachPartitionConcurrently);
  EXPECT_EQ(detach.partition.display(), "s.p1");
  const auto* domain = parsed.statements[9].as<CreateDomain>();
  ASSERT_NE(domain, nullptr);
  EXPECT_EQ(domain->name.display(), "s.code");
  EXPECT_TRUE(domain->not_null);
  EXPECT_EQ(domain->constraints.size(), 1u);
  const auto* add = parsed.statements[10].as<AlterDomain>();
  ASSERT_NE(add, nullptr);
  EXPECT_EQ(add->kind, AlterDomainKind::AddConstraint);
  EXPECT_TRUE(add->constraint->not_valid);
  EXPECT_EQ(add->name, "c");
  EXPECT_EQ(add->domain.display(), "s.code");
  EXPECT_EQ(parsed.statements[11].as<AlterDomain>()->kind, AlterDomainKind::ValidateConstraint);
  EXPECT_EQ(parsed.statements[11].as<AlterDomain>()->name, "c");
  EXPECT_EQ(parsed.statements[12].as<AlterDomain>()->kind, AlterDomainKind::SetNotNull);
  const auto* db = parsed.statements[13].as<DropDatabase>();
  ASSERT_NE(db, nullptr);
  EXPECT_TRUE(db->missing_ok);
  EXPECT_EQ(db->name, "old");
  const auto* schema = parsed.statements[14].as<CreateSchema>();
  ASSERT_NE(schema, nullptr);
  EXPECT_EQ(schema->name, "s");
  EXPECT_TRUE(schema->if_not_exists);
}

} // namespace
} // namespace miglint::sql
