// --stats-url against a real PostgreSQL 15 cluster the test starts: sizes read for the tables a
// finding names, severity following size, passwords never shown, and a session that only reads.

#include "check/check.hpp"
#include "roundtrip/server.hpp"
#include "stats/stats.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include <filesystem>
#include <fstream>
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
