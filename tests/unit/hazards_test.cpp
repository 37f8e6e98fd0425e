// The hazards miglint reads from the facts of the history (issue 10): what the statement model
// and the schema model learn for them, and the Alembic side of the enum-type rules (the SQL side
// is in tests/rules/*.sql; what PostgreSQL really does is in hazards_pg_test.cpp).

#include "lint/schema_state.hpp"
#include "sql/parser.hpp"
#include "test_support.hpp"

#include <gtest/gtest.h>

namespace miglint {
namespace {

using test::TempDir;

const sql::Statement& only(const sql::ParsedScript& parsed) {
  EXPECT_TRUE(parsed.errors.empty());
  EXPECT_EQ(parsed.statements.size(), 1u);
  return parsed.statements.at(0);
}

TEST(HazardModel, DmlKnowsWhetherItsWherePinsRows) {
  struct Case {
    const char* sql;
    sql::DmlKind kind;
    bool has_where;
    bool pins_rows;
  };
  const Case cases[] = {
      {"UPDATE t SET a = 1", sql::DmlKind::Update, false, false},
      {"UPDATE t SET a = 1 WHERE id = 5", sql::DmlKind::Update, true, true},
      {"UPDATE t SET a = 1 WHERE 5 = id", sql::DmlKind::Update, true, true},
      {"UPDATE t SET a = 1 WHERE id = 5 AND b > 3", sql::DmlKind::Update, true, true},
      {"UPDATE t SET a = 1 WHERE id = 5 OR b > 3", sql::DmlKind::Update, true, false},
      {"UPDATE t SET a = 1 WHERE a IS NULL", sql::DmlKind::Update, true, false},
      {"UPDATE t SET a = u.a FROM u WHERE t.id = u.id", sql::DmlKind::Update, true, false},
      {"UPDATE t SET a = 1 WHERE id IN (1, 2)", sql::DmlKind::Update, true, true},
      {"UPDATE t SET a = 1 WHERE id IN (SELECT id FROM u)", sql::DmlKind::Update, true, false},
      {"UPDATE t SET a = 1 WHERE id = ANY(ARRAY[1, 2])", sql::DmlKind::Update, true, true},
      {"UPDATE t SET a = 1 WHERE id = $1::int", sql::DmlKind::Update, true, true},
      {"UPDATE t SET a = 1 WHERE id <> 5", sql::DmlKind::Update, true, false},
      {"DELETE FROM t", sql::DmlKind::Delete, false, false},
      {"DELETE FROM t WHERE name = 'x'", sql::DmlKind::Delete, true, true},
      {"INSERT INTO t VALUES (1)", sql::DmlKind::Insert, false, false},
  };
  for (const auto& c : cases) {
    const auto parsed = sql::parse(c.sql);
    const auto* dml = only(parsed).as<sql::Dml>();
    ASSERT_NE(dml, nullptr) << c.sql;
    EXPECT_EQ(dml->table.name, "t") << c.sql;
    EXPECT_EQ(dml->kind, c.kind) << c.sql;
    EXPECT_EQ(dml->has_where, c.has_where) << c.sql;
    EXPECT_EQ(dml->pins_rows, c.pins_rows) << c.sql;
  }
  for (const char* batch :
       {"UPDATE t SET a = 1 WHERE id IN (SELECT id FROM t WHERE a IS NULL LIMIT 500)",
        "WITH b AS (SELECT id FROM t LIMIT 10) UPDATE t SET a = 1 FROM b WHERE t.id = b.id",
        "DELETE FROM t USING (SELECT id FROM t LIMIT 5) b WHERE t.id = b.id"}) {
    const auto parsed = sql::parse(batch);
    const auto* dml = only(parsed).as<sql::Dml>();
    ASSERT_NE(dml, nullptr) << batch;
    EXPECT_TRUE(dml->batched) << batch;
    EXPECT_FALSE(dml->whole_table()) << batch;
  }
  EXPECT_FALSE(only(sql::parse("UPDATE t SET a = 1 WHERE id IN (SELECT id FROM u)"))
                   .as<sql::Dml>()
                   ->batched);
  const auto select = sql::parse("INSERT INTO t SELECT * FROM u");
  EXPECT_TRUE(only(select).as<sql::Dml>()->from_query);
  const auto values = sql::parse("INSERT INTO t VALUES (1)");
  EXPECT_FALSE(only(values).as<sql::Dml>()->from_query);
}

TEST(HazardModel, AlterEnumStatements) {
  const auto add = sql::parse("ALTER TYPE app.s ADD VALUE IF NOT EXISTS 'c' AFTER 'b'");
  const auto* a = only(add).as<sql::AlterEnum>();
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->type.key(), "app.s");
  EXPECT_EQ(a->value, "c");
  EXPECT_EQ(a->neighbor, "b");
  EXPECT_TRUE(a->after);
  EXPECT_TRUE(a->if_not_exists);
  EXPECT_FALSE(a->is_rename());
  const auto rename = sql::parse("ALTER TYPE s RENAME VALUE 'a' TO 'z'");
  const auto* r = only(rename).as<sql::AlterEnum>();
  ASSERT_NE(r, nullptr);
  EXPECT_TRUE(r->is_rename());
  EXPECT_EQ(r->old_value, "a");
  EXPECT_EQ(r->value, "z");
}

// Learns a script into a schema model.
lint::SchemaState learn(const std::string& sql) {
  lint::SchemaState schema;
  const auto parsed = sql::parse(sql);
  EXPECT_TRUE(parsed.errors.empty()) << sql;
  for (const auto& s : parsed.statements) {
    schema.apply(s);
  }
  return schema;
}

TEST(HazardModel, PartitionedTables) {
  const auto schema =
      learn("CREATE TABLE ev (a int, at date) PARTITION BY RANGE (at);"
            "CREATE TABLE ev_1 PARTITION OF ev FOR VALUES FROM ('2020-01-01') TO ('2021-01-01');"
            "CREATE TABLE ev_2 PARTITION OF ev FOR VALUES FROM ('2021-01-01') TO ('2022-01-01') "
            "PARTITION BY LIST (a);"
            "CREATE TABLE plain (a int)");
  ASSERT_NE(schema.table({"", "ev"}), nullptr);
  EXPECT_TRUE(schema.table({"", "ev"})->partitioned);
  EXPECT_FALSE(schema.table({"", "ev_1"})->partitioned);
  EXPECT_TRUE(schema.table({"", "ev_2"})->partitioned);
  EXPECT_FALSE(schema.table({"", "plain"})->partitioned);
  const auto parsed = sql::parse("CREATE TABLE ev_1 PARTITION OF app.ev FOR VALUES IN (1)");
  EXPECT_EQ(only(parsed).as<sql::CreateTable>()->parent.key(), "app.ev");
}

TEST(HazardModel, EnumTypesThroughTheHistory) {
  auto schema = learn("CREATE TYPE s AS ENUM ('a', 'b');"
                      "ALTER TYPE s ADD VALUE 'c';"
                      "ALTER TYPE s RENAME VALUE 'a' TO 'z';"
                      "CREATE TYPE app.t AS ENUM ('x');"
                      "DROP TYPE app.t;"
                      "CREATE TYPE old AS ENUM ('x');"
                      "ALTER TYPE old RENAME TO renamed");
  ASSERT_NE(schema.enum_type({"public", "s"}), nullptr);
  EXPECT_EQ(schema.enum_type({"", "s"})->labels, (std::vector<std::string>{"z", "b", "c"}));
  EXPECT_EQ(schema.enum_type({"app", "t"}), nullptr);
  EXPECT_TRUE(schema.type_dropped({"app", "t"}));
  EXPECT_EQ(schema.enum_type({"", "old"}), nullptr);
  EXPECT_NE(schema.enum_type({"", "renamed"}), nullptr);
  EXPECT_FALSE(schema.type_dropped({"", "s"}));
}

TEST(HazardModel, DoBlocksCreateAndDropEnumTypes) {
  const auto schema = learn(R"sql(
DO $$ BEGIN
    CREATE TYPE "Job_State" AS ENUM ('queued', 'done');
EXCEPTION
    WHEN duplicate_object THEN null;
END $$;
DO $body$
BEGIN
  CREATE   TYPE billing.plan AS
     ENUM ('free');
  CREATE TYPE point2 AS (x int, y int);
  DROP TYPE IF EXISTS legacy_state;
  PERFORM 1 FROM pg_type WHERE typname = 'types';
END
$body$;
)sql");
  EXPECT_NE(schema.enum_type({"", "Job_State"}), nullptr);
  EXPECT_NE(schema.enum_type({"billing", "plan"}), nullptr);
  EXPECT_EQ(schema.enum_type({"", "point2"}), nullptr) << "a composite type is no enum";
  EXPECT_TRUE(schema.type_dropped({"", "legacy_state"}));
}

TEST(HazardModel, IndexesKnowTheirColumnsAndPrimaryKeysMakeColumnsNotNull) {
  const auto schema = learn("CREATE TABLE t (id int, b int, c int, PRIMARY KEY (c));"
                            "CREATE UNIQUE INDEX t_id ON t (id, lower(b::text));"
                            "ALTER TABLE t DROP CONSTRAINT t_pkey;"
                            "ALTER TABLE t ADD CONSTRAINT t_pk PRIMARY KEY USING INDEX t_id");
  const auto* index = schema.index({"", "t_pk"});
  ASSERT_NE(index, nullptr) << "USING INDEX renames the index to the constraint";
  EXPECT_EQ(schema.index({"", "t_id"}), nullptr);
  EXPECT_EQ(index->columns, (std::vector<std::string>{"id", ""}));
  EXPECT_TRUE(index->unique);
  EXPECT_EQ(index->table.name, "t");
  EXPECT_TRUE(schema.table({"", "t"})->column("id")->not_null);
  EXPECT_FALSE(schema.table({"", "t"})->column("b")->not_null);
  EXPECT_TRUE(schema.table({"", "t"})->column("c")->not_null) << "table-level PRIMARY KEY";
}

// --- Alembic -------------------------------------------------------------------------------------

const char* k_header = "from alembic import op\nimport sqlalchemy as sa\n"
                       "from sqlalchemy.dialects import postgresql\n\n";

std::string revision_file(const std::string& id, const std::string& down, const std::string& up,
                          const std::string& downgrade = "    pass\n") {
  return std::string(k_header) + "revision = \"" + id +
         "\"\ndown_revision = " + (down.empty() ? std::string("None") : "\"" + down + "\"") +
         "\n\n\ndef upgrade():\n" + up + "\n\ndef downgrade():\n" + downgrade;
}

// The findings of `rule` in a versions directory: (revision, line) each.
std::vector<std::pair<std::string, uint32_t>> findings_of(const TempDir& dir,
                                                          const std::string& rule) {
  std::vector<std::pair<std::string, uint32_t>> out;
  for (const auto& f : test::discover_and_lint({(dir.path() / "versions").string()}).findings) {
    if (f.rule == rule) {
      out.emplace_back(f.migration, f.location.start().line);
    }
  }
  return out;
}

using Found = std::vector<std::pair<std::string, uint32_t>>;

TEST(HazardAlembic, AddColumnWithAnEnumNobodyCreated) {
  TempDir dir;
  // line 10 is the first line of upgrade()'s body
  dir.write("versions/a1.py",
            revision_file("a1", "",
                          "    op.create_table(\"orders\", sa.Column(\"id\", sa.Integer, "
                          "primary_key=True),\n"
                          "                    sa.Column(\"state\", sa.Enum(\"new\", \"paid\", "
                          "name=\"order_state\")))\n"));
  dir.write("versions/b2.py",
            revision_file("b2", "a1",
                          "    op.add_column(\"orders\", sa.Column(\"again\", sa.Enum(\"new\", "
                          "\"paid\", name=\"order_state\")))\n"
                          "    op.add_column(\"orders\", sa.Column(\"kind\", sa.Enum(\"a\", \"b\", "
                          "name=\"order_kind\")))\n"
                          "    op.alter_column(\"orders\", \"id\", type_=postgresql.ENUM(\"x\", "
                          "name=\"id_kind\"))\n"
                          "    op.add_column(\"orders\", sa.Column(\"flat\", sa.Enum(\"a\", "
                          "name=\"flat_kind\", native_enum=False)))\n"
                          "    op.create_table(\"refunds\", sa.Column(\"state\", postgresql.ENUM("
                          "\"new\", name=\"refund_state\", create_type=False)))\n"));
  EXPECT_EQ(findings_of(dir, "enum-type-not-created"), (Found{{"b2", 11}, {"b2", 12}, {"b2", 14}}));
  // With the type created first, nothing.
  dir.write("versions/b2.py",
            revision_file("b2", "a1",
                          "    kind = sa.Enum(\"a\", \"b\", name=\"order_kind\")\n"
                          "    kind.create(op.get_bind(), checkfirst=True)\n"
                          "    op.add_column(\"orders\", sa.Column(\"kind\", kind))\n"
                          "    op.execute(\"CREATE TYPE refund_state AS ENUM ('new')\")\n"
                          "    op.create_table(\"refunds\", sa.Column(\"state\", postgresql.ENUM("
                          "\"new\", name=\"refund_state\", create_type=False)))\n"));
  EXPECT_EQ(findings_of(dir, "enum-type-not-created"), Found{});
}

TEST(HazardAlembic, UnanalysableCodeEarlierSilencesTheMissingType) {
  TempDir dir;
  dir.write("versions/a1.py", revision_file("a1", "",
                                            "    from myapp.models import Base\n"
                                            "    Base.metadata.create_all(op.get_bind())\n"));
  dir.write("versions/b2.py", revision_file("b2", "a1",
                                            "    op.add_column(\"orders\", sa.Column(\"kind\", "
                                            "sa.Enum(\"a\", name=\"order_kind\")))\n"));
  const auto r = test::discover_and_lint({(dir.path() / "versions").string()});
  ASSERT_GE(test::count_rule(r.findings, "unanalyzable-code"), 1u)
      << "the fixture must hold code miglint cannot read";
  EXPECT_EQ(test::count_rule(r.findings, "enum-type-not-created"), 0u);
}

TEST(HazardAlembic, EnumCreatedTwice) {
  TempDir dir;
  dir.write("versions/a1.py",
            revision_file("a1", "",
                          "    state = sa.Enum(\"new\", \"paid\", name=\"order_state\")\n"
                          "    state.create(op.get_bind())\n"
                          "    op.create_table(\"orders\", sa.Column(\"state\", state))\n"));
  dir.write(
      "versions/b2.py",
      revision_file("b2", "a1",
                    "    op.create_table(\"archive\", sa.Column(\"state\", sa.Enum(\"new\", "
                    "\"paid\", name=\"order_state\")))\n"
                    "    sa.Enum(\"new\", \"paid\", name=\"order_state\").create(op.get_bind(),"
                    " checkfirst=True)\n"
                    "    op.create_table(\"refunds\", sa.Column(\"state\", postgresql.ENUM("
                    "\"new\", name=\"order_state\", create_type=False)))\n"));
  EXPECT_EQ(findings_of(dir, "enum-type-created-twice"), (Found{{"a1", 12}, {"b2", 10}}));
}

// SQLAlchemy notes the enum types create_table() created in the migration context's memo: a
// second table with the same Enum in the same revision does not create it again.
TEST(HazardAlembic, OneRevisionCreatesASharedEnumOnce) {
  TempDir dir;
  dir.write("versions/a1.py",
            revision_file("a1", "",
                          "    state = sa.Enum(\"new\", \"paid\", name=\"order_state\")\n"
                          "    op.create_table(\"orders\", sa.Column(\"state\", state))\n"
                          "    op.create_table(\"archive\", sa.Column(\"state\", state))\n"));
  const auto r = test::discover_and_lint({(dir.path() / "versions").string()});
  EXPECT_EQ(test::count_rule(r.findings, "enum-type-created-twice"), 0u);
  ASSERT_EQ(r.discovery.migrations.size(), 1u);
  const std::string& sql = r.discovery.migrations[0].upgrade->sql;
  EXPECT_EQ(sql.find("CREATE TYPE"), sql.rfind("CREATE TYPE")) << sql;
  EXPECT_NE(sql.find("CREATE TYPE"), std::string::npos) << sql;
}

TEST(HazardAlembic, AutocommitBlockCommitsTheNewEnumValue) {
  TempDir dir;
  dir.write("versions/a1.py",
            revision_file("a1", "",
                          "    op.execute(\"ALTER TYPE order_state ADD VALUE 'refunded'\")\n"
                          "    op.execute(\"UPDATE orders SET state = 'refunded' WHERE refund_id "
                          "IS NOT NULL\")\n"));
  dir.write("versions/b2.py",
            revision_file("b2", "a1",
                          "    with op.get_context().autocommit_block():\n"
                          "        op.execute(\"ALTER TYPE order_state ADD VALUE 'disputed'\")\n"
                          "    op.execute(\"UPDATE orders SET state = 'disputed' WHERE dispute_id "
                          "IS NOT NULL\")\n"));
  EXPECT_EQ(findings_of(dir, "enum-add-value-in-transaction"), (Found{{"a1", 11}}));
}

} // namespace
} // namespace miglint
