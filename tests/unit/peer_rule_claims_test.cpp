// The lock, scan and rewrite claims of the rules ported from the peers' catalog (drop-not-null,
// reindex-non-concurrent, vacuum-full, cluster, detach-partition-non-concurrent,
// add-exclusion-constraint, domain-check, drop-schema, drop-database, missing-statement-timeout,
// transaction-nesting and the style group), each checked on a real PostgreSQL the test starts:
// the locks a statement holds (pg_locks of its own backend, in its transaction), the tables it
// rewrites (relfilenode), the tables it scans (pg_stat_xact_user_tables), what PostgreSQL
// refuses, and — for statements that cannot run in a transaction — whether a query queues
// behind the statement while it waits for a lock. The lock table (lint/effects) is checked
// against the same observations.
//
// The server is the newest local one; MIGLINT_CLAIMS_PG_BIN=DIR picks another (the claims that
// depend on the major are checked for the one that runs).

#include "lint/effects.hpp"
#include "lint/schema_state.hpp"
#include "roundtrip/observer.hpp"
#include "roundtrip/server.hpp"
#include "sql/parser.hpp"

#include <gtest/gtest.h>
#include <pqxx/pqxx>

#include <chrono>
#include <cstdlib>
#include <map>
#include <set>
#include <thread>

namespace miglint {
namespace {

using roundtrip::Server;

// What one statement did in its transaction, on relations that existed before it.
struct Observed {
  std::map<std::string, std::string> locks; // relation -> strongest mode ("ACCESS EXCLUSIVE")
  std::set<std::string> rewritten;          // relations whose relfilenode changed
  std::set<std::string> scanned;            // tables read sequentially
  std::map<std::string, char> kinds;        // relation -> pg_class.relkind
  std::string error;                        // PostgreSQL's error, if it failed
};

// What happened to a query sent while a statement waited for a lock another session held.
struct Queued {
  bool statement_waited = false; // the statement was seen waiting for a lock
  bool probe_blocked = false;    // the query ran into its lock_timeout
  std::string probe_error;
  std::string statement_error;
};

class PeerRuleClaims : public ::testing::Test {
protected:
  static void SetUpTestSuite() {
    roundtrip::ServerOptions o;
    o.provider = "local";
    if (const char* bin = std::getenv("MIGLINT_CLAIMS_PG_BIN"); bin != nullptr && *bin != '\0') {
      o.pg_bin = {bin};
    }
    auto started = roundtrip::start_server(o);
    ASSERT_NE(started.server, nullptr) << started.error;
    s_server = started.server.release();
    pqxx::connection c(s_server->conninfo());
    s_major = c.server_version() / 10000;
  }
  static void TearDownTestSuite() {
    delete s_server;
    s_server = nullptr;
  }
  void SetUp() override { ASSERT_NE(s_server, nullptr); }

  static int major() { return s_major; }

  // An empty database again (cheaper than recreating it).
  static void reset() {
    exec("DROP SCHEMA public CASCADE; DROP SCHEMA IF EXISTS s CASCADE; CREATE SCHEMA public");
  }

  static void exec(const std::string& sql) {
    pqxx::connection c(s_server->conninfo());
    pqxx::nontransaction n(c);
    n.exec(sql);
  }

  static std::string scalar(const std::string& sql) {
    pqxx::connection c(s_server->conninfo());
    pqxx::nontransaction n(c);
    const auto r = n.exec(sql);
    return r.empty() || r[0][0].is_null() ? std::string() : std::string(r[0][0].c_str());
  }

  // PostgreSQL's error for `sql` run as one query (no error: "").
  static std::string error_of(const std::string& sql) {
    pqxx::connection c(s_server->conninfo());
    pqxx::nontransaction n(c);
    try {
      n.exec(sql);
    } catch (const pqxx::sql_error& e) {
      return e.what();
    }
    return {};
  }

