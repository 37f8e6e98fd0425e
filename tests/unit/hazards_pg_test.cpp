// The claims of the hazard rules (issue 10) checked against a real PostgreSQL started by the
// test: the statements each rule reports really fail, or really hold the lock and do the scan the
// rule says, and the safe forms its doc recommends really do not. Each scenario also lints the
// same SQL, so that the finding and the server's behaviour are compared directly. Assertions that
// depend on the server's major version read it from the server (the same test holds on any of
// 11 to 18; the rules are linted for that major).

#include "roundtrip/engine.hpp"
#include "roundtrip/server.hpp"
#include "test_support.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include <fstream>
#include <set>
#include <string>
#include <vector>

namespace miglint::roundtrip {
namespace {

using test::TempDir;

class HazardsPg : public ::testing::Test {
protected:
  static void SetUpTestSuite() {
    ServerOptions o;
    o.provider = "local";
    Started started = start_server(o);
    ASSERT_NE(started.server, nullptr) << started.error;
    s_server = started.server.release();
    pqxx::connection c(s_server->conninfo());
    s_major = c.server_version() / 10000;
  }
  static void TearDownTestSuite() { delete s_server; }
  void SetUp() override {
    ASSERT_NE(s_server, nullptr);
    recreate_database(*s_server);
  }

  static std::unique_ptr<pqxx::connection> connect() {
    return std::make_unique<pqxx::connection>(s_server->conninfo());
  }

  // Runs `sql` on `c` outside a transaction object (so BEGIN ... stays open); returns
  // PostgreSQL's error message, or "" when it succeeded.
  static std::string exec(pqxx::connection& c, const std::string& sql) {
    try {
      pqxx::nontransaction n(c);
      n.exec(sql);
      return "";
    } catch (const pqxx::sql_error& e) {
      return e.what();
    }
  }

  // The relation locks the backend of `holder` holds on `table`, seen from another session.
  static std::set<std::string> locks_of(pqxx::connection& holder, const std::string& table) {
    auto observer = connect();
    pqxx::nontransaction n(*observer);
    std::set<std::string> modes;
    for (const auto& row :
         n.exec("SELECT l.mode FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
                "WHERE l.granted AND l.pid = " +
                std::to_string(holder.backendpid()) + " AND c.relname = " + n.quote(table))) {
      modes.insert(row[0].c_str());
    }
    return modes;
  }

  // Whether one of `modes` conflicts with ROW EXCLUSIVE, the lock of INSERT/UPDATE/DELETE.
  static bool blocks_writes(const std::set<std::string>& modes) {
    for (const char* m :
         {"ShareLock", "ShareRowExclusiveLock", "ExclusiveLock", "AccessExclusiveLock"}) {
      if (modes.contains(m)) {
        return true;
      }
    }
    return false;
  }

  // Whether another session can run `sql` within 200 ms of lock waiting.
  static std::string other_session(const std::string& sql) {
    auto other = connect();
    return exec(*other, "SET lock_timeout = '200ms'; " + sql);
  }

  // Lints `setup` as one migration and `sql` as the next, for the server's major.
  static size_t findings(const std::string& rule, const std::string& setup, const std::string& sql,
                         source::TxMode tx = source::TxMode::PerScript) {
    return test::count_rule(test::lint_sql(setup + "\n-- next migration\n" + sql, s_major, tx),
                            rule);
  }

