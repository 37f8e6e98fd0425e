// The effect table (lint/effects.hpp) against real PostgreSQL: every row on every supported major
// (13 to 18). For each row's samples, on a cluster of that major: a setup is committed in a schema
// of its own, then the statement runs and the test reads
//   - the lock: the modes the backend holds on the table (pg_locks) after the statement, inside
//     its transaction; for a statement that cannot run in one, the mode it waits for behind a
//     session holding ACCESS EXCLUSIVE;
//   - the rewrite: the table's relfilenode before and after;
//   - the scan: the rows the backend's sequential scans of the table returned during the
//     statement (pg_stat_get_xact_tuples_returned: validation, index builds and rewrites all
//     read the heap so; every sample's table has rows, and a scan of a new, empty file, as
//     TRUNCATE's index rebuild makes, returns none).
// Each sample is also linted: miglint must put it in the row (and no row may lack a sample).
//
// One cluster per major for the whole suite. CTest runs the suite once per major (effects_pg13,
// ...), so the majors run in parallel and each reports its own time.

#include "lint/context.hpp"
#include "lint/effects.hpp"
#include "pg_versions.hpp"
#include "roundtrip/server.hpp"
#include "sql/parser.hpp"
#include "test_support.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <libpq-fe.h>
#include <map>
#include <memory>
#include <stdexcept>
#include <thread>

