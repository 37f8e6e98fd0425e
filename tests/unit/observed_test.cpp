// What the round-trip observes per statement, on local PostgreSQL clusters the binary starts:
// the strongest lock a statement held (not only the new ones), batch operations on their own
// lines, the observation as data in JSON and SARIF, and dangerous-lock-observed only for locks
// held across real work or taken with no lock_timeout (issue 10, kinds 6 and 7).

#include "test_support.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>

namespace miglint {
namespace {

using test::Outcome;
using test::TempDir;

std::string read(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::vector<nlohmann::json> all(const nlohmann::json& doc, const std::string& rule,
                                const std::string& migration = "") {
  std::vector<nlohmann::json> out;
  for (const auto& f : doc["findings"]) {
    if (f["rule"] == rule && (migration.empty() || f["migration"] == migration)) {
      out.push_back(f);
    }
  }
  return out;
}

const nlohmann::json* first(const nlohmann::json& doc, const std::string& rule,
                            const std::string& migration = "") {
  for (const auto& f : doc["findings"]) {
    if (f["rule"] == rule && (migration.empty() || f["migration"] == migration)) {
      return &f;
    }
  }
  return nullptr;
}

bool contains(const nlohmann::json& f, const std::string& text) {
  return f["message"].get<std::string>().find(text) != std::string::npos;
}

// {relation: mode} of an `observed` object.
std::map<std::string, std::string> locks_of(const nlohmann::json& observed) {
  std::map<std::string, std::string> out;
  for (const auto& l : observed["locks"]) {
    out[l["relation"].get<std::string>()] = l["mode"].get<std::string>();
  }
  return out;
}

// Two ALTERs of a table in one transaction: the second needs ACCESS EXCLUSIVE, which the first
// took, and rewrites. pg_locks shows it nothing new; it still held ACCESS EXCLUSIVE.
void write_two_alters(const TempDir& dir) {
  dir.write("m/001_t.up.sql", "CREATE TABLE t (id int);");
  dir.write("m/001_t.down.sql", "DROP TABLE t;");
  dir.write("m/002_two.up.sql", "SET lock_timeout = '1s';\n"
                                "ALTER TABLE t ADD COLUMN a int;\n"
                                "ALTER TABLE t ADD COLUMN b uuid DEFAULT gen_random_uuid();\n");
  dir.write("m/002_two.down.sql", "SET lock_timeout = '1s';\nALTER TABLE t DROP COLUMN b;\n"
                                  "ALTER TABLE t DROP COLUMN a;");
}

TEST(Observed, SecondAlterOfATransactionHoldsAccessExclusiveAndRewrites) {
  TempDir dir;
  write_two_alters(dir);
  const Outcome r =
      test::run_binary("check --round-trip --format json --fail-on never m", dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto doc = nlohmann::json::parse(r.out);
  const auto* f = first(doc, "add-column-volatile-default", "002");
  ASSERT_NE(f, nullptr) << r.out;
  EXPECT_EQ((*f)["line"], 3);
  EXPECT_TRUE(contains(*f, "confirmed by the round-trip: held ACCESS EXCLUSIVE on public.t (taken "
                           "earlier in its transaction), rewrote public.t"))
      << (*f)["message"];
  // The observation as data.
  ASSERT_TRUE(f->contains("observed")) << f->dump(2);
  EXPECT_EQ(locks_of((*f)["observed"]),
            (std::map<std::string, std::string>{{"public.t", "ACCESS EXCLUSIVE"}}));
  EXPECT_EQ((*f)["observed"]["rewrites"], nlohmann::json::array({"public.t"}));
  EXPECT_TRUE((*f)["observed"]["duration_ms"].is_number());
  EXPECT_GE((*f)["observed"]["duration_ms"].get<double>(), 0.0);
  // The first ALTER took it (brief, under a lock_timeout: nothing reported on its own).
  for (const auto& o : all(doc, "dangerous-lock-observed", "002")) {
    EXPECT_NE(o["line"], 2) << o.dump(2);
  }

  // Without the static rule, the observations stand on their own, with the same data.
  const Outcome bare = test::run_binary("check --round-trip --format json --fail-on never --ignore "
                                        "add-column-volatile-default m",
                                        dir.path());
  const auto doc2 = nlohmann::json::parse(bare.out);
  const auto* rewrite = first(doc2, "table-rewrite-observed", "002");
  ASSERT_NE(rewrite, nullptr) << bare.out << bare.err;
  EXPECT_EQ((*rewrite)["line"], 3);
  EXPECT_EQ(locks_of((*rewrite)["observed"]),
            (std::map<std::string, std::string>{{"public.t", "ACCESS EXCLUSIVE"}}));
  const auto* lock = first(doc2, "dangerous-lock-observed", "002");
  ASSERT_NE(lock, nullptr) << bare.out;
  EXPECT_EQ((*lock)["line"], 3);
  EXPECT_TRUE(contains(*lock, "held ACCESS EXCLUSIVE on public.t (taken earlier in its "
                              "transaction) here while it rewrote public.t"))
      << (*lock)["message"];
  EXPECT_EQ((*lock)["observed"]["rewrites"], nlohmann::json::array({"public.t"}));
}

TEST(Observed, SarifCarriesTheObservationAndStaysValid) {
  TempDir dir;
  write_two_alters(dir);
  const auto path = dir.path() / "out.sarif";
  const Outcome r = test::run_binary(
      "check --round-trip --format sarif --fail-on never -o out.sarif m", dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto gate = test::run_shell("/usr/bin/python3 '" + std::string(MIGLINT_SOURCE_DIR) +
                                    "/ci/sarif_gate.py' '" + path.string() + "' 2>&1");
  EXPECT_EQ(gate.exit_code, 0) << "not valid for GitHub:\n" << gate.out;
  const auto doc = nlohmann::json::parse(read(path));
  const nlohmann::json* found = nullptr;
  for (const auto& res : doc["runs"][0]["results"]) {
    if (res["ruleId"] == "add-column-volatile-default") {
      found = &res;
    }
  }
  ASSERT_NE(found, nullptr) << doc.dump(2);
  const auto& observed = (*found)["properties"]["observed"];
  EXPECT_EQ(locks_of(observed),
            (std::map<std::string, std::string>{{"public.t", "ACCESS EXCLUSIVE"}}));
  EXPECT_EQ(observed["rewrites"], nlohmann::json::array({"public.t"}));
  EXPECT_TRUE(observed["duration_ms"].is_number());
}

// Alembic runs a batch_alter_table() block's operations when the block ends: each statement is
// still reported on its own batch_op line, where the static findings are.
TEST(Observed, BatchOperationsLandOnTheirOwnLines) {
  TempDir dir;
  dir.write("p/alembic.ini", "[alembic]\nscript_location = %(here)s\n");
  dir.write("p/env.py", "import os\nfrom alembic import context\n"
                        "from sqlalchemy import create_engine\n"
                        "with create_engine(os.environ['DATABASE_URL']).connect() as c:\n"
                        "    context.configure(connection=c)\n"
                        "    with context.begin_transaction():\n"
                        "        context.run_migrations()\n");
  const std::string head = "from alembic import op\nimport sqlalchemy as sa\n"
                           "from sqlalchemy.dialects import postgresql\n";
  dir.write("p/versions/a1.py",
            head + "revision = 'a1'\ndown_revision = None\n"
                   "def upgrade():\n"
                   "    op.create_table('t', sa.Column('id', sa.Integer, primary_key=True))\n"
                   "def downgrade():\n"
                   "    op.drop_table('t')\n");
  dir.write("p/versions/b2.py",
            head + "revision = 'b2'\ndown_revision = 'a1'\n"                   // 4, 5
                   "def upgrade():\n"                                          // 6
                   "    op.execute(\"SET lock_timeout = '1s'\")\n"             // 7
                   "    with op.batch_alter_table('t') as batch_op:\n"         // 8
                   "        batch_op.add_column(sa.Column('a', sa.Integer))\n" // 9
                   "        batch_op.add_column(\n"                            // 10
                   "            sa.Column('token', postgresql.UUID(),\n"       // 11
                   "                      server_default=sa.text('gen_random_uuid()')))\n"
                   "def downgrade():\n"
                   "    op.execute(\"SET lock_timeout = '1s'\")\n"
                   "    with op.batch_alter_table('t') as batch_op:\n"
                   "        batch_op.drop_column('token')\n"
                   "        batch_op.drop_column('a')\n");
  const Outcome r =
      test::run_binary("check --round-trip --format json --fail-on never p", dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto doc = nlohmann::json::parse(r.out);
  const auto* f = first(doc, "add-column-volatile-default", "b2");
  ASSERT_NE(f, nullptr) << r.out;
  EXPECT_EQ((*f)["line"], 10);
  EXPECT_TRUE(contains(*f, "confirmed by the round-trip: held ACCESS EXCLUSIVE on public.t (taken "
                           "earlier in its transaction), rewrote public.t"))
      << (*f)["message"];
  EXPECT_EQ((*f)["observed"]["rewrites"], nlohmann::json::array({"public.t"}));
  // Nothing left on the `with` line.
  for (const auto& o : doc["findings"]) {
    if (o["migration"] == "b2") {
      EXPECT_NE(o["line"], 8) << o.dump(2);
    }
  }
  EXPECT_EQ(first(doc, "table-rewrite-observed", "b2"), nullptr) << r.out;

  // Without the static rule: the observations of each operation on its line.
  const Outcome bare = test::run_binary("check --round-trip --format json --fail-on never --ignore "
                                        "add-column-volatile-default p",
                                        dir.path());
  const auto doc2 = nlohmann::json::parse(bare.out);
  const auto* rewrite = first(doc2, "table-rewrite-observed", "b2");
  ASSERT_NE(rewrite, nullptr) << bare.out << bare.err;
  EXPECT_EQ((*rewrite)["line"], 10);
}

// The demo's instant operations (a new table's foreign key, a nullable column, a dropped column)
// take brief locks under a lock_timeout: not reported on their own.
TEST(Observed, DemoReportsNoLockForInstantOperations) {
  const Outcome r =
      test::run_binary("check --round-trip --format json --fail-on never --phase both migrations",
                       MIGLINT_SOURCE_DIR);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto doc = nlohmann::json::parse(r.out);
  for (const auto& f : all(doc, "dangerous-lock-observed")) {
    ADD_FAILURE() << "reported: " << f.dump(2);
  }
  // The volatile default is still confirmed, with its data.
  const auto* f = first(doc, "add-column-volatile-default", "3c4d5e6f7a8b");
  ASSERT_NE(f, nullptr) << r.out;
  EXPECT_TRUE(contains(*f, "rewrote public.orders")) << (*f)["message"];
  EXPECT_EQ(locks_of((*f)["observed"]),
            (std::map<std::string, std::string>{{"public.orders", "ACCESS EXCLUSIVE"}}));
}

// What is still reported on its own: a lock held across a scan nothing static saw, a lock taken
// with no lock_timeout that no missing-lock-timeout finding covers, a lock held long.
TEST(Observed, LocksHeldAcrossWorkOrWithoutATimeoutAreStillReported) {
  TempDir dir;
  // A function takes the table lock: no static rule sees it.
  dir.write("m/001_t.up.sql", "CREATE TABLE t (id int, s text);\nCREATE TABLE u (id int);\n"
                              "CREATE FUNCTION lock_t() RETURNS void LANGUAGE sql\n"
                              "  AS $$ LOCK TABLE t IN ACCESS EXCLUSIVE MODE $$;");
  dir.write("m/001_t.down.sql", "DROP FUNCTION lock_t();\nDROP TABLE u;\nDROP TABLE t;");
  // Under a lock_timeout: the lock is brief on line 2, then held across a whole-table UPDATE.
  dir.write("m/002_scan.up.sql", "SET lock_timeout = '1s';\nSELECT lock_t();\n"
                                 "UPDATE t SET s = 'x';");
  dir.write("m/002_scan.down.sql", "SELECT 1;");
  // No lock_timeout: the function's lock is not seen statically, so no missing-lock-timeout.
  // (Two statements: the script runs as one transaction, whose locks can be read.)
  dir.write("m/003_unguarded.up.sql", "SELECT lock_t();\nSELECT 1;");
  dir.write("m/003_unguarded.down.sql", "SELECT 1;");
  // No lock_timeout, but missing-lock-timeout (on line 1) covers the wait of line 2 too.
  dir.write("m/004_covered.up.sql",
            "ALTER TABLE t ADD COLUMN z int;\nALTER TABLE u ADD COLUMN z int;");
  dir.write("m/004_covered.down.sql",
            "SET lock_timeout = '1s';\nALTER TABLE u DROP COLUMN z;\nALTER TABLE t DROP COLUMN z;");
  // Held for more than the threshold (1 s) under a lock_timeout.
  dir.write("m/005_long.up.sql",
            "SET lock_timeout = '1s';\nLOCK TABLE u IN SHARE MODE;\nSELECT pg_sleep(1.05);");
  dir.write("m/005_long.down.sql", "SELECT 1;");
  const Outcome r =
      test::run_binary("check --round-trip --format json --fail-on never m", dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto doc = nlohmann::json::parse(r.out);
  std::multiset<std::string> where;
  for (const auto& f : all(doc, "dangerous-lock-observed")) {
    where.insert(f["migration"].get<std::string>() + ":" + std::to_string(f["line"].get<int>()));
  }
  EXPECT_EQ(where, (std::multiset<std::string>{"002:3", "003:1", "005:2"})) << r.out;
  const auto scan = all(doc, "dangerous-lock-observed", "002");
  ASSERT_EQ(scan.size(), 1u);
  EXPECT_TRUE(contains(scan[0], "held ACCESS EXCLUSIVE on public.t (taken earlier in its "
                                "transaction) here while it read every row"))
      << scan[0]["message"];
  EXPECT_EQ(locks_of(scan[0]["observed"]),
            (std::map<std::string, std::string>{{"public.t", "ACCESS EXCLUSIVE"}}));
  const auto unguarded = all(doc, "dangerous-lock-observed", "003");
  ASSERT_EQ(unguarded.size(), 1u);
  EXPECT_TRUE(contains(unguarded[0], "with no lock_timeout in force")) << unguarded[0]["message"];
  const auto long_held = all(doc, "dangerous-lock-observed", "005");
  ASSERT_EQ(long_held.size(), 1u);
  EXPECT_TRUE(contains(long_held[0], "held SHARE on public.u here for "))
      << long_held[0]["message"];
  EXPECT_GE(long_held[0]["observed"]["held_ms"].get<double>(), 1000.0);
}

} // namespace
} // namespace miglint