  // A fresh database holding `setup`; then `statement` runs in a transaction (rolled back) and
  // its locks, rewrites and scans on the relations of `setup` are read before it ends.
  static Observed in_transaction(const std::string& setup, const std::string& statement) {
    reset();
    if (!setup.empty()) {
      exec(setup);
    }
    Observed out;
    pqxx::connection c(s_server->conninfo());
    pqxx::nontransaction n(c);
    n.exec("CREATE TEMP TABLE miglint_before AS SELECT c.oid, c.relname::text AS relname, "
           "c.relfilenode, c.relkind::text AS relkind FROM pg_class c JOIN pg_namespace ns ON "
           "ns.oid = c.relnamespace WHERE ns.nspname NOT IN ('pg_catalog', 'information_schema') "
           "AND ns.nspname NOT LIKE 'pg_toast%' AND ns.nspname NOT LIKE 'pg_temp%'");
    for (const auto& row : n.exec("SELECT relname, relkind FROM miglint_before")) {
      out.kinds[row[0].c_str()] = row[1].c_str()[0];
    }
    n.exec("BEGIN");
    try {
      n.exec(statement);
    } catch (const pqxx::sql_error& e) {
      out.error = e.what();
      n.exec("ROLLBACK");
      return out;
    }
    for (const auto& row : n.exec("SELECT relname, seq_scan FROM pg_stat_xact_user_tables "
                                  "WHERE seq_scan > 0 AND relname <> 'miglint_before'")) {
      out.scanned.insert(row[0].c_str());
    }
    for (const auto& row : n.exec("SELECT b.relname, l.mode FROM pg_locks l JOIN miglint_before "
                                  "b ON b.oid = l.relation WHERE l.pid = pg_backend_pid() AND "
                                  "l.locktype = 'relation' AND l.granted")) {
      const std::string mode = roundtrip::lock_mode_name(row[1].c_str());
      auto& strongest = out.locks[row[0].c_str()];
      if (roundtrip::lock_strength(mode) > roundtrip::lock_strength(strongest)) {
        strongest = mode;
      }
    }
    for (const auto& row : n.exec("SELECT b.relname FROM miglint_before b JOIN pg_class c ON "
                                  "c.oid = b.oid WHERE c.relfilenode <> b.relfilenode")) {
      out.rewritten.insert(row[0].c_str());
    }
    n.exec("ROLLBACK");
    return out;
  }