namespace miglint::lint {
namespace {

using test::k_newest_major;
using test::k_oldest_major;

struct Sample {
  Sample(Op o, std::string set_up, std::string sql, std::string observed = "t",
         std::string other_table = "")
      : op(o), setup(std::move(set_up)), statement(std::move(sql)), table(std::move(observed)),
        other(std::move(other_table)) {}
  Op op;
  std::string setup;     // committed before the statement (in the sample's own schema)
  std::string statement; // the statement the row is about
  std::string table;     // whose lock, file and scans are observed ("" : none)
  std::string other;     // the other table of the row (FK target, partition)
};

const std::string k_base =
    "CREATE TABLE t (id int PRIMARY KEY, a int, b varchar(50), ts timestamp(3), tz timestamptz);"
    "INSERT INTO t SELECT g, g, 'x' || g, now(), now() FROM generate_series(1, 3) g;";
const std::string k_parent = "CREATE TABLE p (id int PRIMARY KEY); INSERT INTO p VALUES (1), (2);";
const std::string k_partitioned =
    "CREATE TABLE t (id int, a int) PARTITION BY RANGE (id);"
    "CREATE TABLE t1 (id int, a int); INSERT INTO t1 VALUES (1, 1), (2, 2);";

std::vector<Sample> samples() {
  using enum Op;
  const std::string& b = k_base;
  return {
      {AddColumn, b, "ALTER TABLE t ADD COLUMN c int"},
      {AddColumn, b, "ALTER TABLE t ADD COLUMN c int DEFAULT NULL"},
      {AddColumnDefault, b, "ALTER TABLE t ADD COLUMN c int DEFAULT 5"},
      {AddColumnDefault, b, "ALTER TABLE t ADD COLUMN c timestamptz DEFAULT now()"},
      {AddColumnNotNullDefault, b, "ALTER TABLE t ADD COLUMN c int NOT NULL DEFAULT 5"},
      {AddColumnVolatileDefault, b, "ALTER TABLE t ADD COLUMN c float8 DEFAULT random()"},
      {AddColumnVolatileDefault, b,
       "ALTER TABLE t ADD COLUMN c timestamptz DEFAULT clock_timestamp()"},
      {AddColumnSerial, b, "ALTER TABLE t ADD COLUMN c serial"},
      {AddColumnSerial, b, "ALTER TABLE t ADD COLUMN c int GENERATED ALWAYS AS IDENTITY"},
      {AddColumnStoredGenerated, b,
       "ALTER TABLE t ADD COLUMN c int GENERATED ALWAYS AS (a * 2) STORED"},
      {AddColumnCheck, b, "ALTER TABLE t ADD COLUMN c int CHECK (c > 0)"},
      {AddColumnReferences, b + k_parent, "ALTER TABLE t ADD COLUMN c int REFERENCES p (id)", "t",
       "p"},
      {AddColumnReferencesDefault, b + k_parent,
       "ALTER TABLE t ADD COLUMN c int DEFAULT 1 REFERENCES p (id)", "t", "p"},
      {AddColumnUnique, b, "ALTER TABLE t ADD COLUMN c int UNIQUE"},
      {AddColumnPrimaryKey, "CREATE TABLE t (a int); INSERT INTO t VALUES (1);",
       "ALTER TABLE t ADD COLUMN k int DEFAULT 7 PRIMARY KEY"},
      {DropColumn, b, "ALTER TABLE t DROP COLUMN a"},
      {AlterColumnType, b, "ALTER TABLE t ALTER COLUMN a TYPE bigint"},
      {AlterColumnType, b, "ALTER TABLE t ALTER COLUMN b TYPE varchar(20)"},
      {AlterColumnType, b, "ALTER TABLE t ALTER COLUMN b TYPE text USING trim(b)"},
      {AlterColumnType, b + "SET timezone = 'Europe/Paris';",
       "ALTER TABLE t ALTER COLUMN ts TYPE timestamptz"},
      {AlterColumnTypeCoercible, b, "ALTER TABLE t ALTER COLUMN b TYPE varchar(100)"},
      {AlterColumnTypeCoercible, b, "ALTER TABLE t ALTER COLUMN b TYPE text"},
      {AlterColumnTypeCoercible, b, "ALTER TABLE t ALTER COLUMN b TYPE text USING b"},
      {AlterColumnTypeTimestampUtc, b + "SET timezone = 'UTC';",
       "ALTER TABLE t ALTER COLUMN ts TYPE timestamptz"},
      {AlterColumnTypeTimestampUtc, b + "SET TIME ZONE 'Etc/UTC';",
       "ALTER TABLE t ALTER COLUMN tz TYPE timestamp"},
      {AlterColumnTypeTimestampUtc, b + "SET timezone TO 'GMT';",
       "ALTER TABLE t ALTER COLUMN ts TYPE timestamptz(6)"},
      {AlterColumnTypeTimestampUtc, b + "SET timezone = 'UTC';",
       "ALTER TABLE t ALTER COLUMN ts TYPE timestamptz USING ts"},
      {SetNotNull, b, "ALTER TABLE t ALTER COLUMN a SET NOT NULL"},
      {SetNotNullProved, b + "ALTER TABLE t ADD CONSTRAINT a_nn CHECK (a IS NOT NULL);",
       "ALTER TABLE t ALTER COLUMN a SET NOT NULL"},
      {DropNotNull, b + "ALTER TABLE t ALTER COLUMN a SET NOT NULL;",
       "ALTER TABLE t ALTER COLUMN a DROP NOT NULL"},
      {SetDefault, b, "ALTER TABLE t ALTER COLUMN a SET DEFAULT 3"},
      {DropDefault, b + "ALTER TABLE t ALTER COLUMN a SET DEFAULT 3;",
       "ALTER TABLE t ALTER COLUMN a DROP DEFAULT"},
      {SetStatistics, b, "ALTER TABLE t ALTER COLUMN a SET STATISTICS 200"},
      {AddCheck, b, "ALTER TABLE t ADD CONSTRAINT c CHECK (a > 0)"},
      {AddCheckNotValid, b, "ALTER TABLE t ADD CONSTRAINT c CHECK (a > 0) NOT VALID"},
      {AddForeignKey, b + k_parent + "UPDATE t SET a = 1;",
       "ALTER TABLE t ADD CONSTRAINT f FOREIGN KEY (a) REFERENCES p (id)", "t", "p"},
      {AddForeignKeyNotValid, b + k_parent,
       "ALTER TABLE t ADD CONSTRAINT f FOREIGN KEY (a) REFERENCES p (id) NOT VALID", "t", "p"},
      {AddUnique, b, "ALTER TABLE t ADD CONSTRAINT u UNIQUE (a)"},
      {AddUniqueUsingIndex, b + "CREATE UNIQUE INDEX t_a_idx ON t (a);",
       "ALTER TABLE t ADD CONSTRAINT u UNIQUE USING INDEX t_a_idx"},
      {AddPrimaryKey, "CREATE TABLE t (id int, a int); INSERT INTO t VALUES (1, 1), (2, 2);",
       "ALTER TABLE t ADD PRIMARY KEY (id)"},
      {AddPrimaryKeyUsingIndex,
       "CREATE TABLE t (id int NOT NULL); INSERT INTO t VALUES (1), (2);"
       "CREATE UNIQUE INDEX t_id_idx ON t (id);",
       "ALTER TABLE t ADD CONSTRAINT t_pk PRIMARY KEY USING INDEX t_id_idx"},
      {ValidateConstraint, b + "ALTER TABLE t ADD CONSTRAINT c CHECK (a > 0) NOT VALID;",
       "ALTER TABLE t VALIDATE CONSTRAINT c"},
      {DropConstraint, b + "ALTER TABLE t ADD CONSTRAINT c CHECK (a > 0);",
       "ALTER TABLE t DROP CONSTRAINT c"},
      {SetLogged, b + "ALTER TABLE t SET UNLOGGED;", "ALTER TABLE t SET LOGGED"},
      {SetUnlogged, b, "ALTER TABLE t SET UNLOGGED"},
      {AttachPartition, k_partitioned,
       "ALTER TABLE t ATTACH PARTITION t1 FOR VALUES FROM (0) TO (10)", "t", "t1"},
      {DetachPartition,
       k_partitioned + "ALTER TABLE t ATTACH PARTITION t1 FOR VALUES FROM (0) TO (10);",
       "ALTER TABLE t DETACH PARTITION t1", "t", "t1"},
      {DetachPartitionConcurrently,
       k_partitioned + "ALTER TABLE t ATTACH PARTITION t1 FOR VALUES FROM (0) TO (10);",
       "ALTER TABLE t DETACH PARTITION t1 CONCURRENTLY"},
      {CreateIndex, b, "CREATE INDEX t_a ON t (a)"},
      {CreateIndexConcurrently, b, "CREATE INDEX CONCURRENTLY t_a ON t (a)"},
      {DropIndex, b + "CREATE INDEX t_a ON t (a);", "DROP INDEX t_a"},
      {DropIndexConcurrently, b + "CREATE INDEX t_a ON t (a);", "DROP INDEX CONCURRENTLY t_a"},
      {ReindexIndex, b + "CREATE INDEX t_a ON t (a);", "REINDEX INDEX t_a"},
      {ReindexTable, b, "REINDEX TABLE t"},
      {ReindexConcurrently, b, "REINDEX TABLE CONCURRENTLY t"},
      {RenameTable, b, "ALTER TABLE t RENAME TO t2"},
      {RenameColumn, b, "ALTER TABLE t RENAME COLUMN a TO a2"},
      {RenameIndex, b + "CREATE INDEX t_a ON t (a);", "ALTER INDEX t_a RENAME TO t_a2"},
      {RenameConstraint, b + "ALTER TABLE t ADD CONSTRAINT c CHECK (a > 0);",
       "ALTER TABLE t RENAME CONSTRAINT c TO c2"},
      {DropTable, b, "DROP TABLE t"},
      {Truncate, b, "TRUNCATE t"},
      {CreateTrigger,
       b + "CREATE FUNCTION trg() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END';",
       "CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION trg()"},
      {CreateTableReferences, k_parent, "CREATE TABLE c (id int REFERENCES p (id))", "", "p"},
      {VacuumFull, b, "VACUUM FULL t"},
      {Cluster, b, "CLUSTER t USING t_pkey"},
  };
}

// --- a small libpq client --------------------------------------------------------------------

struct PgError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class Conn {
public:
  explicit Conn(const std::string& conninfo) : m_conn(PQconnectdb(conninfo.c_str())) {
    if (PQstatus(m_conn) != CONNECTION_OK) {
      throw PgError(PQerrorMessage(m_conn));
    }
  }
  ~Conn() { PQfinish(m_conn); }
  Conn(const Conn&) = delete;
  Conn& operator=(const Conn&) = delete;