  static Server* s_server;
  static int s_major;
};
Server* HazardsPg::s_server = nullptr;
int HazardsPg::s_major = 0;

// A migration that PostgreSQL refuses, or not, and the rule that says so, or not.
struct Scenario {
  std::string name;
  std::string rule;
  std::string setup;     // committed first
  std::string migration; // then run in one transaction (or statement by statement)
  bool in_transaction = true;
};

// PostgreSQL's error for the scenario's migration, or "".
std::string run_scenario(pqxx::connection& c, const Scenario& s) {
  const std::string setup_error = [&] {
    try {
      pqxx::nontransaction n(c);
      n.exec(s.setup);
      return std::string();
    } catch (const pqxx::sql_error& e) {
      return std::string(e.what());
    }
  }();
  EXPECT_EQ(setup_error, "") << s.name;
  try {
    if (s.in_transaction) {
      pqxx::nontransaction n(c);
      n.exec("BEGIN;\n" + s.migration + ";\nCOMMIT");
      return "";
    }
    // One statement at a time: a multi-statement query is one implicit transaction.
    for (size_t begin = 0; begin < s.migration.size();) {
      size_t end = s.migration.find(";\n", begin);
      end = end == std::string::npos ? s.migration.size() : end;
      pqxx::nontransaction n(c);
      n.exec(s.migration.substr(begin, end - begin));
      begin = end + 2;
    }
    return "";
  } catch (const pqxx::sql_error& e) {
    pqxx::nontransaction n(c);
    n.exec("ROLLBACK"); // outside a transaction only warns
    return e.what();
  }
}

TEST_F(HazardsPg, RefusedMigrationsAreExactlyTheReportedOnes) {
  const std::string orders = "CREATE TYPE order_state AS ENUM ('new', 'paid');"
                             "CREATE TABLE orders (id bigint, state order_state, refund_id int);"
                             "INSERT INTO orders VALUES (1, 'new', 7), (2, 'paid', NULL);";
  const std::string events =
      "CREATE TABLE events (id bigint, kind text, at date) PARTITION BY RANGE (at);"
      "CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO "
      "('2025-01-01');";
  const std::vector<Scenario> scenarios = {
      // enum-add-value-in-transaction
      {"new value used in the same transaction", "enum-add-value-in-transaction", orders,
       "ALTER TYPE order_state ADD VALUE 'refunded';\n"
       "UPDATE orders SET state = 'refunded' WHERE refund_id IS NOT NULL"},
      {"new value as a default in the same transaction", "enum-add-value-in-transaction", orders,
       "ALTER TYPE order_state ADD VALUE 'refunded';\n"
       "ALTER TABLE orders ALTER COLUMN state SET DEFAULT 'refunded'"},
      {"new value after another new value", "enum-add-value-in-transaction", orders,
       "ALTER TYPE order_state ADD VALUE 'refunded';\n"
       "ALTER TYPE order_state ADD VALUE 'disputed' AFTER 'refunded'"},
      {"old value in the same transaction", "enum-add-value-in-transaction", orders,
       "ALTER TYPE order_state ADD VALUE 'refunded';\n"
       "UPDATE orders SET state = 'paid' WHERE id = 1"},
      {"value of a type created in the same transaction", "enum-add-value-in-transaction", "",
       "CREATE TYPE refund_state AS ENUM ('open');\n"
       "ALTER TYPE refund_state ADD VALUE 'closed';\n"
       "CREATE TABLE refunds (id bigint, state refund_state DEFAULT 'closed')"},
      {"value used after a commit", "enum-add-value-in-transaction", orders,
       "ALTER TYPE order_state ADD VALUE 'refunded';\nCOMMIT;\nBEGIN;\n"
       "UPDATE orders SET state = 'refunded' WHERE refund_id IS NOT NULL"},
      // concurrently-on-partitioned-table
      {"CREATE INDEX CONCURRENTLY on a partitioned table", "concurrently-on-partitioned-table",
       events, "CREATE INDEX CONCURRENTLY events_kind_idx ON events (kind)", false},
      {"DROP INDEX CONCURRENTLY of a partitioned index", "concurrently-on-partitioned-table",
       events + "CREATE INDEX events_kind_idx ON events (kind);",
       "DROP INDEX CONCURRENTLY events_kind_idx", false},
      {"CREATE INDEX CONCURRENTLY on a partition", "concurrently-on-partitioned-table", events,
       "CREATE INDEX CONCURRENTLY events_2024_kind_idx ON events_2024 (kind)", false},
      {"the recipe: ON ONLY, CONCURRENTLY per partition, ATTACH",
       "concurrently-on-partitioned-table", events,
       "CREATE INDEX events_kind_idx ON ONLY events (kind);\n"
       "CREATE INDEX CONCURRENTLY events_2024_kind_idx ON events_2024 (kind);\n"
       "ALTER INDEX events_kind_idx ATTACH PARTITION events_2024_kind_idx",
       false},
      // enum-type-not-created, enum-type-created-twice (SQL side; Alembic below)
      {"column of a dropped type", "enum-type-not-created",
       orders + "DROP TYPE order_state CASCADE;",
       "ALTER TABLE orders ADD COLUMN state2 order_state"},
      {"dropped and created again", "enum-type-not-created",
       orders + "DROP TYPE order_state CASCADE;",
       "CREATE TYPE order_state AS ENUM ('x');\nALTER TABLE orders ADD COLUMN state2 order_state"},
      {"type created twice", "enum-type-created-twice", orders,
       "CREATE TYPE order_state AS ENUM ('new', 'paid')"},
      {"type created again after a drop", "enum-type-created-twice",
       orders + "DROP TYPE order_state CASCADE;", "CREATE TYPE order_state AS ENUM ('new')"},
  };
  auto c = connect();
  for (const auto& s : scenarios) {
    recreate_database(*s_server);
    c = connect();
    const std::string error = run_scenario(*c, s);
    const size_t reported =
        findings(s.rule, s.setup, s.migration,
                 s.in_transaction ? source::TxMode::PerScript : source::TxMode::None);
    EXPECT_EQ(reported, error.empty() ? 0u : 1u)
        << s.name << " on PostgreSQL " << s_major << ": "
        << (error.empty() ? "PostgreSQL ran it" : "PostgreSQL refused it: " + error);
  }
}

TEST_F(HazardsPg, EnumValueErrorsAreTheOnesTheDocQuotes) {
  auto c = connect();
  ASSERT_EQ(exec(*c, "CREATE TYPE s AS ENUM ('a'); CREATE TABLE t (v s)"), "");
  ASSERT_EQ(exec(*c, "BEGIN"), "");
  const std::string add = exec(*c, "ALTER TYPE s ADD VALUE 'b'");
  const std::string use = add.empty() ? exec(*c, "INSERT INTO t VALUES ('b')") : "";
  exec(*c, "ROLLBACK");
  if (s_major < 12) {
    EXPECT_NE(add.find("ALTER TYPE ... ADD cannot run inside a transaction block"),
              std::string::npos)
        << add;
  } else {
    EXPECT_EQ(add, "");
    EXPECT_NE(use.find("unsafe use of new value \"b\" of enum type s"), std::string::npos) << use;
  }
}

TEST_F(HazardsPg, CreateIndexConcurrentlyOnAPartitionedTableIsRefused) {
  auto c = connect();
  ASSERT_EQ(exec(*c, "CREATE TABLE ev (a int, at date) PARTITION BY RANGE (at);"
                     "CREATE INDEX ev_a ON ev (a)"),
            "");
  EXPECT_NE(exec(*c, "CREATE INDEX CONCURRENTLY ev_at ON ev (at)")
                .find("cannot create index on partitioned table \"ev\" concurrently"),
            std::string::npos);
  EXPECT_NE(exec(*c, "DROP INDEX CONCURRENTLY ev_a")
                .find("cannot drop partitioned index \"ev_a\" concurrently"),
            std::string::npos);
}

// validate-same-transaction: the lock of the ADD ... NOT VALID is still held when VALIDATE
// scans; VALIDATE alone takes only SHARE UPDATE EXCLUSIVE, and others read and write meanwhile.
TEST_F(HazardsPg, ValidateInTheTransactionOfTheAddScansUnderTheAddsLock) {
  auto setup = connect();
  ASSERT_EQ(exec(*setup, "CREATE TABLE customers (id int PRIMARY KEY);"
                         "INSERT INTO customers SELECT generate_series(1, 100);"
                         "CREATE TABLE orders (id int, qty int, customer_id int);"
                         "INSERT INTO orders SELECT g, g, 1 + g % 100 "
                         "FROM generate_series(1, 1000) g"),
            "");
  const std::string check = "ALTER TABLE orders ADD CONSTRAINT qty_positive CHECK (qty > 0) "
                            "NOT VALID;\nALTER TABLE orders VALIDATE CONSTRAINT qty_positive";
  EXPECT_EQ(findings("validate-same-transaction", "", check), 1u);
  {
    auto a = connect();
    ASSERT_EQ(exec(*a, "BEGIN; " + check), "");
    EXPECT_TRUE(locks_of(*a, "orders").contains("AccessExclusiveLock"));
    EXPECT_NE(other_session("SELECT count(*) FROM orders").find("lock timeout"), std::string::npos);
    exec(*a, "ROLLBACK");
  }
  const std::string fk = "ALTER TABLE orders ADD CONSTRAINT orders_customer_fk FOREIGN KEY "
                         "(customer_id) REFERENCES customers (id) NOT VALID;\n"
                         "ALTER TABLE orders VALIDATE CONSTRAINT orders_customer_fk";
  EXPECT_EQ(findings("validate-same-transaction", "", fk), 1u);
  {
    auto a = connect();
    ASSERT_EQ(exec(*a, "BEGIN; " + fk), "");
    EXPECT_TRUE(locks_of(*a, "orders").contains("ShareRowExclusiveLock"));
    EXPECT_TRUE(locks_of(*a, "customers").contains("ShareRowExclusiveLock"));
    EXPECT_EQ(other_session("SELECT count(*) FROM orders"), "");
    EXPECT_NE(other_session("INSERT INTO orders VALUES (0, 1, 1)").find("lock timeout"),
              std::string::npos);
    exec(*a, "ROLLBACK");
  }
  // The safe form: ADD ... NOT VALID committed, VALIDATE in a transaction of its own.
  ASSERT_EQ(exec(*setup, "ALTER TABLE orders ADD CONSTRAINT qty_positive CHECK (qty > 0) "
                         "NOT VALID"),
            "");
  const std::string validate = "ALTER TABLE orders VALIDATE CONSTRAINT qty_positive";
  EXPECT_EQ(findings("validate-same-transaction",
                     "ALTER TABLE orders ADD CONSTRAINT qty_positive CHECK (qty > 0) NOT VALID",
                     validate),
            0u);
  auto a = connect();
  ASSERT_EQ(exec(*a, "BEGIN; " + validate), "");
  EXPECT_TRUE(locks_of(*a, "orders").contains("ShareUpdateExclusiveLock"));
  EXPECT_FALSE(blocks_writes(locks_of(*a, "orders")));
  EXPECT_EQ(other_session("SELECT count(*) FROM orders"), "");
  EXPECT_EQ(other_session("INSERT INTO orders VALUES (0, 1, 1)"), "");
  exec(*a, "COMMIT");
}

// primary-key-on-nullable-columns: PostgreSQL verifies the table (a full scan: DEBUG1 "verifying
// table") under ACCESS EXCLUSIVE; NOT NULL columns, or (>= 12) a validated CHECK, skip it.
TEST_F(HazardsPg, PrimaryKeyUsingIndexOnNullableColumnsScansUnderAccessExclusive) {
  struct Notices : pqxx::errorhandler {
    explicit Notices(pqxx::connection_base& c) : pqxx::errorhandler(c) {}
    bool operator()(const char msg[]) noexcept override {
      text += msg;
      return true;
    }
    std::string text;
  };
  const std::string attach =
      "ALTER TABLE events ADD CONSTRAINT events_pkey PRIMARY KEY USING INDEX events_id_key";
  struct Case {
    std::string name;
    std::string setup;
    bool scans; // on PostgreSQL >= 12
  };
  const std::string rows = "INSERT INTO events SELECT g, 'x' FROM generate_series(1, 1000) g;"
                           "CREATE UNIQUE INDEX events_id_key ON events (id);";
  const std::vector<Case> cases = {
      {"nullable column", "CREATE TABLE events (id bigint, payload text);" + rows, true},
      {"NOT NULL column", "CREATE TABLE events (id bigint NOT NULL, payload text);" + rows, false},
      {"validated CHECK (id IS NOT NULL)",
       "CREATE TABLE events (id bigint, payload text);" + rows +
           "ALTER TABLE events ADD CONSTRAINT events_id_nn CHECK (id IS NOT NULL);",
       s_major < 12},
  };
  for (const auto& c : cases) {
    recreate_database(*s_server);
    auto a = connect();
    ASSERT_EQ(exec(*a, c.setup), "") << c.name;
    Notices notices(*a);
    ASSERT_EQ(exec(*a, "SET client_min_messages = debug1; BEGIN; " + attach), "") << c.name;
    const bool scanned = notices.text.find("verifying table \"events\"") != std::string::npos;
    EXPECT_EQ(scanned, c.scans) << c.name << ": " << notices.text;
    EXPECT_TRUE(locks_of(*a, "events").contains("AccessExclusiveLock")) << c.name;
    exec(*a, "ROLLBACK");
    EXPECT_EQ(findings("primary-key-on-nullable-columns", c.setup, attach), c.scans ? 1u : 0u)
        << c.name;
  }
  // The scan is what finds a NULL.
  recreate_database(*s_server);
  auto a = connect();
  ASSERT_EQ(exec(*a, "CREATE TABLE events (id bigint, payload text);"
                     "INSERT INTO events VALUES (NULL, 'x');"
                     "CREATE UNIQUE INDEX events_id_key ON events (id)"),
            "");
  EXPECT_NE(exec(*a, attach).find("contains null values"), std::string::npos);
}

// backfill-under-exclusive-lock: after an ALTER TABLE in the same transaction, reads of the table
// queue for the whole UPDATE; the same UPDATE on its own lets them through.
TEST_F(HazardsPg, BackfillAfterAnAlterHoldsTheAccessExclusiveLock) {
  auto setup = connect();
  ASSERT_EQ(exec(*setup, "CREATE TABLE orders (id int, total int);"
                         "INSERT INTO orders SELECT g, g FROM generate_series(1, 1000) g"),
            "");
  const std::string alter = "ALTER TABLE orders ADD COLUMN total_cents bigint";
  const std::string update = "UPDATE orders SET total_cents = total * 100";
  EXPECT_EQ(findings("backfill-under-exclusive-lock", "", alter + ";\n" + update), 1u);
  {
    auto a = connect();
    ASSERT_EQ(exec(*a, "BEGIN; " + alter + "; " + update), "");
    EXPECT_TRUE(locks_of(*a, "orders").contains("AccessExclusiveLock"));
    EXPECT_NE(other_session("SELECT count(*) FROM orders").find("lock timeout"), std::string::npos);
    exec(*a, "ROLLBACK");
  }
  ASSERT_EQ(exec(*setup, alter), "");
  EXPECT_EQ(findings("backfill-under-exclusive-lock", alter, update), 0u);
  EXPECT_EQ(findings("dml-in-migration", alter, update), 1u);
  auto a = connect();
  ASSERT_EQ(exec(*a, "BEGIN; " + update), "");
  EXPECT_TRUE(locks_of(*a, "orders").contains("RowExclusiveLock"));
  EXPECT_FALSE(blocks_writes(locks_of(*a, "orders")));
  EXPECT_EQ(other_session("SELECT count(*) FROM orders"), "");
  EXPECT_NE(other_session("UPDATE orders SET total = 0 WHERE id = 1").find("lock timeout"),
            std::string::npos)
      << "the rows the UPDATE changed stay locked until it commits";
  exec(*a, "COMMIT");
}

// The Alembic side of the enum-type rules, through real Alembic on the server: op.add_column
// never creates the enum type, and create_table creates it even after an explicit .create().
TEST_F(HazardsPg, AlembicEnumTypesAsAlembicRendersThem) {
  TempDir dir;
  dir.write("p/alembic.ini", "[alembic]\nscript_location = %(here)s\n");
  dir.write("p/env.py",
            "import os\nfrom alembic import context\nfrom sqlalchemy import create_engine\n"
            "with create_engine(os.environ['DATABASE_URL']).connect() as c:\n"
            "    context.configure(connection=c, transaction_per_migration=True)\n"
            "    with context.begin_transaction():\n"
            "        context.run_migrations()\n");
  const std::string header = "from alembic import op\nimport sqlalchemy as sa\n";
  dir.write("p/versions/a1.py", header +
                                    "revision = 'a1'\ndown_revision = None\n"
                                    "def upgrade():\n"
                                    "    op.create_table('orders', sa.Column('id', sa.Integer))\n"
                                    "def downgrade():\n"
                                    "    op.drop_table('orders')\n");
  dir.write("p/versions/b2.py",
            header + "revision = 'b2'\ndown_revision = 'a1'\n"
                     "def upgrade():\n"
                     "    op.add_column('orders', sa.Column('state', "
                     "sa.Enum('new', 'paid', name='order_state')))\n" // line 6
                     "def downgrade():\n"
                     "    op.drop_column('orders', 'state')\n");
  dir.write("p/versions/c3.py",
            header + "revision = 'c3'\ndown_revision = 'b2'\n"
                     "def upgrade():\n"
                     "    kind = sa.Enum('a', 'b', name='refund_kind')\n"
                     "    kind.create(op.get_bind())\n"
                     "    op.create_table('refunds', sa.Column('kind', kind))\n" // line 8
                     "def downgrade():\n"
                     "    op.drop_table('refunds')\n"
                     "    op.execute('DROP TYPE refund_kind')\n");
  // Two tables sharing one Enum in one revision: created once (SQLAlchemy's memo).
  dir.write("p/versions/d4.py", header +
                                    "revision = 'd4'\ndown_revision = 'c3'\n"
                                    "def upgrade():\n"
                                    "    state = sa.Enum('open', 'closed', name='ticket_state')\n"
                                    "    op.create_table('tickets', sa.Column('state', state))\n"
                                    "    op.create_table('ticket_log', sa.Column('state', state))\n"
                                    "def downgrade():\n"
                                    "    op.drop_table('ticket_log')\n"
                                    "    op.drop_table('tickets')\n"
                                    "    op.execute('DROP TYPE ticket_state')\n");
  const auto r = test::run_miglint("check --round-trip --format json --fail-on never -o out.json p",
                                   dir.path().string());
  std::ifstream in(dir.path() / "out.json");
  const auto doc = nlohmann::json::parse(in, nullptr, false);
  ASSERT_FALSE(doc.is_discarded()) << r.out;
  auto at = [&](const std::string& rule, const std::string& migration) -> const nlohmann::json* {
    for (const auto& f : doc["findings"]) {
      if (f["rule"] == rule && f["migration"] == migration) {
        return &f;
      }
    }
    return nullptr;
  };
  const auto* missing = at("enum-type-not-created", "b2");
  const auto* missing_run = at("roundtrip-upgrade-failed", "b2");
  ASSERT_NE(missing, nullptr) << r.out;
  ASSERT_NE(missing_run, nullptr) << r.out;
  EXPECT_EQ((*missing)["line"], 6);
  EXPECT_EQ((*missing_run)["line"], 6);
  EXPECT_NE(
      (*missing_run)["message"].get<std::string>().find("type \"order_state\" does not exist"),
      std::string::npos)
      << (*missing_run)["message"];
  const auto* twice = at("enum-type-created-twice", "c3");
  const auto* twice_run = at("roundtrip-upgrade-failed", "c3");
  ASSERT_NE(twice, nullptr) << r.out;
  ASSERT_NE(twice_run, nullptr) << r.out;
  EXPECT_EQ((*twice)["line"], 8);
  EXPECT_EQ((*twice_run)["line"], 8);
  EXPECT_NE((*twice_run)["message"].get<std::string>().find("type \"refund_kind\" already exists"),
            std::string::npos)
      << (*twice_run)["message"];
  EXPECT_EQ(at("enum-type-created-twice", "d4"), nullptr) << r.out;
  EXPECT_EQ(at("roundtrip-upgrade-failed", "d4"), nullptr) << r.out;
  EXPECT_NE(r.out.find("round-trip 4/4: d4"), std::string::npos) << r.out;
}

} // namespace
} // namespace miglint::roundtrip