  // A fresh database holding `setup`; a session runs `holder` in an open transaction, another
  // sends `statement` (outside a transaction block), which waits for the holder's locks; while
  // it waits a third session sends `probe` with a lock_timeout. Then the holder commits and the
  // statement finishes.
  static Queued queue_behind(const std::string& setup, const std::string& holder,
                             const std::string& statement, const std::string& probe) {
    reset();
    exec(setup);
    Queued out;
    pqxx::connection hold(s_server->conninfo());
    pqxx::nontransaction h(hold);
    h.exec("BEGIN");
    h.exec(holder);
    pqxx::connection runner(s_server->conninfo());
    const int pid = runner.backendpid();
    std::thread worker([&] {
      try {
        pqxx::nontransaction r(runner);
        r.exec(statement);
      } catch (const std::exception& e) {
        out.statement_error = e.what();
      }
    });
    {
      pqxx::connection watch(s_server->conninfo());
      pqxx::nontransaction w(watch);
      // Until the statement waits for a lock (bounded: it may finish without waiting).
      for (int i = 0; i < 1500 && !out.statement_waited; ++i) {
        const auto r = w.exec("SELECT wait_event_type = 'Lock' FROM pg_stat_activity WHERE pid = " +
                              std::to_string(pid));
        out.statement_waited = !r.empty() && std::string(r[0][0].c_str()) == "t";
        if (!out.statement_waited) {
          std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
      }
    }
    if (out.statement_waited) {
      pqxx::connection probing(s_server->conninfo());
      pqxx::nontransaction p(probing);
      p.exec("SET lock_timeout = '500ms'");
      try {
        p.exec(probe);
      } catch (const pqxx::sql_error& e) {
        out.probe_error = e.what();
        out.probe_blocked = out.probe_error.find("lock timeout") != std::string::npos;
      }
    }
    h.exec("COMMIT");
    worker.join();
    return out;
  }

  // The lock table's prediction for the last statement of `statement`, after `setup`.
  static std::map<std::string, std::string>
  predicted(const std::string& setup, const std::string& statement, int pg_version) {
    lint::SchemaState schema;
    for (const auto& s : sql::parse(setup).statements) {
      schema.apply(s);
    }
    const auto parsed = sql::parse(statement);
    std::map<std::string, std::string> out;
    if (parsed.statements.empty()) {
      return out;
    }
    for (const auto& lock :
         lint::locks_taken(parsed.statements.back(), schema, lint::SessionFacts{}, pg_version)) {
      out[lock.table.name] = std::string(sql::to_string(lock.mode));
    }
    return out;
  }

  // The observed locks on tables (not indexes or sequences).
  static std::map<std::string, std::string> table_locks(const Observed& o) {
    std::map<std::string, std::string> out;
    for (const auto& [rel, mode] : o.locks) {
      const auto kind = o.kinds.find(rel);
      if (kind != o.kinds.end() && (kind->second == 'r' || kind->second == 'p')) {
        out[rel] = mode;
      }
    }
    return out;
  }

  static Server* s_server;
  static int s_major;
};

Server* PeerRuleClaims::s_server = nullptr;
int PeerRuleClaims::s_major = 0;

constexpr const char* k_table = "CREATE TABLE t (id int PRIMARY KEY, a int, b int NOT NULL, "
                                "name varchar(20)); INSERT INTO t SELECT g, g, g, 'n' || g FROM "
                                "generate_series(1, 200) g; CREATE INDEX t_a ON t (a);";

constexpr const char* k_partitioned =
    "CREATE TABLE p (id int, k int) PARTITION BY RANGE (k); "
    "CREATE TABLE p1 PARTITION OF p FOR VALUES FROM (0) TO (10); "
    "CREATE TABLE p2 PARTITION OF p FOR VALUES FROM (10) TO (20); "
    "INSERT INTO p SELECT g, g % 20 FROM generate_series(1, 200) g;";

constexpr const char* k_domain =
    "CREATE DOMAIN posint AS int; CREATE TABLE t (id int PRIMARY KEY, v posint); "
    "CREATE TABLE u (id int, w posint); CREATE TABLE other (id int); "
    "INSERT INTO t SELECT g, g FROM generate_series(1, 200) g; INSERT INTO u VALUES (1, 5);";

// --- statements observed in a transaction --------------------------------------------------------

struct TxClaim {
  std::string name;
  std::string setup;
  std::string statement;
  std::map<std::string, std::string> locks; // every relation of the setup the statement locks
  std::set<std::string> rewritten;
  std::set<std::string> scanned;
  int min_major = 0; // the claim holds on these majors
  int max_major = 99;
};

const std::vector<TxClaim> k_tx_claims = {
    // drop-not-null: instant — a brief ACCESS EXCLUSIVE, no scan, no rewrite.
    {"drop_not_null",
     k_table,
     "ALTER TABLE t ALTER COLUMN b DROP NOT NULL",
     {{"t", "ACCESS EXCLUSIVE"}},
     {},
     {}},
    // reindex-non-concurrent: ACCESS EXCLUSIVE on the index, SHARE on its table.
    {"reindex_index",
     k_table,
     "REINDEX INDEX t_a",
     {{"t", "SHARE"}, {"t_a", "ACCESS EXCLUSIVE"}},
     {"t_a"},
     {"t"}},
    {"reindex_table",
     k_table,
     "REINDEX TABLE t",
     {{"t", "SHARE"}, {"t_a", "ACCESS EXCLUSIVE"}, {"t_pkey", "ACCESS EXCLUSIVE"}},
     {"t_a", "t_pkey"},
     {"t"}},
    // cluster: a new copy of the table and its indexes under ACCESS EXCLUSIVE.
    {"cluster",
     k_table,
     "CLUSTER t USING t_a",
     {{"t", "ACCESS EXCLUSIVE"}, {"t_a", "ACCESS EXCLUSIVE"}, {"t_pkey", "ACCESS EXCLUSIVE"}},
     {"t", "t_a", "t_pkey"},
     {"t"}},
    // detach-partition-non-concurrent: ACCESS EXCLUSIVE on the parent, and on the partition from
    // PostgreSQL 14 (SHARE UPDATE EXCLUSIVE on 13).
    {"detach_partition",
     k_partitioned,
     "ALTER TABLE p DETACH PARTITION p1",
     {{"p", "ACCESS EXCLUSIVE"}, {"p1", "ACCESS EXCLUSIVE"}},
     {},
     {},
     14},
    {"detach_partition_13",
     k_partitioned,
     "ALTER TABLE p DETACH PARTITION p1",
     {{"p", "ACCESS EXCLUSIVE"}, {"p1", "SHARE UPDATE EXCLUSIVE"}},
     {},
     {},
     0,
     13},
    // add-exclusion-constraint: ACCESS EXCLUSIVE while the index is built from a scan.
    {"add_exclusion_constraint",
     "CREATE TABLE t (id int PRIMARY KEY, r int4range); INSERT INTO t SELECT g, "
     "int4range(g * 10, g * 10 + 5) FROM generate_series(1, 200) g;",
     "ALTER TABLE t ADD CONSTRAINT t_no_overlap EXCLUDE USING gist (r WITH &&)",
     {{"t", "ACCESS EXCLUSIVE"}},
     {},
     {"t"}},
    // domain-check: SHARE on, and a scan of, each table with a column of the domain.
    {"domain_add_check",
     k_domain,
     "ALTER DOMAIN posint ADD CONSTRAINT pos CHECK (VALUE > 0)",
     {{"t", "SHARE"}, {"u", "SHARE"}},
     {},
     {"t", "u"}},
    {"domain_add_check_not_valid",
     k_domain,
     "ALTER DOMAIN posint ADD CONSTRAINT pos CHECK (VALUE > 0) NOT VALID",
     {},
     {},
     {}},
    {"domain_validate",
     std::string(k_domain) + "ALTER DOMAIN posint ADD CONSTRAINT pos CHECK (VALUE > 0) NOT VALID;",
     "ALTER DOMAIN posint VALIDATE CONSTRAINT pos",
     {{"t", "SHARE"}, {"u", "SHARE"}},
     {},
     {"t", "u"}},
    {"domain_set_not_null",
     k_domain,
     "ALTER DOMAIN posint SET NOT NULL",
     {{"t", "SHARE"}, {"u", "SHARE"}},
     {},
     {"t", "u"}},
    // drop-schema: CASCADE drops each table under ACCESS EXCLUSIVE.
    {"drop_schema_cascade",
     "CREATE SCHEMA s; CREATE TABLE s.a (id int); CREATE TABLE s.b (id int); "
     "CREATE TABLE c (id int);",
     "DROP SCHEMA s CASCADE",
     {{"a", "ACCESS EXCLUSIVE"}, {"b", "ACCESS EXCLUSIVE"}},
     {},
     {}},
    // prefer-text-field: raising a varchar limit is ACCESS EXCLUSIVE without a rewrite,
    // lowering it rewrites; a CHECK validated later only takes SHARE UPDATE EXCLUSIVE.
    {"varchar_raise_limit",
     k_table,
     "ALTER TABLE t ALTER COLUMN name TYPE varchar(30)",
     {{"t", "ACCESS EXCLUSIVE"}},
     {},
     {}},
    {"varchar_lower_limit",
     k_table,
     "ALTER TABLE t ALTER COLUMN name TYPE varchar(10)",
     {{"t", "ACCESS EXCLUSIVE"}, {"t_a", "ACCESS EXCLUSIVE"}, {"t_pkey", "ACCESS EXCLUSIVE"}},
     {"t", "t_a", "t_pkey"},
     {"t"}},
    {"check_validated_later",
     std::string(k_table) +
         "ALTER TABLE t ADD CONSTRAINT name_len CHECK (length(name) <= 20) NOT VALID;",
     "ALTER TABLE t VALIDATE CONSTRAINT name_len",
     {{"t", "SHARE UPDATE EXCLUSIVE"}},
     {},
     {"t"}},
    // prefer-bigint-key: widening a key rewrites the table under ACCESS EXCLUSIVE.
    // (the key's own index is built anew under another OID, so it does not show as rewritten)
    {"widen_integer_key",
     k_table,
     "ALTER TABLE t ALTER COLUMN id TYPE bigint",
     {{"t", "ACCESS EXCLUSIVE"}, {"t_a", "ACCESS EXCLUSIVE"}, {"t_pkey", "ACCESS EXCLUSIVE"}},
     {"t", "t_a"},
     {"t"}},
};

TEST_F(PeerRuleClaims, LocksRewritesAndScansInATransaction) {
  size_t checked = 0;
  for (const auto& c : k_tx_claims) {
    if (major() < c.min_major || major() > c.max_major) {
      continue;
    }
    ++checked;
    SCOPED_TRACE(c.name + " on PostgreSQL " + std::to_string(major()));
    const Observed o = in_transaction(c.setup, c.statement);
    ASSERT_EQ(o.error, "");
    EXPECT_EQ(o.locks, c.locks);
    EXPECT_EQ(o.rewritten, c.rewritten);
    EXPECT_EQ(o.scanned, c.scanned);
    // The lock table says the same about the tables.
    EXPECT_EQ(predicted(c.setup, c.statement, major()), table_locks(o));
  }
  EXPECT_EQ(checked, k_tx_claims.size() - 1); // one of the two detach rows
}

// prefer-timestamptz: a timestamp -> timestamptz change rewrites unless the session's time zone
// is UTC (PostgreSQL >= 12).
TEST_F(PeerRuleClaims, TimestamptzChangeRewritesUnlessTheSessionIsUtc) {
  const std::string setup =
      "CREATE TABLE e (id int, at timestamp); INSERT INTO e VALUES (1, '2024-01-01 10:00');";
  EXPECT_EQ(in_transaction(setup, "SET LOCAL timezone = 'UTC'; ALTER TABLE e ALTER COLUMN at "
                                  "TYPE timestamptz")
                .rewritten,
            std::set<std::string>{});
  EXPECT_EQ(in_transaction(setup, "SET LOCAL timezone = 'Europe/Berlin'; ALTER TABLE e ALTER "
                                  "COLUMN at TYPE timestamptz")
                .rewritten,
            std::set<std::string>{"e"});
}

// --- what PostgreSQL refuses
// -----------------------------------------------------------------------

TEST_F(PeerRuleClaims, StatementsRefusedInATransactionBlock) {
  reset();
  exec(std::string(k_table) + k_partitioned);
  const std::string in_block = "cannot run inside a transaction block";
  // reindex-non-concurrent, vacuum-full, cluster, drop-database (and their CONCURRENTLY forms).
  for (const char* sql : {"REINDEX SCHEMA public", "VACUUM FULL t", "VACUUM t", "CLUSTER",
                          "DROP DATABASE postgres", "REINDEX INDEX CONCURRENTLY t_a"}) {
    SCOPED_TRACE(sql);
    EXPECT_NE(error_of(std::string("BEGIN; ") + sql + "; COMMIT").find(in_block),
              std::string::npos);
  }
  EXPECT_NE(error_of("BEGIN; REINDEX DATABASE " + s_server->database() + "; COMMIT").find(in_block),
            std::string::npos);
  // CLUSTER of one table may run in a transaction.
  EXPECT_EQ(error_of("BEGIN; CLUSTER t USING t_a; COMMIT"), "");
  // drop-database: nor may a session drop the database it is connected to.
  EXPECT_NE(error_of("DROP DATABASE " + s_server->database()).find("currently open database"),
            std::string::npos);
  // detach-partition-non-concurrent: CONCURRENTLY arrived in PostgreSQL 14.
  const std::string detach = error_of("BEGIN; ALTER TABLE p DETACH PARTITION p1 CONCURRENTLY");
  if (major() >= 14) {
    EXPECT_NE(detach.find(in_block), std::string::npos) << detach;
  } else {
    EXPECT_NE(detach.find("syntax error"), std::string::npos) << detach;
  }
}

TEST_F(PeerRuleClaims, ExclusionConstraintsCannotBeDeferredOrAttached) {
  reset();
  exec("CREATE TABLE t (id int PRIMARY KEY, r int4range); "
       "INSERT INTO t VALUES (1, '[10,15)'), (2, '[12,13)');"
       "CREATE INDEX t_r ON t USING gist (r);");
  // No NOT VALID ...
  EXPECT_NE(error_of("ALTER TABLE t ADD CONSTRAINT x EXCLUDE USING gist (r WITH &&) NOT VALID")
                .find("cannot be marked NOT VALID"),
            std::string::npos);
  // ... no USING INDEX (only UNIQUE and PRIMARY KEY have it) ...
  EXPECT_NE(error_of("ALTER TABLE t ADD CONSTRAINT x EXCLUDE USING INDEX t_r").find("syntax error"),
            std::string::npos);
  EXPECT_EQ(error_of("CREATE UNIQUE INDEX t_id ON t (id); "
                     "ALTER TABLE t ADD CONSTRAINT t_id_key UNIQUE USING INDEX t_id"),
            "");
  // ... and every existing row is checked.
  EXPECT_NE(error_of("ALTER TABLE t ADD CONSTRAINT x EXCLUDE USING gist (r WITH &&)")
                .find("could not create exclusion constraint"),
            std::string::npos);
}

TEST_F(PeerRuleClaims, DomainConstraintsCheckEveryColumnOfTheType) {
  reset();
  exec(std::string(k_domain) + "INSERT INTO u VALUES (2, -1);");
  EXPECT_NE(error_of("ALTER DOMAIN posint ADD CONSTRAINT pos CHECK (VALUE > 0)")
                .find("column \"w\" of table \"u\" contains values that violate"),
            std::string::npos);
  // NOT VALID skips the existing values and checks new ones at once.
  EXPECT_EQ(error_of("ALTER DOMAIN posint ADD CONSTRAINT pos CHECK (VALUE > 0) NOT VALID"), "");
  EXPECT_NE(error_of("INSERT INTO t VALUES (1000, -5)").find("violates check constraint"),
            std::string::npos);
}

// --- statements that cannot run in a transaction: who queues behind them
// --------------------------

TEST_F(PeerRuleClaims, VacuumFullBlocksReadsAndRewrites) {
  const std::string setup = k_table;
  reset();
  exec(setup);
  const std::string before = scalar("SELECT relfilenode FROM pg_class WHERE relname = 't'");
  // A reader holds ACCESS SHARE: VACUUM FULL waits for it, and the next reader queues behind.
  const Queued full =
      queue_behind(setup, "SELECT count(*) FROM t", "VACUUM FULL t", "SELECT count(*) FROM t");
  ASSERT_TRUE(full.statement_waited);
  EXPECT_TRUE(full.probe_blocked) << full.probe_error;
  EXPECT_EQ(full.statement_error, "");
  EXPECT_NE(scalar("SELECT relfilenode FROM pg_class WHERE relname = 't'"), before);
  // A plain VACUUM (SHARE UPDATE EXCLUSIVE) lets reads and writes through while it waits.
  const Queued plain = queue_behind(setup, "LOCK TABLE t IN SHARE UPDATE EXCLUSIVE MODE",
                                    "VACUUM t", "INSERT INTO t VALUES (1000, 1, 1, 'x')");
  ASSERT_TRUE(plain.statement_waited);
  EXPECT_FALSE(plain.probe_blocked) << plain.probe_error;
  EXPECT_EQ(plain.probe_error, "");
}

TEST_F(PeerRuleClaims, ReindexConcurrentlyLetsWritesThrough) {
  const std::string setup = k_table;
  const std::string writer = "INSERT INTO t VALUES (1000, 1, 1, 'x')";
  const std::string probe = "INSERT INTO t VALUES (1001, 1, 1, 'x')";
  // A writer holds ROW EXCLUSIVE: REINDEX (SHARE) waits, and the next writer queues behind it.
  const Queued plain = queue_behind(setup, writer, "REINDEX INDEX t_a", probe);
  ASSERT_TRUE(plain.statement_waited);
  EXPECT_TRUE(plain.probe_blocked) << plain.probe_error;
  if (major() < 12) {
    GTEST_SKIP() << "REINDEX CONCURRENTLY needs PostgreSQL 12";
  }
  const Queued concurrent = queue_behind(setup, writer, "REINDEX INDEX CONCURRENTLY t_a", probe);
  ASSERT_TRUE(concurrent.statement_waited);
  EXPECT_FALSE(concurrent.probe_blocked) << concurrent.probe_error;
  EXPECT_EQ(concurrent.statement_error, "");
}

TEST_F(PeerRuleClaims, DetachConcurrentlyLetsReadsAndWritesThrough) {
  const std::string reader = "SELECT count(*) FROM p";
  const std::string probe = "INSERT INTO p VALUES (1000, 15)";
  const Queued plain =
      queue_behind(k_partitioned, reader, "ALTER TABLE p DETACH PARTITION p1", probe);
  ASSERT_TRUE(plain.statement_waited);
  EXPECT_TRUE(plain.probe_blocked) << plain.probe_error;
  if (major() < 14) {
    GTEST_SKIP() << "DETACH PARTITION ... CONCURRENTLY needs PostgreSQL 14";
  }
  const Queued concurrent =
      queue_behind(k_partitioned, reader, "ALTER TABLE p DETACH PARTITION p1 CONCURRENTLY", probe);
  ASSERT_TRUE(concurrent.statement_waited);
  EXPECT_FALSE(concurrent.probe_blocked) << concurrent.probe_error;
  EXPECT_EQ(concurrent.statement_error, "");
  EXPECT_EQ(scalar("SELECT count(*) FROM pg_inherits WHERE inhrelid = 'p1'::regclass"), "0");
  // Not with a DEFAULT partition.
  exec("CREATE TABLE p3 PARTITION OF p FOR VALUES FROM (30) TO (40); "
       "CREATE TABLE p_default PARTITION OF p DEFAULT");
  EXPECT_NE(error_of("ALTER TABLE p DETACH PARTITION p3 CONCURRENTLY")
                .find("when a default partition exists"),
            std::string::npos);
}

// --- transaction-nesting -------------------------------------------------------------------------

TEST_F(PeerRuleClaims, TransactionStatementsInsideAToolTransaction) {
  // Statements sent one at a time, as a migration tool sends them, with the tool's BEGIN first.
  auto run = [](const std::vector<std::string>& statements) {
    pqxx::connection c(s_server->conninfo());
    pqxx::nontransaction n(c);
    for (const auto& s : statements) {
      try {
        n.exec(s);
      } catch (const pqxx::sql_error&) {
        n.exec("ROLLBACK"); // the tool's rollback after a failure
        return;
      }
    }
  };
  // A COMMIT in the script: what follows commits on its own, so a failure after it leaves the
  // first half applied.
  reset();
  run({"BEGIN", "CREATE TABLE a (id int)", "COMMIT", "CREATE TABLE b (id int)", "SELECT 1 / 0",
       "COMMIT"});
  EXPECT_EQ(scalar("SELECT count(*) FROM pg_class WHERE relname IN ('a', 'b')"), "2");
  // A nested BEGIN is ignored with a warning, and the first COMMIT ends both.
  reset();
  {
    pqxx::connection c(s_server->conninfo());
    struct Warnings final : pqxx::errorhandler {
      explicit Warnings(pqxx::connection_base& conn) : pqxx::errorhandler(conn) {}
      bool operator()(const char msg[]) noexcept override {
        text += msg;
        return true;
      }
      std::string text;
    } warnings(c);
    pqxx::nontransaction n(c);
    n.exec("BEGIN");
    n.exec("CREATE TABLE a (id int)");
    n.exec("BEGIN");
    n.exec("CREATE TABLE b (id int)");
    n.exec("COMMIT");
    n.exec("CREATE TABLE c (id int)");
    n.exec("ROLLBACK");
    EXPECT_NE(warnings.text.find("there is already a transaction in progress"), std::string::npos);
    EXPECT_NE(warnings.text.find("there is no transaction in progress"), std::string::npos);
  }
  EXPECT_EQ(scalar("SELECT count(*) FROM pg_class WHERE relname IN ('a', 'b', 'c')"), "3");
  // A ROLLBACK in the script undoes it, and the tool's record of the migration still commits.
  reset();
  exec("CREATE TABLE version (v text)");
  run({"BEGIN", "CREATE TABLE a (id int)", "ROLLBACK", "INSERT INTO version VALUES ('0002')",
       "COMMIT"});
  EXPECT_EQ(scalar("SELECT count(*) FROM pg_class WHERE relname = 'a'"), "0");
  EXPECT_EQ(scalar("SELECT v FROM version"), "0002");
  // A BEGIN inside a multi-statement query (golang-migrate) makes its implicit transaction
  // explicit, without a warning, and its COMMIT ends it.
  reset();
  EXPECT_EQ(error_of("CREATE TABLE a (id int); BEGIN; CREATE TABLE b (id int); COMMIT;"), "");
  EXPECT_EQ(scalar("SELECT count(*) FROM pg_class WHERE relname IN ('a', 'b')"), "2");
}

// --- missing-statement-timeout
// ---------------------------------------------------------------------

TEST_F(PeerRuleClaims, StatementAndTransactionTimeouts) {
  reset();
  EXPECT_NE(error_of("SET statement_timeout = '50ms'; SELECT pg_sleep(30)")
                .find("canceling statement due to statement timeout"),
            std::string::npos);
  const std::string transaction = error_of("SET transaction_timeout = '5s'");
  if (major() >= 17) {
    EXPECT_EQ(transaction, "");
  } else {
    EXPECT_NE(transaction.find("unrecognized configuration parameter"), std::string::npos)
        << transaction;
  }
}

// --- the style group
// -------------------------------------------------------------------------------

TEST_F(PeerRuleClaims, JsonHasNoEqualityAndNoGinIndex) {
  reset();
  exec("CREATE TABLE j (id int, payload json, doc jsonb); "
       "INSERT INTO j VALUES (1, '{\"a\": 1}', '{\"a\": 1}');");
  const std::string no_equality = "could not identify an equality operator for type json";
  EXPECT_NE(error_of("SELECT DISTINCT payload FROM j").find(no_equality), std::string::npos);
  EXPECT_NE(error_of("SELECT payload FROM j GROUP BY payload").find(no_equality),
            std::string::npos);
  EXPECT_NE(error_of("SELECT payload FROM j UNION SELECT payload FROM j").find(no_equality),
            std::string::npos);
  EXPECT_NE(error_of("SELECT 1 FROM j WHERE payload IN (SELECT payload FROM j)")
                .find("operator does not exist: json = json"),
            std::string::npos);
  EXPECT_NE(error_of("CREATE INDEX ON j USING gin (payload)").find("has no default operator class"),
            std::string::npos);
  EXPECT_EQ(error_of("SELECT DISTINCT doc FROM j; SELECT doc FROM j UNION SELECT doc FROM j; "
                     "CREATE INDEX ON j USING gin (doc)"),
            "");
  // json keeps the input text as it came; jsonb the parsed value.
  EXPECT_EQ(scalar("SELECT '{\"a\":1,  \"a\":2}'::json::text"), "{\"a\":1,  \"a\":2}");
  EXPECT_EQ(scalar("SELECT '{\"a\":1,  \"a\":2}'::jsonb::text"), "{\"a\": 2}");
}

TEST_F(PeerRuleClaims, TimestampStoresTheWritersWallClock) {
  reset();
  exec("CREATE TABLE e (writer text, plain timestamp, tz timestamptz)");
  const std::string instant = "'2024-06-01 12:00:00+00'::timestamptz";
  exec("SET timezone = 'UTC'; INSERT INTO e VALUES ('utc', " + instant + ", " + instant + ")");
  exec("SET timezone = 'America/New_York'; INSERT INTO e VALUES ('ny', " + instant + ", " +
       instant + ")");
  EXPECT_EQ(scalar("SELECT count(DISTINCT plain) FROM e"), "2"); // one instant, two values
  EXPECT_EQ(scalar("SELECT count(DISTINCT tz) FROM e"), "1");
  // Arithmetic across a daylight-saving change: wall-clock hours, not elapsed ones.
  EXPECT_EQ(scalar("SET timezone = 'Europe/Berlin'; SELECT ('2024-03-31 03:30'::timestamp - "
                   "'2024-03-31 01:30'::timestamp)::text"),
            "02:00:00");
  EXPECT_EQ(scalar("SET timezone = 'Europe/Berlin'; SELECT ('2024-03-31 03:30'::timestamptz - "
                   "'2024-03-31 01:30'::timestamptz)::text"),
            "01:00:00");
}

TEST_F(PeerRuleClaims, SerialSequencesAreSeparateObjects) {
  reset();
  const std::string role = "miglint_claims_writer";
  exec("DROP ROLE IF EXISTS " + role);
  exec("CREATE ROLE " + role +
       "; CREATE TABLE s (id serial PRIMARY KEY, v text); "
       "CREATE TABLE i (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, v text); "
       "GRANT USAGE ON SCHEMA public TO " +
       role + "; GRANT INSERT ON s, i TO " + role + ";");
  // The table's grant is not enough for serial: the sequence needs one of its own.
  EXPECT_NE(error_of("SET ROLE " + role + "; INSERT INTO s (v) VALUES ('x')")
                .find("permission denied for sequence"),
            std::string::npos);
  EXPECT_EQ(error_of("SET ROLE " + role + "; INSERT INTO i (v) VALUES ('x')"), "");
  // A copy made with LIKE ... INCLUDING DEFAULTS draws from the original's sequence.
  exec("CREATE TABLE s2 (LIKE s INCLUDING DEFAULTS)");
  EXPECT_NE(scalar("SELECT pg_get_expr(adbin, adrelid) FROM pg_attrdef WHERE adrelid = "
                   "'s2'::regclass")
                .find("s_id_seq"),
            std::string::npos);
  // GENERATED ALWAYS refuses explicit values.
  // ("cannot insert into column" before PostgreSQL 16, "cannot insert a non-DEFAULT value into
  // column" since)
  EXPECT_NE(error_of("INSERT INTO i (id, v) VALUES (5, 'x')").find("cannot insert"),
            std::string::npos);
  // An integer key runs out at 2,147,483,647.
  EXPECT_NE(error_of("SELECT setval('s_id_seq', 2147483647); INSERT INTO s (v) VALUES ('y')")
                .find("reached maximum value"),
            std::string::npos);
  exec("DROP OWNED BY " + role + "; DROP ROLE " + role);
}

} // namespace
} // namespace miglint
