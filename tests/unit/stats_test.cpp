// --stats-url against a real PostgreSQL 15 cluster the test starts: sizes read for the tables a
// finding names, severity following size, passwords never shown, and a session that only reads;
// with --with-data, the round-trip's times scaled to the production row counts.

#include "check/check.hpp"
#include "roundtrip/server.hpp"
#include "stats/stats.hpp"
#include "test_support.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <unistd.h>

namespace miglint::stats {
namespace {

namespace fs = std::filesystem;

class Stats : public ::testing::Test {
protected:
  static void SetUpTestSuite() {
    roundtrip::ServerOptions o;
    o.provider = "local";
    auto started = roundtrip::start_server(o);
    ASSERT_TRUE(started.server) << started.error;
    s_server = started.server.release();
    pqxx::connection c(s_server->conninfo());
    pqxx::nontransaction n(c);
    n.exec("CREATE TABLE orders (id bigint PRIMARY KEY, note text)");
    n.exec("INSERT INTO orders SELECT g, repeat('x', 200) FROM generate_series(1, 20000) g");
    n.exec("CREATE TABLE lookup (code text PRIMARY KEY)");
    n.exec("INSERT INTO lookup VALUES ('a'), ('b')");
    n.exec("CREATE TABLE events (id bigint, at date) PARTITION BY RANGE (at)");
    n.exec("CREATE TABLE events_2026 PARTITION OF events FOR VALUES FROM ('2026-01-01') TO "
           "('2027-01-01')");
    n.exec("INSERT INTO events SELECT g, '2026-03-01' FROM generate_series(1, 3000) g");
    n.exec("ANALYZE");
    n.exec("CREATE ROLE reader LOGIN PASSWORD 's3cret-pw'");
    n.exec("ALTER ROLE reader SET default_transaction_read_only = on");
    n.exec("GRANT SELECT ON ALL TABLES IN SCHEMA public TO reader");
    n.exec("ALTER SYSTEM SET log_statement = 'all'");
    n.exec("ALTER SYSTEM SET log_line_prefix = '%a|'");
    n.exec("SELECT pg_reload_conf()");
  }
  static void TearDownTestSuite() {
    delete s_server;
    s_server = nullptr;
  }
  // A libpq URL of the scratch database as `reader` (with its password, which must not leak).
  static std::string reader_url() {
    const std::string c = s_server->conninfo();
    const auto begin = c.find("host='") + 6;
    const std::string host = c.substr(begin, c.find('\'', begin) - begin);
    return "postgresql://reader:s3cret-pw@/" + s_server->database() + "?host=" + host +
           "&port=5432";
  }
  static core::Finding finding(std::string rule, std::string statement) {
    core::Finding f;
    f.rule = std::move(rule);
    f.message = "it happens";
    f.statement = std::move(statement);
    return f;
  }
  static roundtrip::Server* s_server;
};
roundtrip::Server* Stats::s_server = nullptr;

TEST_F(Stats, NamesTheSizeOfEveryTableAFindingLocks) {
  std::vector<core::Finding> findings = {
      finding("add-column-volatile-default",
              "ALTER TABLE orders ADD COLUMN token uuid DEFAULT gen_random_uuid()"),
      finding("add-foreign-key", "ALTER TABLE lookup ADD CONSTRAINT fk FOREIGN KEY (code) "
                                 "REFERENCES orders (id)"),
      finding("create-index-non-concurrent", "CREATE INDEX ON events (id)"),
      finding("drop-table", "DROP TABLE brand_new"),
      finding("empty-downgrade", ""),
  };
  Options o;
  o.url = reader_url();
  const Outcome out = enrich(findings, o);
  EXPECT_EQ(out.error, "");
  EXPECT_EQ(out.tables_read, 4u);
  EXPECT_EQ(out.findings_enriched, 4u);
  ASSERT_EQ(findings[0].sizes.size(), 1u);
  EXPECT_EQ(findings[0].sizes[0].relation, "public.orders");
  EXPECT_TRUE(findings[0].sizes[0].exists);
  EXPECT_NEAR(findings[0].sizes[0].rows, 20000, 200);
  EXPECT_GT(findings[0].sizes[0].total_bytes, 4'000'000);
  EXPECT_NE(findings[0].message.find("`public.orders` has ≈20,000 rows, "), std::string::npos)
      << findings[0].message;
  ASSERT_EQ(findings[1].sizes.size(), 2u); // the altered table and the referenced one
  // A partitioned table counts its partitions' rows.
  ASSERT_EQ(findings[2].sizes.size(), 1u);
  EXPECT_NEAR(findings[2].sizes[0].rows, 3000, 30);
  ASSERT_EQ(findings[3].sizes.size(), 1u);
  EXPECT_FALSE(findings[3].sizes[0].exists);
  EXPECT_NE(findings[3].message.find("`brand_new` is not on the statistics server"),
            std::string::npos);
  EXPECT_TRUE(findings[4].sizes.empty());
  EXPECT_EQ(findings[4].message, "it happens");
}

TEST_F(Stats, LowersLockFindingsOnSmallTablesOnly) {
  std::vector<core::Finding> findings = {
      finding("add-column-volatile-default", "ALTER TABLE lookup ADD COLUMN t uuid DEFAULT "
                                             "gen_random_uuid()"),
      finding("add-column-volatile-default", "ALTER TABLE orders ADD COLUMN t uuid DEFAULT "
                                             "gen_random_uuid()"),
      finding("drop-table", "DROP TABLE lookup"), // about data, not locks: stays
  };
  for (auto& f : findings) {
    f.severity = core::Severity::Warning;
  }
  Options o;
  o.url = reader_url();
  o.small_table_rows = 1000;
  const Outcome out = enrich(findings, o);
  EXPECT_EQ(out.lowered, 1u);
  EXPECT_EQ(findings[0].severity, core::Severity::Info);
  EXPECT_EQ(findings[1].severity, core::Severity::Warning);
  EXPECT_EQ(findings[2].severity, core::Severity::Warning);
}

TEST_F(Stats, OnlyReadsAndNeverShowsThePassword) {
  std::vector<core::Finding> findings = {
      finding("set-not-null", "ALTER TABLE orders ALTER COLUMN note SET NOT NULL")};
  Options o;
  o.url = reader_url();
  EXPECT_EQ(enrich(findings, o).error, "");
  // Every statement the statistics session sent, from the server's own log.
  pqxx::connection c(s_server->conninfo());
  pqxx::nontransaction n(c);
  const fs::path log =
      fs::path(n.exec1("SHOW data_directory")[0].c_str()).parent_path() / "server.log";
  n.exec("SELECT pg_sleep(0.2)");
  std::ifstream in(log);
  ASSERT_TRUE(in) << log;
  std::string line;
  size_t statements = 0;
  while (std::getline(in, line)) {
    if (line.rfind("miglint --stats-url|", 0) != 0) {
      continue;
    }
    auto at = line.find("statement: ");
    if (at == std::string::npos) {
      at = line.find("execute <unnamed>: ");
      at = at == std::string::npos ? at : at + 19;
    } else {
      at += 11;
    }
    if (at == std::string::npos) {
      continue;
    }
    const std::string sql = line.substr(at);
    ++statements;
    EXPECT_TRUE(sql == "BEGIN READ ONLY" || sql == "BEGIN; SET TRANSACTION READ ONLY" ||
                sql == "COMMIT" || sql == "ROLLBACK" || sql.rfind("WITH rel AS", 0) == 0)
        << sql;
  }
  EXPECT_GE(statements, 3u);
  // A role that may write is still read only here: the session itself refuses writes.
  EXPECT_NE(o.url.find("s3cret-pw"), std::string::npos);
  Options wrong = o;
  wrong.url = "postgresql://reader:s3cret-pw@/nowhere?host=/nonexistent&port=1";
  std::vector<core::Finding> more = {
      finding("set-not-null", "ALTER TABLE orders ALTER COLUMN note SET NOT NULL")};
  const Outcome failed = enrich(more, wrong);
  EXPECT_NE(failed.error, "");
  EXPECT_EQ(failed.error.find("s3cret-pw"), std::string::npos) << failed.error;
  EXPECT_TRUE(more[0].sizes.empty()); // statistics never fail the run
}

TEST_F(Stats, CheckCarriesSizesIntoJsonAndSarif) {
  const fs::path dir = fs::temp_directory_path() / ("miglint-stats-" + std::to_string(getpid()));
  fs::create_directories(dir);
  std::ofstream(dir / "001_token.sql")
      << "ALTER TABLE orders ADD COLUMN token uuid DEFAULT gen_random_uuid();\n";
  check::Options o;
  o.paths = {(dir / "001_token.sql").string()};
  std::ostringstream log;
  o.log = &log;
  o.stats.url = reader_url();
  const auto out = check::run(o);
  fs::remove_all(dir);
  ASSERT_EQ(out.status, check::Status::Ok) << log.str();
  EXPECT_NE(log.str().find("production statistics for 1 table"), std::string::npos) << log.str();
  std::ostringstream json_out, sarif_out;
  report::write_json(json_out, out.report);
  report::write_sarif(sarif_out, out.report);
  const auto json = nlohmann::json::parse(json_out.str());
  bool sized = false;
  for (const auto& f : json["findings"]) {
    if (f["rule"] == "add-column-volatile-default") {
      ASSERT_TRUE(f.contains("sizes")) << f.dump();
      EXPECT_EQ(f["sizes"][0]["relation"], "public.orders");
      EXPECT_GT(f["sizes"][0]["rows"].get<long long>(), 19000);
      sized = true;
    }
  }
  EXPECT_TRUE(sized) << json_out.str();
  const auto sarif = nlohmann::json::parse(sarif_out.str());
  bool in_sarif = false;
  for (const auto& r : sarif["runs"][0]["results"]) {
    if (r["ruleId"] == "add-column-volatile-default") {
      EXPECT_EQ(r["properties"]["sizes"][0]["relation"], "public.orders");
      in_sarif = true;
    }
  }
  EXPECT_TRUE(in_sarif);
  EXPECT_EQ(json_out.str().find("s3cret-pw"), std::string::npos);
}

// An observation as the round-trip reports it with data: `held_ms` over `rows` of each table.
core::Observed observed(std::vector<core::ObservedLock> locks,
                        std::vector<std::pair<std::string, uint64_t>> rows, std::string grows,
                        double duration_ms, double held_ms) {
  core::Observed o;
  o.locks = std::move(locks);
  o.rows = std::move(rows);
  o.grows = std::move(grows);
  o.duration_ms = duration_ms;
  o.held_ms = held_ms;
  return o;
}

TEST_F(Stats, ScalesObservedTimesToProductionRows) {
  const std::string index = "CREATE INDEX ON orders (note)";
  auto with = [](core::Finding f, core::Observed o) {
    f.severity = core::Severity::Warning;
    f.observed = std::move(o);
    return f;
  };
  std::vector<core::Finding> findings = {
      // 0: an index build (a scan) under SHARE: 200 rows in the round-trip, ≈20,000 here.
      with(finding("create-index-non-concurrent", index),
           observed({{"public.orders", "SHARE"}}, {{"public.orders", 200}}, "CREATE INDEX", 2, 3)),
      // 1: the same under a lock that blocks nothing: estimated, never raised.
      with(finding("create-index-non-concurrent", index),
           observed({{"public.orders", "SHARE UPDATE EXCLUSIVE"}}, {{"public.orders", 200}},
                    "CREATE INDEX", 2, 3)),
      // 2: a catalog-only statement: no estimate at all.
      with(finding("create-index-non-concurrent", index),
           observed({{"public.orders", "ACCESS EXCLUSIVE"}}, {{"public.orders", 200}}, "", 2, 3)),
      // 3: no rows of the table were counted.
      with(finding("create-index-non-concurrent", index),
           observed({{"public.orders", "SHARE"}}, {{"public.orders", 0}}, "CREATE INDEX", 2, 3)),
      // 4: a table production does not have.
      with(finding("table-rewrite-observed", "ALTER TABLE brand_new ALTER COLUMN a TYPE bigint"),
           observed({{"public.brand_new", "ACCESS EXCLUSIVE"}}, {{"public.brand_new", 200}},
                    "a rewrite", 2, 3)),
      // 5: the round-trip ran without data: nothing to scale.
      with(finding("create-index-non-concurrent", index),
           observed({{"public.orders", "SHARE"}}, {}, "CREATE INDEX", 2, 3)),
      // 6: two tables: the one whose production rows grow most over its seeded rows drives it.
      with(finding("add-foreign-key", "ALTER TABLE lookup ADD CONSTRAINT fk FOREIGN KEY (code) "
                                      "REFERENCES orders (id)"),
           observed(
               {{"public.lookup", "SHARE ROW EXCLUSIVE"}, {"public.orders", "SHARE ROW EXCLUSIVE"}},
               {{"public.lookup", 200}, {"public.orders", 200}}, "VALIDATE CONSTRAINT", 4, 5)),
      // 8 (below): 10,000 seeded rows, enough that the fixed cost no longer dominates.
      // 7: not a rule about locks: estimated, never raised.
      with(finding("data-loss-observed", "ALTER TABLE orders ALTER COLUMN note TYPE varchar(5)"),
           observed({{"public.orders", "ACCESS EXCLUSIVE"}}, {{"public.orders", 200}}, "a rewrite",
                    2, 3)),
      with(finding("create-index-non-concurrent", index),
           observed({{"public.orders", "SHARE"}}, {{"public.orders", 10000}}, "CREATE INDEX", 30,
                    40)),
  };
  Options o;
  o.url = reader_url();
  o.estimated_lock_error_ms = 100;
  std::vector<core::Finding> unraised = findings;
  const Outcome out = enrich(findings, o);
  EXPECT_EQ(out.error, "");
  EXPECT_EQ(out.estimated, 5u);
  EXPECT_EQ(out.raised, 2u);

  const auto& e = findings[0].observed->estimate;
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->none, "");
  EXPECT_EQ(e->relation, "public.orders");
  EXPECT_EQ(e->seeded_rows, 200);
  EXPECT_NEAR(e->production_rows, 20000, 200);
  EXPECT_DOUBLE_EQ(e->held_ms, 3 * e->production_rows / 200);
  EXPECT_DOUBLE_EQ(e->duration_ms, 2 * e->production_rows / 200);
  EXPECT_TRUE(std::regex_search(findings[0].message,
                                std::regex("; held ≈ 3[0-9]{2} ms at production size \\(≈[0-9,]+ "
                                           "rows in public\\.orders against 200 in the round-trip, "
                                           "scaled linearly; from so few rows it errs high\\)")))
      << findings[0].message;
  // ≈300 ms reaches a threshold of 100 ms under a lock that blocks writes: an error.
  EXPECT_EQ(findings[0].severity, core::Severity::Error);
  EXPECT_NE(findings[0].message.find("estimated-lock-error threshold of 100 ms"), std::string::npos)
      << findings[0].message;