  // Runs `sql` (one or more statements); the rows of the last result.
  std::vector<std::vector<std::string>> exec(const std::string& sql) {
    send(sql);
    return finish();
  }
  void send(const std::string& sql) {
    if (PQsendQuery(m_conn, sql.c_str()) == 0) {
      throw PgError(PQerrorMessage(m_conn));
    }
  }
  // Collects the results of what was sent; throws the first error.
  std::vector<std::vector<std::string>> finish() {
    std::vector<std::vector<std::string>> rows;
    std::string error;
    while (PGresult* r = PQgetResult(m_conn)) {
      const auto status = PQresultStatus(r);
      if (status == PGRES_FATAL_ERROR && error.empty()) {
        error = PQresultErrorMessage(r);
      } else if (status == PGRES_TUPLES_OK) {
        rows.clear();
        for (int i = 0; i < PQntuples(r); ++i) {
          std::vector<std::string> row;
          for (int j = 0; j < PQnfields(r); ++j) {
            row.emplace_back(PQgetvalue(r, i, j));
          }
          rows.push_back(std::move(row));
        }
      }
      PQclear(r);
    }
    if (!error.empty()) {
      throw PgError(error);
    }
    return rows;
  }
  // Whether what was sent is still running.
  bool busy() {
    PQconsumeInput(m_conn);
    return PQisBusy(m_conn) != 0;
  }
  std::string value(const std::string& sql) {
    const auto rows = exec(sql);
    return rows.empty() || rows[0].empty() ? std::string() : rows[0][0];
  }

private:
  PGconn* m_conn;
};

std::optional<sql::LockMode> lock_mode(const std::string& pg_name) {
  static const std::map<std::string, sql::LockMode> modes = {
      {"AccessShareLock", sql::LockMode::AccessShare},
      {"RowShareLock", sql::LockMode::RowShare},
      {"RowExclusiveLock", sql::LockMode::RowExclusive},
      {"ShareUpdateExclusiveLock", sql::LockMode::ShareUpdateExclusive},
      {"ShareLock", sql::LockMode::Share},
      {"ShareRowExclusiveLock", sql::LockMode::ShareRowExclusive},
      {"ExclusiveLock", sql::LockMode::Exclusive},
      {"AccessExclusiveLock", sql::LockMode::AccessExclusive}};
  auto it = modes.find(pg_name);
  return it == modes.end() ? std::nullopt : std::optional(it->second);
}

std::string describe(std::optional<sql::LockMode> mode) {
  return mode ? std::string(sql::to_string(*mode)) : "no lock";
}

// The strongest lock this backend holds on relation `oid`.
std::optional<sql::LockMode> held_lock(Conn& c, const std::string& oid) {
  std::optional<sql::LockMode> out;
  for (const auto& row : c.exec("SELECT mode FROM pg_locks WHERE locktype = 'relation' AND pid = "
                                "pg_backend_pid() AND granted AND relation = " +
                                oid)) {
    const auto m = lock_mode(row[0]);
    if (m && (!out || *m > *out)) {
      out = m;
    }
  }
  return out;
}

// --- the clusters ------------------------------------------------------------------------------

class EffectsOnPostgres : public ::testing::TestWithParam<std::tuple<int, Op>> {
protected:
  static void TearDownTestSuite() { s_servers.clear(); }

