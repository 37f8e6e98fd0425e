// Revision code evaluated statically: helpers, loops, try, data-dependent code, the inspector
// answered from the history, the SQLAlchemy vocabulary, and where each finding lands. Every
// fixture is a small revision written for the idiom it reproduces.

#include "alembic/translate.hpp"
#include "discover/discover.hpp"
#include "lint/linter.hpp"
#include "test_support.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace miglint {
namespace {

using test::TempDir;

std::string revision(const std::string& id, const std::string& down, const std::string& up,
                     const std::string& downgrade = "    pass\n", const std::string& module = "") {
  return "from alembic import op\nimport sqlalchemy as sa\nfrom sqlalchemy import inspect\n\n" +
         module + "revision = \"" + id +
         "\"\ndown_revision = " + (down.empty() ? std::string("None") : "\"" + down + "\"") +
         "\n\n\ndef upgrade():\n" + up + "\n\ndef downgrade():\n" + downgrade;
}

struct Checked : test::Checked {

  const source::Migration& migration(const std::string& id) const {
    for (const auto& m : discovery.migrations) {
      if (m.id == id) {
        return m;
      }
    }
    throw std::runtime_error("no migration " + id);
  }
  std::string up(const std::string& id) const { return migration(id).upgrade->sql; }
  std::string down(const std::string& id) const { return migration(id).downgrade->sql; }
  size_t count(const std::string& rule) const { return test::count_rule(findings, rule); }
  std::vector<std::string> messages(const std::string& rule) const {
    std::vector<std::string> out;
    for (const auto& f : findings) {
      if (f.rule == rule) {
        out.push_back(f.message);
      }
    }
    return out;
  }
};

Checked check(const TempDir& dir) {
  Checked r;
  static_cast<test::Checked&>(r) = test::discover_and_lint({(dir.path() / "versions").string()});
  return r;
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

// The 1-based line of the first occurrence of `needle` in `text`.
uint32_t line_of(const std::string& text, const std::string& needle) {
  const auto at = text.find(needle);
  EXPECT_NE(at, std::string::npos) << needle;
  return static_cast<uint32_t>(
      std::count(text.begin(), text.begin() + static_cast<long>(at), '\n') + 1);
}

std::vector<uint32_t> lines_of(const Checked& r, const std::vector<std::string>& rules) {
  std::vector<uint32_t> out;
  for (const auto& f : r.findings) {
    if (std::find(rules.begin(), rules.end(), f.rule) != rules.end()) {
      out.push_back(f.location.start().line);
    }
  }
  return out;
}

TEST(AlembicEval, HelpersAreCalledWithTheirArgumentsAndReportAtTheCallSite) {
  TempDir dir;
  const std::string text = revision("a1", "",
                                    "    _index(\"ix_a\", \"orders\", [\"a\"])\n"
                                    "    _index(\"ix_b\", \"orders\", [\"b\"], unique=True)\n"
                                    "    _run(\"ALTER TABLE orders DROP COLUMN c\")\n",
                                    "    pass\n",
                                    "def _index(name, table, columns, unique=False):\n"
                                    "    print(f\"creating {name}\")\n"
                                    "    op.create_index(name, table, columns, unique=unique)\n\n\n"
                                    "def _run(sql):\n    op.execute(sql)\n\n\n");
  dir.write("versions/a1.py", text);
  const Checked r = check(dir);
  EXPECT_TRUE(contains(r.up("a1"), "CREATE INDEX ix_a ON orders (a)")) << r.up("a1");
  EXPECT_TRUE(contains(r.up("a1"), "CREATE UNIQUE INDEX ix_b ON orders (b)")) << r.up("a1");
  // Each finding on the line in upgrade() that led to it; SQL passed to a helper maps into the
  // literal at the call site.
  EXPECT_EQ(
      lines_of(r, {"create-index-non-concurrent", "drop-column"}),
      (std::vector<uint32_t>{line_of(text, "_index(\"ix_a\""), line_of(text, "_index(\"ix_b\""),
                             line_of(text, "_run(\"ALTER")}));
  const core::Finding* drop = nullptr;
  for (const auto& f : r.findings) {
    drop = f.rule == "drop-column" ? &f : drop;
  }
  ASSERT_NE(drop, nullptr);
  EXPECT_EQ(text.substr(drop->location.begin, 12), "DROP COLUMN ")
      << "its subcommand, in the literal";
  EXPECT_EQ(r.count("unanalyzable-code"), 0u);
}

TEST(AlembicEval, LoopsUnpackingSlicesAndFormatting) {
  TempDir dir;
  dir.write("versions/a1.py",
            revision("a1", "",
                     "    for table, (col, type_), *rest in [(\"a\", (\"x\", sa.Integer())),\n"
                     "                                     (\"b\", (\"y\", sa.Text()), 1)]:\n"
                     "        op.add_column(table, sa.Column(col, type_))\n"
                     "        if rest:\n"
                     "            continue\n"
                     "        op.execute(\"ANALYZE %s\" % table)\n"
                     "    name = \"ix_orders_total\"\n"
                     "    op.create_index(\"idx_\" + name[3:], \"orders\", [\"total\"])\n"
                     "    for i, t in enumerate(sorted({\"c\": 1, \"d\": 2})):\n"
                     "        op.drop_table(\"{}_{}\".format(t, i))\n"));
  const Checked r = check(dir);
  const std::string sql = r.up("a1");
  EXPECT_TRUE(contains(sql, "ALTER TABLE a ADD COLUMN x INTEGER")) << sql;
  EXPECT_TRUE(contains(sql, "ALTER TABLE b ADD COLUMN y TEXT")) << sql;
  EXPECT_TRUE(contains(sql, "ANALYZE a")) << sql;
  EXPECT_FALSE(contains(sql, "ANALYZE b")) << sql; // `continue` skipped it
  EXPECT_TRUE(contains(sql, "CREATE INDEX idx_orders_total ON orders")) << sql;
  EXPECT_TRUE(contains(sql, "DROP TABLE c_0")) << sql;
  EXPECT_TRUE(contains(sql, "DROP TABLE d_1")) << sql;
  EXPECT_EQ(r.count("unanalyzable-code"), 0u);
}

TEST(AlembicEval, InspectorQuestionsAreAnsweredFromTheHistory) {
  TempDir dir;
  dir.write("versions/a1.py",
            revision("a1", "",
                     "    op.create_table(\"users\", sa.Column(\"id\", sa.Integer(), "
                     "primary_key=True), sa.Column(\"email\", sa.String(50)))\n"
                     "    op.create_index(\"ix_users_email\", \"users\", [\"email\"])\n"));
  dir.write("versions/a2.py",
            revision("a2", "a1",
                     "    inspector = inspect(op.get_bind())\n"
                     "    if not inspector.has_table(\"users\"):\n"
                     "        op.create_table(\"users\", sa.Column(\"id\", sa.Integer()))\n"
                     "    if \"teams\" not in inspector.get_table_names():\n"
                     "        op.create_table(\"teams\", sa.Column(\"id\", sa.Integer()))\n"
                     "    columns = [c[\"name\"] for c in inspector.get_columns(\"users\")]\n"
                     "    for col in (\"email\", \"name\"):\n"
                     "        if col not in columns:\n"
                     "            op.add_column(\"users\", sa.Column(col, sa.Text()))\n"
                     "    if not any(ix[\"name\"] == \"ix_users_email\" for ix in "
                     "inspector.get_indexes(\"users\")):\n"
                     "        op.create_index(\"ix_users_email\", \"users\", [\"email\"])\n"
                     "    try:\n"
                     "        inspector.get_columns(\"missing\")\n"
                     "        op.drop_table(\"missing\")\n"
                     "    except Exception:\n"
                     "        op.execute(\"SELECT 'no table'\")\n",
                     "    if \"name\" in [c[\"name\"] for c in "
                     "inspect(op.get_bind()).get_columns(\"users\")]:\n"
                     "        op.drop_column(\"users\", \"name\")\n"));
  const Checked r = check(dir);
  const std::string up = r.up("a2");
  EXPECT_FALSE(contains(up, "CREATE TABLE users")) << up;
  EXPECT_TRUE(contains(up, "CREATE TABLE teams")) << up;
  EXPECT_FALSE(contains(up, "ADD COLUMN email")) << up;
  EXPECT_TRUE(contains(up, "ADD COLUMN name")) << up;
  EXPECT_FALSE(contains(up, "CREATE INDEX")) << up;
  // get_columns of a table the history has not created raises NoSuchTableError: the except runs.
  EXPECT_FALSE(contains(up, "DROP TABLE missing")) << up;
  EXPECT_TRUE(contains(up, "no table")) << up;
  // The downgrade is answered with the schema after the upgrade.
  EXPECT_TRUE(contains(r.down("a2"), "DROP COLUMN name")) << r.down("a2");
  EXPECT_EQ(r.count("unanalyzable-code"), 0u);
}

TEST(AlembicEval, DataDependentCodeIsReportedOnlyWhenItChangesTheSchema) {
  TempDir dir;
  const std::string text =
      revision("a1", "",
               "    conn = op.get_bind()\n"
               "    rows = conn.execute(sa.text(\"SELECT id FROM users\")).fetchall()\n"
               "    for row in rows:\n"
               "        conn.execute(sa.text(\"UPDATE users SET n = 1 WHERE id = :id\"), "
               "{\"id\": row[0]})\n"
               "    if rows:\n"
               "        op.execute(\"UPDATE users SET m = 2\")\n"
               "    names = conn.execute(sa.text(\"SELECT conname FROM pg_constraint WHERE conname "
               "LIKE 'fk_%'\"))\n"
               "    for (name,) in names:\n"
               "        op.drop_constraint(name, \"users\")\n"
               "    if conn.execute(sa.text(\"SELECT 1\")).scalar():\n"
               "        op.drop_column(\"users\", \"old\")\n"
               "    conn.execute(sa.text(\"UPDATE users SET k = :k WHERE k IS NULL\"), "
               "{\"k\": 0})\n");
  dir.write("versions/a1.py", text);
  const Checked r = check(dir);
  // Only the loop and the condition whose code changes the schema are reported.
  EXPECT_EQ(lines_of(r, {"unanalyzable-code"}),
            (std::vector<uint32_t>{line_of(text, "in names:"), line_of(text, "if conn.execute")}))
      << r.up("a1");
  // A catalog query of a shape miglint does not answer is named in the finding.
  EXPECT_TRUE(contains(r.messages("unanalyzable-code").front(), "pg_constraint"))
      << r.messages("unanalyzable-code").front();
  // A bind parameter given statically is sent as the literal psycopg2 renders, and both
  // branches of the DDL condition are analysed.
  EXPECT_TRUE(contains(r.up("a1"), "UPDATE users SET k = 0 WHERE k IS NULL")) << r.up("a1");
  EXPECT_TRUE(contains(r.up("a1"), "DROP COLUMN old")) << r.up("a1");
  EXPECT_EQ(r.count("sql-syntax-error"), 0u);
}

TEST(AlembicEval, VocabularyDefaultsEnumsBindAndUnknownTypes) {
  TempDir dir;
  dir.write("versions/a1.py",
            revision("a1", "",
                     "    bind = op.get_bind()\n"
                     "    bind.execute(sa.text(\"SET lock_timeout = '5s'\"))\n"
                     "    status = sa.Enum(\"new\", \"done\", name=\"status\")\n"
                     "    status.create(bind)\n"
                     "    op.add_column(\"orders\", sa.Column(\"status\", "
                     "sa.Enum(\"new\", \"done\", name=\"status\", create_type=False)))\n"
                     "    op.add_column(\"orders\", sa.Column(\"paid\", sa.Boolean(), "
                     "nullable=False, server_default=sa.sql.expression.false()))\n"
                     "    op.add_column(\"orders\", sa.Column(\"seen_at\", "
                     "app.types.TZDateTime(), nullable=True))\n" // line 24
                     "    if str(bind.engine.url).startswith(\"mysql\") or "
                     "context.is_offline_mode():\n"
                     "        op.drop_table(\"orders\")\n"
                     "    bind.commit()\n"
                     "    op.create_index(\"ix_paid\", \"orders\", [\"paid\"], "
                     "postgresql_concurrently=True)\n",
                     "    op.drop_column(\"orders\", \"status\")\n"
                     "    sa.Enum(name=\"status\").drop(op.get_bind(), checkfirst=False)\n",
                     "import app.types\nfrom alembic import context\n\n"));
  const Checked r = check(dir);
  const std::string up = r.up("a1");
  EXPECT_TRUE(contains(up, "CREATE TYPE status AS ENUM ('new', 'done')")) << up;
  EXPECT_TRUE(contains(up, "BOOLEAN DEFAULT false NOT NULL")) << up;
  // The project type is kept (opaque), the operation with it too.
  EXPECT_TRUE(contains(up, "ADD COLUMN seen_at \"TZDateTime\"")) << up;
  EXPECT_FALSE(contains(up, "DROP TABLE orders")) << up;
  // SQLAlchemy 2.0's commit ends the transaction and the next statement begins another:
  // CONCURRENTLY after it still runs inside one (autocommit_block is the way).
  EXPECT_TRUE(contains(up, "COMMIT;")) << up;
  EXPECT_EQ(r.count("concurrently-in-transaction"), 1u);
  // SET lock_timeout through the connection counts (for the upgrade; the downgrade sets none).
  for (const auto& f : r.findings) {
    EXPECT_FALSE(f.rule == "missing-lock-timeout" && f.phase == core::Phase::Upgrade) << f.message;
  }
  // The downgrade drops the type: no leak.
  EXPECT_TRUE(contains(r.down("a1"), "DROP TYPE status")) << r.down("a1");
  EXPECT_EQ(r.count("enum-type-leak"), 0u);
  const auto notes = r.messages("unanalyzable-code");
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_TRUE(contains(notes[0], "app.types.TZDateTime")) << notes[0];
  EXPECT_TRUE(contains(notes[0], "opaque type")) << notes[0];
}

TEST(AlembicEval, RunawayLoopsStopWithOneFinding) {
  TempDir dir;
  dir.write("versions/a1.py",
            revision("a1", "",
                     "    for i in range(10000):\n"
                     "        for j in range(10000):\n"
                     "            pass\n"
                     "    op.drop_table(\"never_reached\")\n",
                     "    pass\n", "SIZE = [x for x in range(10000) for y in range(10000)]\n\n"));
  const Checked r = check(dir); // returns quickly: the evaluation has a budget
  const auto notes = r.messages("unanalyzable-code");
  ASSERT_EQ(notes.size(), 1u) << r.up("a1");
  EXPECT_TRUE(contains(notes[0], "stopped after")) << notes[0];
}

// Containers that contain themselves: described, compared and passed on without recursing forever.
TEST(AlembicEval, SelfContainingValuesDoNotCrash) {
  TempDir dir;
  dir.write("versions/a1.py", revision("a1", "",
                                       "    a = []\n    a.append(a)\n    if a == a:\n"
                                       "        print(a)\n    op.execute(str(a))\n"
                                       "    d = {}\n    d[\"x\"] = d\n"
                                       "    op.create_index(\"i\", \"t\", d)\n"));
  const Checked r = check(dir);
  EXPECT_EQ(r.count("unanalyzable-code"), 2u); // the SQL text and the index elements
}

TEST(AlembicEval, UndefinedHelpersAndLimitsAreReportedOnce) {
  TempDir dir;
  dir.write("versions/a1.py",
            revision("a1", "",
                     "    for t in (\"a\", \"b\", \"c\"):\n"
                     "        imported_helper(op, t)\n" // line 18: once, not three times
                     "    _recurse(0)\n",
                     "    pass\n",
                     "from app.migrations import imported_helper\n\n"
                     "def _recurse(n):\n    op.execute(\"SELECT 1\")\n    _recurse(n + 1)\n\n\n"));
  const Checked r = check(dir);
  const auto notes = r.messages("unanalyzable-code");
  ASSERT_EQ(notes.size(), 2u) << r.up("a1");
  EXPECT_EQ(std::count_if(notes.begin(), notes.end(),
                          [](const std::string& m) {
                            return contains(m, "`app.migrations.imported_helper()` is defined "
                                               "outside this file");
                          }),
            1);
  EXPECT_EQ(std::count_if(notes.begin(), notes.end(),
                          [](const std::string& m) { return contains(m, "nested deeper"); }),
            1);
}

TEST(AlembicEval, ProjectTypesAreReadFromTheirModuleInTheTree) {
  TempDir dir;
  dir.write("src/app/__init__.py", "");
  dir.write("src/app/db/__init__.py", "from app.db.types import Stamp as Stamp\n");
  dir.write("src/app/db/types.py",
            "import sqlalchemy as sa\nfrom sqlalchemy.dialects import postgresql\n"
            "from sqlalchemy.types import TypeDecorator\n\n\n"
            "class Stamp(TypeDecorator):\n    impl = sa.TIMESTAMP(timezone=True)\n"
            "    cache_ok = True\n\n\n"
            "class GUID(TypeDecorator):\n    impl = sa.CHAR\n\n"
            "    def load_dialect_impl(self, dialect):\n"
            "        if dialect.name == \"postgresql\":\n"
            "            return dialect.type_descriptor(postgresql.UUID())\n"
            "        return dialect.type_descriptor(sa.CHAR(36))\n\n\n"
            "class Email(sa.String):\n    pass\n\n\n"
            "class Document(GUID):\n    pass\n");
  dir.write("versions/a1.py",
            revision("a1", "",
                     "    op.create_table(\n        \"t\",\n"
                     "        sa.Column(\"id\", app.db.types.GUID(), primary_key=True),\n"
                     "        sa.Column(\"at\", Stamp(), nullable=False),\n"
                     "        sa.Column(\"email\", Email(255)),\n"
                     "        sa.Column(\"doc\", app.db.types.Document()),\n"
                     "        sa.Column(\"local\", Money()),\n"
                     "        sa.Column(\"missing\", app.db.types.Nowhere()),\n"
                     "        sa.Column(\"tags\", Dict[str, List[Union[int, str,]],]),\n"
                     "    )\n",
                     "    pass\n",
                     "import app.db.types\nfrom app.db import Stamp\n"
                     "from app.db.types import Email\nfrom typing import Dict, List, Union\n\n\n"
                     "class Money(sa.types.TypeDecorator):\n    impl = sa.Numeric(12, 2)\n\n\n"));
  const Checked r = check(dir);
  const std::string up = r.up("a1");
  EXPECT_TRUE(contains(up, "id UUID NOT NULL")) << up;
  EXPECT_TRUE(contains(up, "at TIMESTAMP WITH TIME ZONE NOT NULL")) << up;
  EXPECT_TRUE(contains(up, "email VARCHAR")) << up;
  EXPECT_TRUE(contains(up, "doc UUID")) << up;
  EXPECT_TRUE(contains(up, "local NUMERIC(12, 2)")) << up;
  EXPECT_TRUE(contains(up, "missing \"Nowhere\"")) << up;
  EXPECT_EQ(r.count("input-error"), 0u);
  const auto notes = r.messages("unanalyzable-code");
  ASSERT_EQ(notes.size(), 2u) << up; // Nowhere, and the typing expression used as a type
  EXPECT_TRUE(contains(notes[0] + notes[1], "app.db.types.Nowhere")) << notes[0];
}

// A data migration that leaves early when a row is missing: what follows is still analysed.
TEST(AlembicEval, EarlyExitOnDataDoesNotEndTheAnalysis) {
  TempDir dir;
  dir.write(
      "versions/a1.py",
      revision("a1", "",
               "    conn = op.get_bind()\n"
               "    row = conn.execute(sa.text(\"SELECT id FROM roles LIMIT 1\")).fetchone()\n"
               "    if not row:\n"
               "        get_logger().info(\"nothing to do\")\n"
               "        return\n"
               "    op.execute(\"UPDATE roles SET p = 1\")\n"
               "    op.create_index(\"ix_roles_name\", \"roles\", [\"name\", "
               "sa.literal_column(\"id DESC\")])\n",
               "    if inspect(op.get_bind()).has_table(\"never_created\"):\n"
               "        op.drop_table(\"never_created\")\n",
               "from app.logging import get_logger\n\n"));
  const Checked r = check(dir);
  const std::string up = r.up("a1");
  EXPECT_TRUE(contains(up, "UPDATE roles SET p = 1")) << up;
  EXPECT_TRUE(contains(up, "CREATE INDEX ix_roles_name ON roles (name, id DESC)")) << up;
  // The logger is not code with effects; the downgrade's code ran no SQL, which is not `pass`.
  EXPECT_EQ(r.count("unanalyzable-code"), 0u);
  EXPECT_EQ(r.count("empty-downgrade"), 0u);
  EXPECT_EQ(r.migration("a1").downgrade->body_note, source::k_runs_no_sql);
}

// Copying a table the SQLite way: reflect it, build a new Table from copies of its columns and
// constraints, create it, move the rows, drop the old one, rename the new one.
TEST(AlembicEval, ReflectedTableCopiesAreCreatedFromTheHistory) {
  TempDir dir;
  dir.write("versions/a1.py",
            revision("a1", "",
                     "    op.create_table(\"tools\", sa.Column(\"id\", sa.Integer(), "
                     "primary_key=True),\n"
                     "        sa.Column(\"name\", sa.String(50), nullable=False),\n"
                     "        sa.Column(\"team\", sa.Integer()),\n"
                     "        sa.UniqueConstraint(\"name\", name=\"uq_tools_name\"))\n"));
  dir.write("versions/a2.py",
            revision("a2", "a1",
                     "    bind = op.get_bind()\n"
                     "    metadata = sa.MetaData()\n"
                     "    table = sa.Table(\"tools\", metadata, autoload_with=bind)\n"
                     "    new_table = sa.Table(\"tools_tmp\", metadata)\n"
                     "    for column in table.columns:\n"
                     "        new_table.append_column(column.copy())\n"
                     "    for uq in table.constraints:\n"
                     "        if isinstance(uq, sa.UniqueConstraint) and "
                     "set(c.name for c in uq.columns) != {\"name\"}:\n"
                     "            new_table.append_constraint(uq.copy())\n"
                     "    new_table.create(bind)\n"
                     "    names = [c.name for c in table.columns]\n"
                     "    bind.execute(new_table.insert().from_select(names, "
                     "sa.select(*[table.c[n] for n in names])))\n"
                     "    op.create_unique_constraint(\"uq_tools_team_name\", \"tools_tmp\", "
                     "[\"team\", \"name\"])\n"
                     "    op.drop_table(\"tools\")\n"
                     "    op.rename_table(\"tools_tmp\", \"tools\")\n"));
  dir.write("versions/a3.py",
            revision("a3", "a2",
                     "    if \"team\" in [c[\"name\"] for c in "
                     "inspect(op.get_bind()).get_columns(\"tools\")]:\n"
                     "        op.create_index(\"ix_tools_team\", \"tools\", [\"team\"])\n"));
  const Checked r = check(dir);
  const std::string up = r.up("a2");
  EXPECT_TRUE(contains(up, "CREATE TABLE tools_tmp (\n    id SERIAL NOT NULL, \n    name "
                           "VARCHAR(50) NOT NULL, \n    team INTEGER, \n    PRIMARY KEY (id)\n)"))
      << up;
  EXPECT_TRUE(contains(up, "ALTER TABLE tools_tmp RENAME TO tools")) << up;
  EXPECT_FALSE(contains(up, "uq_tools_name")) << "the filter on the constraint's columns: " << up;
  // The history goes on with the copy: a later guard sees its columns.
  EXPECT_TRUE(contains(r.up("a3"), "CREATE INDEX ix_tools_team")) << r.up("a3");
  // The rows are copied with the INSERT ... SELECT SQLAlchemy compiles.
  EXPECT_TRUE(contains(up, "INSERT INTO tools_tmp (id, name, team) SELECT tools.id, tools.name, "
                           "tools.team \nFROM tools"))
      << up;
  EXPECT_EQ(r.count("unanalyzable-code"), 0u);
}

// Plain op.* calls with literal arguments are translated from their syntax (the fast path that
// keeps lint fast); through the evaluator the same calls must give the same SQL.
TEST(AlembicEval, FastPathAndEvaluatorAgree) {
  const std::string ops =
      "    X.create_table(\"t\", sa.Column(\"id\", sa.BigInteger(), primary_key=True),\n"
      "        sa.Column(\"s\", sa.Enum(\"a\", \"b\", name=\"st\"), nullable=False, "
      "server_default=\"a\"),\n"
      "        sa.Column(\"at\", sa.DateTime(timezone=True), server_default=sa.text(\"now()\")),\n"
      "        sa.UniqueConstraint(\"s\", name=op.f(\"uq_t_s\")), comment=\"c\")\n"
      "    X.add_column(\"t\", sa.Column(\"n\", sa.Numeric(10, 2), nullable=True))\n"
      "    X.alter_column(\"t\", \"n\", existing_type=sa.Numeric(10, 2), nullable=False, "
      "new_column_name=\"m\")\n"
      "    X.create_index(\"ix_t_m\", \"t\", [\"m\"], unique=True, postgresql_where=sa.text("
      "\"m > 0\"))\n"
      "    X.create_foreign_key(\"fk\", \"t\", \"u\", [\"m\"], [\"id\"], ondelete=\"CASCADE\")\n"
      "    X.execute(\"UPDATE t SET m = 1\")\n"
      "    X.drop_constraint(\"uq_t_s\", \"t\", type_=\"unique\")\n";
  auto sql_of = [&](const std::string& body) {
    TempDir dir;
    dir.write("versions/a1.py", revision("a1", "", body));
    return check(dir).up("a1");
  };
  std::string plain = ops;
  for (size_t at; (at = plain.find("X.")) != std::string::npos;) {
    plain.replace(at, 2, "op.");
  }
  std::string evaluated = "    X = op\n" + ops; // a variable: only the evaluator knows X
  const std::string a = sql_of(plain);
  const std::string b = sql_of(evaluated);
  EXPECT_TRUE(contains(a, "CREATE TABLE t")) << a;
  // The same statements; the evaluated file has one more line, so compare without comments.
  auto strip = [](const std::string& sql) {
    std::string out;
    for (size_t i = 0; i < sql.size();) {
      const auto eol = sql.find('\n', i);
      const std::string line = sql.substr(i, eol == std::string::npos ? eol : eol - i + 1);
      if (line.rfind("--", 0) != 0) {
        out += line;
      }
      i = eol == std::string::npos ? sql.size() : eol + 1;
    }
    return out;
  };
  EXPECT_EQ(strip(a), strip(b));
}

// The naming convention of env.py's MetaData through the evaluator: op.f() stays final.
TEST(AlembicEval, NamingConventionThroughTheEvaluator) {
  TempDir dir;
  dir.write("env.py", "from sqlalchemy import MetaData\n"
                      "target_metadata = MetaData(naming_convention={\"uq\": "
                      "\"uq_%(table_name)s_%(column_0_name)s\", \"ck\": "
                      "\"ck_%(table_name)s_%(constraint_name)s\"})\n");
  dir.write("versions/a1.py",
            revision("a1", "",
                     "    X = op\n"
                     "    for col in (\"a\", \"b\"):\n"
                     "        X.create_unique_constraint(None, \"t\", [col])\n"
                     "    X.create_check_constraint(\"positive\", \"t\", \"a > 0\")\n"
                     "    X.create_check_constraint(op.f(\"ck_final\"), \"t\", \"b > 0\")\n"));
  const Checked r = check(dir);
  const std::string up = r.up("a1");
  EXPECT_TRUE(contains(up, "ADD CONSTRAINT uq_t_a UNIQUE (a)")) << up;
  EXPECT_TRUE(contains(up, "ADD CONSTRAINT uq_t_b UNIQUE (b)")) << up;
  EXPECT_TRUE(contains(up, "ADD CONSTRAINT ck_t_positive CHECK (a > 0)")) << up;
  EXPECT_TRUE(contains(up, "ADD CONSTRAINT ck_final CHECK (b > 0)")) << up;
}

// The naming convention of the application's MetaData, when env.py takes target_metadata from
// project modules: followed on disk, never imported.
std::string constrained_table_revision() {
  return revision("a1", "",
                  "    op.create_table(\"p\", sa.Column(\"id\", sa.Integer(), primary_key=True))\n"
                  "    op.create_table(\"t\", sa.Column(\"id\", sa.Integer(), primary_key=True),\n"
                  "        sa.Column(\"p_id\", sa.Integer(), sa.ForeignKey(\"p.id\")),\n"
                  "        sa.CheckConstraint(\"id > 0\", name=\"positive\"))\n");
}

TEST(AlembicEval, NamingConventionOfTheApplicationsDeclarativeBase) {
  TempDir dir;
  // mcp-context-forge's shape: a function in env.py imports Base lazily and returns its
  // metadata; the class sets `metadata = MetaData(naming_convention=NAMING)`, NAMING a constant
  // of another module.
  dir.write("app/__init__.py", "");
  dir.write("app/conventions.py", "NAMING = {\"pk\": \"pk_%(table_name)s\", \"fk\": "
                                  "\"fk_%(table_name)s_%(column_0_name)s\",\n"
                                  "          \"ck\": \"ck_%(table_name)s_%(constraint_name)s\"}\n");
  dir.write("app/db.py", "from sqlalchemy import MetaData\n"
                         "from sqlalchemy.orm import DeclarativeBase\n"
                         "from app.conventions import NAMING\n\n\n"
                         "class Base(DeclarativeBase):\n"
                         "    \"\"\"Models.\"\"\"\n"
                         "    metadata = MetaData(naming_convention=NAMING)\n");
  dir.write("env.py", "from alembic import context\n\n\n"
                      "def _get_metadata():\n"
                      "    from app.db import Base as _Base\n"
                      "    return _Base.metadata\n\n\n"
                      "target_metadata = _get_metadata()\n"
                      "context.configure(target_metadata=target_metadata)\n");
  dir.write("versions/a1.py", constrained_table_revision());
  const std::string up = check(dir).up("a1");
  EXPECT_TRUE(contains(up, "CONSTRAINT pk_p PRIMARY KEY (id)")) << up;
  EXPECT_TRUE(contains(up, "CONSTRAINT pk_t PRIMARY KEY (id)")) << up;
  EXPECT_TRUE(contains(up, "CONSTRAINT fk_t_p_id FOREIGN KEY(p_id) REFERENCES p (id)")) << up;
  EXPECT_TRUE(contains(up, "CONSTRAINT ck_t_positive CHECK (id > 0)")) << up;
}

TEST(AlembicEval, NamingConventionOfARegistryInABaseClass) {
  TempDir dir;
  // prefect's shape: the convention sits in a registry(metadata=MetaData(...)) of a base
  // class the declarative Base derives from, in a src/ layout; env.py imports the module.
  dir.write("src/app/__init__.py", "");
  dir.write("src/app/orm.py",
            "from typing import ClassVar\n"
            "import sqlalchemy as sa\n"
            "from sqlalchemy.orm import DeclarativeBase, registry\n\n\n"
            "class Common(DeclarativeBase):\n"
            "    registry: ClassVar[registry] = registry(\n"
            "        metadata=sa.schema.MetaData(\n"
            "            naming_convention={\"pk\": \"pk_%(table_name)s\", \"fk\": "
            "\"fk_%(table_name)s__%(column_0_N_name)s__%(referred_table_name)s\"}\n"
            "        ),\n"
            "    )\n\n\n"
            "class Base(Common):\n"
            "    __abstract__ = True\n");
  dir.write("env.py", "from alembic import context\nimport app.orm as orm\n\n"
                      "target_metadata = orm.Base.metadata\n");
  dir.write("versions/a1.py", constrained_table_revision());
  const std::string up = check(dir).up("a1");
  EXPECT_TRUE(contains(up, "CONSTRAINT pk_t PRIMARY KEY (id)")) << up;
  EXPECT_TRUE(contains(up, "CONSTRAINT fk_t__p_id__p FOREIGN KEY(p_id) REFERENCES p (id)")) << up;
  EXPECT_TRUE(contains(up, "CONSTRAINT positive CHECK (id > 0)")) << up; // no "ck" key
}

// prefect's env.py reaches its metadata through a function's return value miglint does not
// follow: the single convention written in the package holding the script directory is used.
TEST(AlembicEval, NamingConventionOfThePackageWhenTargetMetadataIsNotFollowed) {
  auto write_tree = [](const TempDir& dir, const std::string& second_convention) {
    dir.write("pkg/__init__.py", "");
    dir.write("pkg/orm.py", "import sqlalchemy as sa\n\n"
                            "registry = sa.orm.registry(metadata=sa.MetaData(naming_convention="
                            "{\"pk\": \"pk_%(table_name)s\"}))\n");
    dir.write("pkg/other.py", second_convention);
    dir.write("pkg/_migrations/env.py", "from pkg.deps import provide_interface\n\n"
                                        "db_interface = provide_interface()\n"
                                        "target_metadata = db_interface.Base.metadata\n");
    dir.write("pkg/_migrations/versions/a1.py", constrained_table_revision());
  };
  auto upgrade = [](const TempDir& dir) {
    const auto r = test::discover_and_lint({(dir.path() / "pkg/_migrations/versions").string()});
    return r.discovery.migrations.at(0).upgrade->sql;
  };
  TempDir one;
  write_tree(one, "x = 1\n");
  EXPECT_TRUE(contains(upgrade(one), "CONSTRAINT pk_t PRIMARY KEY (id)")) << upgrade(one);
  TempDir two; // two different conventions in the package: which one is meant is not known
  write_tree(two, "import sqlalchemy as sa\n"
                  "other = sa.MetaData(naming_convention={\"pk\": \"pkey_%(table_name)s\"})\n");
  EXPECT_FALSE(contains(upgrade(two), "pk_t")) << upgrade(two);
  EXPECT_FALSE(contains(upgrade(two), "pkey_t")) << upgrade(two);
}

TEST(AlembicEval, NamingConventionGivenToSQLModelsMetadata) {
  TempDir dir;
  dir.write("app/__init__.py", "");
  dir.write("app/models.py",
            "from sqlmodel import SQLModel, Field\n\n"
            "SQLModel.metadata.naming_convention = {\"pk\": \"pk_%(table_name)s\"}\n");
  dir.write("env.py", "from sqlmodel import SQLModel\nfrom app import models  # noqa: F401\n\n"
                      "target_metadata = SQLModel.metadata\n");
  dir.write("versions/a1.py", constrained_table_revision());
  std::string up = check(dir).up("a1");
  EXPECT_TRUE(contains(up, "CONSTRAINT pk_t PRIMARY KEY (id)")) << up;
  // Without a convention in the tree: SQLAlchemy's unnamed constraints.
  TempDir plain;
  plain.write("app/__init__.py", "");
  plain.write("app/models.py", "from sqlmodel import SQLModel, Field\n");
  plain.write("env.py", "from sqlmodel import SQLModel\nfrom app import models  # noqa: F401\n\n"
                        "target_metadata = SQLModel.metadata\n");
  plain.write("versions/a1.py", constrained_table_revision());
  up = check(plain).up("a1");
  EXPECT_TRUE(contains(up, "PRIMARY KEY (id)")) << up;
  EXPECT_FALSE(contains(up, "pk_t")) << up;
}

// batch_alter_table(recreate="always") is the copy-and-swap Alembic runs on PostgreSQL, from
// the table the history built (statement for statement against Alembic: reference_online o4).
TEST(AlembicEval, RecreateAlwaysIsRenderedAsTheCopyAndSwap) {
  TempDir dir;
  dir.write(
      "versions/a1.py",
      revision("a1", "",
               "    op.create_table(\"t\", sa.Column(\"id\", sa.Integer(), primary_key=True),\n"
               "        sa.Column(\"name\", sa.String(50)), sa.Column(\"n\", sa.Integer()))\n"));
  dir.write("versions/a2.py",
            revision("a2", "a1",
                     "    with op.batch_alter_table(\"t\", recreate=\"always\") as batch_op:\n"
                     "        batch_op.add_column(sa.Column(\"note\", sa.Text()))\n"
                     "        batch_op.alter_column(\"n\", type_=sa.Text())\n"));
  const Checked r = check(dir);
  const std::string up = r.up("a2");
  EXPECT_TRUE(contains(up, "ALTER TABLE t DROP CONSTRAINT t_pkey")) << up;
  EXPECT_TRUE(contains(up, "CREATE TABLE _alembic_tmp_t (\n    id SERIAL NOT NULL, \n    name "
                           "VARCHAR(50), \n    n TEXT, \n    note TEXT, \n    CONSTRAINT t_pkey "
                           "PRIMARY KEY (id)\n)"))
      << up;
  EXPECT_TRUE(contains(up, "INSERT INTO _alembic_tmp_t (id, name, n) SELECT t.id, t.name, "
                           "CAST(t.n AS TEXT) AS n \nFROM t"))
      << up;
  EXPECT_TRUE(contains(up, "DROP TABLE t;")) << up;
  EXPECT_TRUE(contains(up, "ALTER TABLE _alembic_tmp_t RENAME TO t")) << up;
  EXPECT_FALSE(contains(up, "ADD COLUMN")) << up;
  // The old table's rows were copied: dropping it is not reported as data loss, but the swap
  // loses the writes made during the copy.
  EXPECT_EQ(r.count("drop-table"), 0u);
  ASSERT_EQ(r.count("copy-swap-table"), 1u);
  EXPECT_TRUE(contains(r.messages("copy-swap-table")[0], "batch_alter_table(recreate=\"always\")"))
      << r.messages("copy-swap-table")[0];
  EXPECT_EQ(r.count("unanalyzable-code"), 0u);
  // A table the history has not built: the block is read as plain ALTER TABLE, and said so.
  TempDir unknown;
  unknown.write("versions/a2.py",
                revision("a2", "",
                         "    with op.batch_alter_table(\"t\", recreate=\"always\") as batch_op:\n"
                         "        batch_op.add_column(sa.Column(\"note\", sa.Text()))\n"));
  const Checked u = check(unknown);
  EXPECT_TRUE(contains(u.up("a2"), "ALTER TABLE t ADD COLUMN note TEXT")) << u.up("a2");
  ASSERT_EQ(u.count("unanalyzable-code"), 1u);
  EXPECT_TRUE(contains(u.messages("unanalyzable-code")[0], "has not built `t`"));
}

// alembic-postgresql-enum's operation, which autogenerate writes into revisions.
TEST(AlembicEval, SyncEnumValuesRewritesTheColumnsThatUseTheType) {
  TempDir dir;
  dir.write("versions/a1.py",
            revision("a1", "",
                     "    op.sync_enum_values(\"public\", \"status\", [\"a\", \"b\"],\n"
                     "        [(\"orders\", \"status\"), TableReference(table_schema=\"s\", "
                     "table_name=\"items\", column_name=\"state\")],\n"
                     "        enum_values_to_rename=[])\n",
                     "    pass\n", "from alembic_postgresql_enum import TableReference\n\n"));
  const Checked r = check(dir);
  const std::string up = r.up("a1");
  // The package's statements (alembic_postgresql_enum/sql_commands), names quoted as it does.
  EXPECT_TRUE(contains(up, "ALTER TYPE \"public\".\"status\" RENAME TO status_old")) << up;
  EXPECT_TRUE(contains(up, "CREATE TYPE \"public\".\"status\" AS ENUM('a', 'b')")) << up;
  EXPECT_TRUE(contains(up, "CREATE OPERATOR = (leftarg = \"public\".\"status\", rightarg = "
                           "\"public\".\"status_old\", procedure = new_old_equals)"))
      << up;
  EXPECT_TRUE(contains(up, "ALTER TABLE \"public\".\"orders\" ALTER COLUMN \"status\" TYPE "
                           "\"public\".\"status\" USING \"status\"::text::\"public\".\"status\""))
      << up;
  EXPECT_TRUE(contains(up, "ALTER TABLE \"s\".\"items\" ALTER COLUMN \"state\" TYPE")) << up;
  EXPECT_TRUE(contains(up, "DROP FUNCTION new_old_not_equals(new_enum_val \"public\".\"status\", "
                           "old_enum_val \"public\".\"status_old\") CASCADE"))
      << up;
  EXPECT_TRUE(contains(up, "DROP TYPE \"public\".\"status_old\"")) << up;
  EXPECT_EQ(r.count("sql-syntax-error"), 0u);
  EXPECT_EQ(r.count("unanalyzable-code"), 0u);
  EXPECT_GE(r.count("change-column-type"), 1u); // the rewrite is what a reviewer needs to see
}

// sync_enum_values that only adds labels: the advice is ALTER TYPE ... ADD VALUE on the type's
// own name, as for the same statements written in SQL.
TEST(AlembicEval, SyncEnumValuesThatOnlyAddsLabelsGetsTheAddValueAdvice) {
  TempDir dir;
  dir.write(
      "versions/a0.py",
      revision("a0", "",
               "    op.execute(\"CREATE TYPE status AS ENUM ('a', 'c')\")\n"
               "    op.execute(\"CREATE TABLE orders (id int, status status DEFAULT 'a')\")\n"));
  dir.write("versions/a1.py",
            revision("a1", "a0",
                     "    op.sync_enum_values(\"public\", \"status\", [\"a\", \"b\", \"c\"],\n"
                     "        [(\"orders\", \"status\")], enum_values_to_rename=[])\n"));
  const Checked r = check(dir);
  const core::Finding* change = nullptr;
  for (const auto& f : r.findings) {
    if (f.rule == "change-column-type" && f.migration == "a1") {
      change = &f;
    }
  }
  ASSERT_NE(change, nullptr);
  EXPECT_TRUE(contains(change->message, "from status_old to status")) << change->message;
  EXPECT_TRUE(contains(change->help, "ALTER TYPE public.status ADD VALUE 'b' AFTER 'a';"))
      << change->help;
  // The column's default, as PostgreSQL prints it, is dropped and set again on the new type.
  const std::string up = r.up("a1");
  EXPECT_TRUE(contains(up, "ALTER TABLE \"public\".\"orders\" ALTER COLUMN \"status\" DROP "
                           "DEFAULT;"))
      << up;
  EXPECT_TRUE(contains(up, "ALTER TABLE \"public\".\"orders\" ALTER COLUMN \"status\" SET "
                           "DEFAULT 'a'::public.status"))
      << up;
}

// sync_enum_values with labels renamed, on an array column: the package's CASE and
// array_replace conversions.
TEST(AlembicEval, SyncEnumValuesRenamesLabelsInArrays) {
  TempDir dir;
  dir.write("versions/a0.py", revision("a0", "",
                                       "    op.execute(\"CREATE TYPE f AS ENUM ('x-a', 'b')\")\n"
                                       "    op.execute(\"CREATE TABLE r (d f[], e f)\")\n"));
  dir.write("versions/a1.py",
            revision("a1", "a0",
                     "    op.sync_enum_values(\"public\", \"f\", [\"X-A\", \"b\"],\n"
                     "        [(\"r\", \"d\"), (\"r\", \"e\")], enum_values_to_rename=[(\"x-a\", "
                     "\"X-A\")])\n"));
  const Checked r = check(dir);
  const std::string up = r.up("a1");
  EXPECT_TRUE(contains(up, "SELECT new_enum_val::text = CASE WHEN old_enum_val::text = 'x-a' "
                           "THEN 'X-A' ELSE old_enum_val::text END;"))
      << up;
  EXPECT_TRUE(contains(up, "ALTER TABLE \"public\".\"r\" ALTER COLUMN \"d\" TYPE "
                           "\"public\".\"f\"[] USING array_replace(\"d\"::text[], 'x-a', "
                           "'X-A')::\"public\".\"f\"[]"))
      << up;
  EXPECT_TRUE(contains(up, "ALTER TABLE \"public\".\"r\" ALTER COLUMN \"e\" TYPE "
                           "\"public\".\"f\" USING CASE WHEN \"e\"::text = 'x-a' THEN "
                           "'X-A'::\"public\".\"f\" ELSE \"e\"::text::\"public\".\"f\" END"))
      << up;
  EXPECT_EQ(r.count("sql-syntax-error"), 0u);
  EXPECT_EQ(r.count("unanalyzable-code"), 0u);
}

TEST(AlembicEval, TextParamsAndBindparamsAreStillTheText) {
  TempDir dir;
  dir.write("versions/a1.py",
            revision("a1", "",
                     "    op.get_bind().execute(sa.text(\"UPDATE t SET a = :a\").bindparams(a=1))\n"
                     "    op.execute(sa.text(\"DELETE FROM t WHERE b = :b\").params(b=2))\n"
                     "    op.execute(sa.text(\"UPDATE t SET s = :s, n = :n, f = :f, w = :w, \"\n"
                     "                       \"x = :x WHERE y = :y\").bindparams(\n"
                     "        s=\"it's\", n=None, f=False, w=sa.func.now(), x=-3, y=True))\n"));
  const Checked r = check(dir);
  // Values known statically are sent as psycopg2 renders them; others stay parameters.
  EXPECT_TRUE(contains(r.up("a1"), "UPDATE t SET a = 1")) << r.up("a1");
  EXPECT_TRUE(contains(r.up("a1"), "DELETE FROM t WHERE b = 2")) << r.up("a1");
  EXPECT_TRUE(contains(r.up("a1"), "UPDATE t SET s = 'it''s', n = NULL, f = false, w = $1, x =  "
                                   "-3 WHERE y = true"))
      << r.up("a1");
  EXPECT_EQ(r.count("unanalyzable-code"), 0u);
  EXPECT_EQ(r.count("sql-syntax-error"), 0u);
}

} // namespace
} // namespace miglint