  ASSERT_TRUE(findings[1].observed->estimate.has_value());
  EXPECT_GT(findings[1].observed->estimate->held_ms, 100);
  EXPECT_EQ(findings[1].severity, core::Severity::Warning)
      << "SHARE UPDATE EXCLUSIVE blocks no writes";

  EXPECT_FALSE(findings[2].observed->estimate.has_value());
  EXPECT_EQ(findings[2].message.find("production size"), std::string::npos) << findings[2].message;
  EXPECT_EQ(findings[2].severity, core::Severity::Warning);

  ASSERT_TRUE(findings[3].observed->estimate.has_value());
  EXPECT_EQ(findings[3].observed->estimate->none,
            "the round-trip counted no rows of `public.orders`");
  EXPECT_NE(findings[3].message.find("; no estimate at production size: the round-trip counted no "
                                     "rows of `public.orders`"),
            std::string::npos)
      << findings[3].message;
  EXPECT_EQ(findings[3].severity, core::Severity::Warning);

  ASSERT_TRUE(findings[4].observed->estimate.has_value());
  EXPECT_EQ(findings[4].observed->estimate->none,
            "`public.brand_new` is not on the statistics server");
  EXPECT_EQ(findings[4].severity, core::Severity::Warning);

  EXPECT_FALSE(findings[5].observed->estimate.has_value());
  EXPECT_EQ(findings[5].message.find("production size"), std::string::npos);