  // The cluster of `major`, started on first use; null (with the reason) when it cannot be.
  static roundtrip::Server* server(int major, std::string& why) {
    if (auto it = s_servers.find(major); it != s_servers.end()) {
      return it->second.get();
    }
    const auto bin = test::server_bin_dir(major);
    if (!bin) {
      why = "no PostgreSQL " + std::to_string(major) +
            " server binaries (tests/pg: npm ci, as ci/setup.sh does; or Debian's "
            "postgresql-" +
            std::to_string(major) + ")";
      return nullptr;
    }
    roundtrip::ServerOptions o;
    o.provider = "local";
    o.pg_bin = {*bin};
    o.pg_version = major;
    auto started = roundtrip::start_server(o);
    if (!started.server) {
      why = started.error;
      return nullptr;
    }
    return (s_servers[major] = std::move(started.server)).get();
  }

  static inline std::map<int, std::unique_ptr<roundtrip::Server>> s_servers;
};

struct Observed {
  bool failed = false;
  std::string error;
  std::optional<sql::LockMode> lock;
  std::optional<sql::LockMode> other_lock;
  bool rewrite = false;
  bool scan = false;
  bool retry = false; // the scans could not be read in time: observe again
};

Observed failed(const PgError& e) {
  Observed o;
  o.failed = true;
  o.error = e.what();
  return o;
}

// Runs the sample's statement on `a` (set up already) and observes what it did.
Observed observe(Conn& a, const std::string& conninfo, const Sample& s, bool in_transaction,
                 const std::function<void()>& set_up) {
  Observed o;
  const std::string oid =
      s.table.empty() ? "0" : a.value("SELECT '" + s.table + "'::regclass::oid");
  const std::string other =
      s.other.empty() ? "0" : a.value("SELECT '" + s.other + "'::regclass::oid");
  const std::string file_query = "SELECT relfilenode FROM pg_class WHERE oid = " + oid;
  const std::string scans_query = "SELECT pg_stat_get_xact_tuples_returned(" + oid + ")";
  const std::string file_before = a.value(file_query);
  if (in_transaction) {
    a.exec("BEGIN");
    const long scans_before = std::stol(a.value(scans_query));
    try {
      a.exec(s.statement);
    } catch (const PgError& e) {
      a.exec("ROLLBACK");
      return failed(e);
    }
    o.lock = held_lock(a, oid);
    o.other_lock = held_lock(a, other);
    o.scan = std::stol(a.value(scans_query)) > scans_before;
    const std::string file_after = a.value(file_query);
    o.rewrite = !file_after.empty() && file_after != file_before;
    a.exec("ROLLBACK");
    return o;
  }
  // Outside a transaction the locks are gone when the statement ends: the mode it waits for
  // behind another session's lock is the one it asks for. Behind ACCESS SHARE only ACCESS
  // EXCLUSIVE waits, whenever the statement asks for it; when it did not wait there, the sample
  // is set up again and its first request is seen behind ACCESS EXCLUSIVE.
  // Its scans stay counted in the backend until the statistics are flushed, which PostgreSQL
  // does when idle but at most every 0.5 s (13, 14) or 1 s (15 and later): right after a flush
  // there is that long to read them.
  Conn blocker(conninfo);
  const std::string pid = a.value("SELECT pg_backend_pid()");
  auto run_behind = [&](const char* blocking_mode, bool& waited) -> std::optional<sql::LockMode> {
    const std::string table_oid = a.value("SELECT '" + s.table + "'::regclass::oid");
    blocker.exec("SET search_path = " + a.value("SHOW search_path"));
    blocker.exec("BEGIN; LOCK TABLE " + s.table + " IN " + blocking_mode + " MODE");
    a.send(s.statement);
    std::optional<sql::LockMode> mode;
    for (int i = 0; i < 300 && a.busy(); ++i) {
      // Waiting for the table, or (CONCURRENTLY) for the blocker's transaction to end.
      const auto rows = blocker.exec(
          "SELECT coalesce(relation::text, ''), mode FROM pg_locks WHERE NOT granted AND pid = " +
          pid);
      if (!rows.empty()) {
        if (rows[0][0] == table_oid) {
          mode = lock_mode(rows[0][1]);
        }
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    waited = mode.has_value();
    blocker.exec("ROLLBACK");
    return mode;
  };
  a.exec("SELECT pg_sleep(1.1), count(*) FROM " + s.table); // then a flush, when idle
  const auto flushed = std::chrono::steady_clock::now();
  const long scans_before = std::stol(a.value(scans_query));
  bool waited = false;
  o.lock = run_behind("ACCESS SHARE", waited);
  try {
    a.finish();
  } catch (const PgError& e) {
    return failed(e);
  }
  o.scan = std::stol(a.value(scans_query)) > scans_before;
  o.retry = std::chrono::steady_clock::now() - flushed > std::chrono::milliseconds(450);
  const std::string file_after = a.value(file_query);
  o.rewrite = !file_after.empty() && file_after != file_before;
  if (!waited) {
    set_up();
    o.lock = run_behind("ACCESS EXCLUSIVE", waited);
    try {
      a.finish();
    } catch (const PgError& e) {
      return failed(e);
    }
  }
  return o;
}

TEST_P(EffectsOnPostgres, RowMatchesTheServer) {
  const auto [major, op] = GetParam();
  std::string why;
  roundtrip::Server* srv = server(major, why);
  if (srv == nullptr) {
    if (!test::server_bin_dir(major)) {
      GTEST_SKIP() << why;
    }
    FAIL() << "PostgreSQL " << major << " did not start: " << why;
  }
  const EffectRow& row = effect_row(op);
  const auto expected_row = effect_of(op, major);
  std::vector<Sample> mine;
  for (const auto& s : samples()) {
    if (s.op == op) {
      mine.push_back(s);
    }
  }
  ASSERT_FALSE(mine.empty()) << "row " << row.id << " has no sample in this test";
  Conn a(srv->conninfo());
  a.exec("SET client_min_messages = warning");
  for (size_t k = 0; k < mine.size(); ++k) {
    const Sample& s = mine[k];
    SCOPED_TRACE(s.statement);
    const std::string schema = "s_" + std::string(row.id.substr(0, 40)) + "_" + std::to_string(k);
    std::string schema_name = schema;
    std::replace(schema_name.begin(), schema_name.end(), '-', '_');
    auto set_up = [&] {
      a.exec("RESET ALL; SET client_min_messages = warning; DROP SCHEMA IF EXISTS " + schema_name +
             " CASCADE; CREATE SCHEMA " + schema_name + "; SET search_path = " + schema_name);
      a.exec(s.setup);
    };
    set_up();

    // miglint puts the statement in this row, knowing what the setup did.
    const std::string text = s.setup + "\n" + s.statement + ";\n";
    auto file = std::make_shared<core::SourceFile>("sample.sql", text);
    const auto script = test::script_of(file, 0, text.size(), source::TxMode::None);
    const sql::ParsedScript parsed = sql::parse(text);
    ASSERT_TRUE(parsed.errors.empty()) << "miglint cannot parse the sample";
    Context ctx(major);
    ctx.begin_script(script, parsed.statements.size());
    for (size_t i = 0; i + 1 < parsed.statements.size(); ++i) {
      ctx.after_statement(parsed.statements[i]);
    }
    const auto ops = operations_of(parsed.statements.back(), ctx.schema(), ctx.session());
    EXPECT_NE(std::find(ops.begin(), ops.end(), op), ops.end())
        << "miglint does not put the sample in row " << row.id;
    const Effect expected = combined_effect(ops, major);

    Observed seen = observe(a, srv->conninfo(), s, row.in_transaction, set_up);
    for (int attempt = 1; seen.retry && attempt < 3; ++attempt) {
      set_up(); // a slow machine: once more from the start
      seen = observe(a, srv->conninfo(), s, row.in_transaction, set_up);
    }
    ASSERT_FALSE(seen.retry) << "the statement's scans could not be read before a flush";
    if (!expected_row) {
      EXPECT_TRUE(seen.failed) << "the table says PostgreSQL " << major << " rejects it";
    } else {
      ASSERT_FALSE(seen.failed) << "PostgreSQL " << major << ": " << seen.error;
      if (!s.table.empty()) {
        EXPECT_EQ(describe(seen.lock), describe(expected.lock)) << "lock on " << s.table;
      }
      if (!s.other.empty()) {
        EXPECT_EQ(describe(seen.other_lock), describe(expected.other_lock))
            << "lock on " << s.other;
      }
      EXPECT_EQ(seen.rewrite, expected.rewrite) << "rewrite of " << s.table;
      EXPECT_EQ(seen.scan, expected.scan) << "scan of " << s.table;
    }
    a.exec("RESET ALL; SET client_min_messages = warning; DROP SCHEMA " + schema_name + " CASCADE");
  }
}

std::vector<std::tuple<int, Op>> every_row_on_every_major() {
  std::vector<std::tuple<int, Op>> out;
  for (int major : test::supported_majors()) {
    for (const auto& row : effect_table()) {
      out.emplace_back(major, row.op);
    }
  }
  return out;
}

INSTANTIATE_TEST_SUITE_P(Table, EffectsOnPostgres, ::testing::ValuesIn(every_row_on_every_major()),
                         [](const auto& p) {
                           std::string id(effect_row(std::get<1>(p.param)).id);
                           std::replace(id.begin(), id.end(), '-', '_');
                           return "pg" + std::to_string(std::get<0>(p.param)) + "_" + id;
                         });

// --- the table itself, without a server --------------------------------------------------------

TEST(EffectTable, RowsInOrderWithEras) {
  const auto& table = effect_table();
  ASSERT_FALSE(table.empty());
  for (size_t i = 0; i < table.size(); ++i) {
    EXPECT_EQ(static_cast<size_t>(table[i].op), i) << table[i].id;
    EXPECT_FALSE(table[i].eras.empty()) << table[i].id;
    for (size_t e = 1; e < table[i].eras.size(); ++e) {
      EXPECT_LT(table[i].eras[e - 1].since, table[i].eras[e].since) << table[i].id;
    }
  }
  EXPECT_FALSE(effect_of(Op::DetachPartitionConcurrently, 13).has_value());
  EXPECT_TRUE(effect_of(Op::DetachPartitionConcurrently, 14).has_value());
  EXPECT_TRUE(effect_of(Op::AddColumnDefault, 10)->rewrite);
  EXPECT_FALSE(effect_of(Op::AddColumnDefault, 11)->rewrite);
}

TEST(EffectTable, UtcTimezones) {
  for (const char* v : {"UTC", "'utc'", "Etc/UTC", "GMT", "Etc/GMT", "Zulu", "0", "+00:00"}) {
    EXPECT_TRUE(is_utc_timezone(v)) << v;
  }
  for (const char* v : {"Europe/London", "Europe/Paris", "EST", "+01", "", "localtime"}) {
    EXPECT_FALSE(is_utc_timezone(v)) << v;
  }
}

// README.md prints the table; MIGLINT_UPDATE_DOCS=1 rewrites it there.
TEST(EffectTable, ReadmePrintsTheTable) {
  const auto path = std::filesystem::path(MIGLINT_SOURCE_DIR) / "README.md";
  std::ifstream in(path);
  std::string readme((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::string begin_marker = "<!-- effect-table:begin";
  const std::string end_marker = "<!-- effect-table:end -->";
  const auto begin = readme.find(begin_marker);
  const auto end = readme.find(end_marker);
  ASSERT_NE(begin, std::string::npos);
  ASSERT_NE(end, std::string::npos);
  const auto body = readme.find('\n', begin) + 1;
  const std::string expected = effect_table_markdown();
  if (std::getenv("MIGLINT_UPDATE_DOCS") != nullptr) {
    readme = readme.substr(0, body) + expected + readme.substr(end);
    std::ofstream(path, std::ios::binary) << readme;
    return;
  }
  EXPECT_EQ(readme.substr(body, end - body), expected)
      << "README.md's table is not the effect table: run the test with MIGLINT_UPDATE_DOCS=1";
}

} // namespace
} // namespace miglint::lint