  ASSERT_TRUE(findings[6].observed->estimate.has_value());
  EXPECT_EQ(findings[6].observed->estimate->relation, "public.orders");
  EXPECT_EQ(findings[6].severity, core::Severity::Error);

  ASSERT_TRUE(findings[7].observed->estimate.has_value());
  EXPECT_EQ(findings[7].severity, core::Severity::Warning)
      << "data-loss-observed is not tagged locks";

  ASSERT_TRUE(findings[8].observed->estimate.has_value());
  EXPECT_NEAR(findings[8].observed->estimate->held_ms, 80, 1);
  EXPECT_EQ(findings[8].severity, core::Severity::Warning) << "≈80 ms is under 100 ms";
  EXPECT_TRUE(std::regex_search(findings[8].message,
                                std::regex("; held ≈ 8[0-9] ms at production size \\(≈[0-9,]+ "
                                           "rows in public\\.orders against 10,000 in the "
                                           "round-trip, scaled linearly\\)$")))
      << findings[8].message;

  // Without a threshold, or under one the estimate does not reach, nothing is raised.
  std::vector<core::Finding> again = unraised;
  o.estimated_lock_error_ms = -1;
  EXPECT_EQ(enrich(again, o).raised, 0u);
  EXPECT_EQ(again[0].severity, core::Severity::Warning);
  again = unraised;
  o.estimated_lock_error_ms = 3'600'000;
  EXPECT_EQ(enrich(again, o).raised, 0u);
  EXPECT_EQ(again[0].severity, core::Severity::Warning);
}

// The whole run: a golang-migrate history round-tripped with 200 rows per table, production
// statistics from the fixture's server (`orders` has 20,000 rows there, `customers` is absent),
// through the binary: messages, JSON, SARIF (valid for GitHub) and the job summary.
TEST_F(Stats, RoundTripWithDataEstimatesAtProductionSize) {
  test::TempDir dir;
  dir.write("m/001_init.up.sql",
            "CREATE TABLE orders (id bigint PRIMARY KEY, note text);\n"
            "CREATE INDEX orders_note_idx ON orders (note);\n"
            "CREATE TABLE customers (id int PRIMARY KEY, name text);\n"
            "CREATE TABLE lookup (code text PRIMARY KEY CHECK (code ~ '^[A-Z]+$'));\n");
  dir.write("m/001_init.down.sql",
            "DROP TABLE lookup;\nDROP TABLE customers;\nDROP TABLE orders;\n");
  dir.write("m/002_change.up.sql", "SET lock_timeout = '1s';\n"
                                   "CREATE INDEX orders_note2_idx ON orders (note, id);\n"
                                   "DROP INDEX orders_note_idx;\n"
                                   "ALTER TABLE customers ALTER COLUMN id TYPE bigint;\n"
                                   "ALTER TABLE lookup ADD COLUMN t uuid DEFAULT "
                                   "gen_random_uuid();\n");
  dir.write("m/002_change.down.sql", "CREATE INDEX orders_note_idx ON orders (note);\n"
                                     "DROP INDEX orders_note2_idx;\n"
                                     "ALTER TABLE customers ALTER COLUMN id TYPE int;\n"
                                     "ALTER TABLE lookup DROP COLUMN t;\n");
  // The threshold from the configuration; the URL from the environment, as the GitHub Action
  // passes it.
  dir.write("miglint.toml", "[round-trip]\nestimated-lock-error = \"0\"\n");
  const auto r = test::run_shell("cd '" + dir.path().string() + "' && MIGLINT_STATS_URL='" +
                                 reader_url() + "' '" + MIGLINT_BINARY +
                                 "' check --with-data=200 --format json --fail-on never "
                                 "--sarif-output out.sarif --summary summary.md m 2>err.txt");
  // A threshold that is not a duration is a usage error.
  EXPECT_EQ(test::run_miglint("check --estimated-lock-error soon m", dir.path().string()).exit_code,
            2);
  std::ifstream err_in(dir.path() / "err.txt");
  const std::string err((std::istreambuf_iterator<char>(err_in)), std::istreambuf_iterator<char>());
  ASSERT_EQ(r.exit_code, 0) << err;
  EXPECT_NE(err.find("estimated at production size"), std::string::npos) << err;
  const auto doc = nlohmann::json::parse(r.out);
  auto only = [&](const std::string& rule) {
    nlohmann::json found;
    int n = 0;
    for (const auto& f : doc["findings"]) {
      if (f["rule"] == rule && f["migration"] == "002") {
        found = f;
        ++n;
      }
    }
    EXPECT_EQ(n, 1) << rule << "\n" << r.out;
    return found;
  };
  // The index build reads every row of orders under SHARE: scaled from 200 rows to ≈20,000, and
  // (with a threshold of 0) an error.
  const auto index = only("create-index-non-concurrent");
  ASSERT_TRUE(index.contains("observed")) << index.dump();
  const auto& o = index["observed"];
  EXPECT_EQ(o["rows"]["public.orders"], 200) << o.dump();
  EXPECT_FALSE(o["grows"].is_null()) << o.dump();
  ASSERT_TRUE(o.contains("estimate")) << o.dump();
  EXPECT_EQ(o["estimate"]["relation"], "public.orders");
  EXPECT_EQ(o["estimate"]["rows"], 200);
  const double production = o["estimate"]["production_rows"].get<double>();
  EXPECT_NEAR(production, 20000, 200);
  EXPECT_NEAR(o["estimate"]["held_ms"].get<double>(), o["held_ms"].get<double>() * production / 200,
              0.06 * production / 200 + 0.06);
  EXPECT_EQ(index["severity"], "error");
  const std::string message = index["message"].get<std::string>();
  EXPECT_TRUE(std::regex_search(message, std::regex("held SHARE on public\\.orders for [0-9.]+ m?s "
                                                    "with 200 rows")))
      << message;
  EXPECT_TRUE(std::regex_search(message, std::regex("; held ≈ [0-9.]+ (ms|s|min|h) at production "
                                                    "size \\(≈[0-9,]+ rows in public\\.orders "
                                                    "against 200 in the round-trip")))
      << message;
  // DROP INDEX only changes the catalog: observed, not estimated.
  const auto drop = only("drop-index-non-concurrent");
  ASSERT_TRUE(drop.contains("observed")) << drop.dump();
  EXPECT_TRUE(drop["observed"]["grows"].is_null()) << drop.dump();
  EXPECT_FALSE(drop["observed"].contains("estimate")) << drop.dump();
  EXPECT_EQ(drop["message"].get<std::string>().find("production size"), std::string::npos);
  EXPECT_EQ(drop["severity"], "warning");
  // customers is not on the statistics server: said plainly.
  const auto type = only("change-column-type");
  ASSERT_TRUE(type.contains("observed")) << type.dump();
  EXPECT_EQ(type["observed"]["estimate"]["none"],
            "`public.customers` is not on the statistics server");
  EXPECT_NE(type["message"].get<std::string>().find(
                "; no estimate at production size: `public.customers` is not on the statistics "
                "server"),
            std::string::npos)
      << type["message"];

  // lookup is on the statistics server, but no generated row passes its CHECK: no rows to scale.
  const auto empty = only("add-column-volatile-default");
  ASSERT_TRUE(empty.contains("observed")) << empty.dump();
  EXPECT_EQ(empty["observed"]["rows"]["public.lookup"], 0) << empty.dump();
  EXPECT_NE(empty["message"].get<std::string>().find(
                "; no estimate at production size: the round-trip counted no rows of "
                "`public.lookup`"),
            std::string::npos)
      << empty["message"];

  // SARIF: the same data in the result's properties, and still valid for GitHub.
  std::ifstream sarif_in(dir.path() / "out.sarif");
  const auto sarif = nlohmann::json::parse(sarif_in);
  bool in_sarif = false;
  for (const auto& res : sarif["runs"][0]["results"]) {
    if (res["ruleId"] == "create-index-non-concurrent") {
      EXPECT_EQ(res["properties"]["observed"]["estimate"]["relation"], "public.orders");
      EXPECT_EQ(res["properties"]["observed"]["estimate"]["rows"], 200);
      EXPECT_TRUE(res["properties"]["observed"]["estimate"]["held_ms"].is_number());
      EXPECT_EQ(res["properties"]["sizes"][0]["relation"], "public.orders");
      in_sarif = true;
    }
  }
  EXPECT_TRUE(in_sarif);
  const auto gate =
      test::run_shell("/usr/bin/python3 '" + std::string(MIGLINT_SOURCE_DIR) +
                      "/ci/sarif_gate.py' '" + (dir.path() / "out.sarif").string() + "' 2>&1");
  EXPECT_EQ(gate.exit_code, 0) << gate.out;

  // The job summary: the sizes of the tables, and the estimates.
  std::ifstream summary_in(dir.path() / "summary.md");
  const std::string summary((std::istreambuf_iterator<char>(summary_in)),
                            std::istreambuf_iterator<char>());
  EXPECT_TRUE(
      std::regex_search(summary, std::regex("\\| public\\.orders \\| ≈[0-9,]+ \\| [0-9.]+ MB \\|")))
      << summary;
  EXPECT_NE(summary.find("| customers | not on the statistics server |"), std::string::npos)
      << summary;
  EXPECT_TRUE(std::regex_search(
      summary,
      std::regex("\\| m/002_change\\.up\\.sql:2 \\| `create-index-non-concurrent` \\| "
                 "SHARE on public\\.orders \\| held [0-9.]+ m?s with 200 rows \\| ≈ [0-9.]+ "
                 "(ms|s|min|h) \\(≈[0-9,]+ rows\\) \\|")))
      << summary;
  EXPECT_EQ(summary.find("s3cret-pw"), std::string::npos);
  EXPECT_EQ(r.out.find("s3cret-pw"), std::string::npos);
  EXPECT_EQ(err.find("s3cret-pw"), std::string::npos);
}

TEST(StatsRedact, HidesPasswordsInEveryForm) {
  EXPECT_EQ(redact("postgresql://app:hunter2@db.example:5432/prod"),
            "postgresql://app:***@db.example:5432/prod");
  EXPECT_EQ(redact("host=db password=hunter2 user=app"), "host=db password=*** user=app");
  EXPECT_EQ(redact("host=db password='hun ter2' user=app"), "host=db password=*** user=app");
  EXPECT_EQ(redact("postgresql:///prod?user=app&password=hunter2&sslmode=require"),
            "postgresql:///prod?user=app&password=***&sslmode=require");
  EXPECT_EQ(redact("postgresql://app@db/prod"), "postgresql://app@db/prod");
}

} // namespace
} // namespace miglint::stats
