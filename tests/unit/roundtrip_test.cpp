// The round-trip against real PostgreSQL 15 clusters started by the tests: providers, snapshots,
// SQL and Alembic histories, observed locks and rewrites, and cleanup after signals.

#include "core/process.hpp"
#include "roundtrip/engine.hpp"
#include "roundtrip/observer.hpp"
#include "roundtrip/server.hpp"
#include "roundtrip/snapshot.hpp"
#include "test_support.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include <algorithm>
#include <array>
#include <csignal>
#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace miglint::roundtrip {
namespace {

namespace fs = std::filesystem;
using test::Outcome;
using test::TempDir;

// The socket directory of a local server, from its connection string.
std::string socket_dir(const Server& s) {
  const std::string c = s.conninfo();
  const auto begin = c.find("host='") + 6;
  return c.substr(begin, c.find('\'', begin) - begin);
}

std::set<std::string> databases(const std::string& conninfo) {
  pqxx::connection c(conninfo);
  pqxx::nontransaction n(c);
  std::set<std::string> out;
  for (const auto& row : n.exec("SELECT datname FROM pg_database")) {
    out.insert(row[0].c_str());
  }
  return out;
}

ServerOptions local() {
  ServerOptions o;
  o.provider = "local";
  return o;
}

std::string admin(const Server& s) {
  return "host='" + socket_dir(s) + "' port=5432 user=postgres dbname=template1";
}

std::multiset<std::string> rules_of(const nlohmann::json& doc) {
  std::multiset<std::string> out;
  for (const auto& f : doc["findings"]) {
    out.insert(f["rule"].get<std::string>());
  }
  return out;
}

const nlohmann::json* finding(const nlohmann::json& doc, const std::string& rule,
                              const std::string& migration = "") {
  for (const auto& f : doc["findings"]) {
    if (f["rule"] == rule && (migration.empty() || f["migration"] == migration)) {
      return &f;
    }
  }
  return nullptr;
}

// --- providers -----------------------------------------------------------------------------------

TEST(RoundTripServer, LocalColdThenWarmAndEverythingRemoved) {
  TempDir cache;
  for (int major = 12; major <= 20; ++major) { // the cache of an earlier version
    cache.write("template-pg" + std::to_string(major) + "/PG_VERSION", std::to_string(major));
  }
  ServerOptions o;
  o.provider = "local";
  o.cache_dir = cache.path().string();
  std::string dir;
  std::string description;
  {
    Started cold = start_server(o);
    ASSERT_NE(cold.server, nullptr) << cold.error;
    description = cold.server->description(); // "local PostgreSQL 15 (...), cold start 1.2 s"
    EXPECT_NE(description.find("cold start"), std::string::npos);
    dir = socket_dir(*cold.server);
    EXPECT_TRUE(fs::exists(dir));
    EXPECT_TRUE(databases(admin(*cold.server)).contains(cold.server->database()));
    EXPECT_FALSE(databases(admin(*cold.server)).contains("miglint_scratch"))
        << "the cached cluster's scratch database gets a name of its own for the run";
    pqxx::connection c(cold.server->conninfo());
    pqxx::nontransaction n(c);
    EXPECT_EQ(n.exec("SHOW fsync")[0][0].c_str(), std::string("off"));
    EXPECT_EQ(n.exec("SHOW listen_addresses")[0][0].c_str(), std::string(""));
  }
  EXPECT_FALSE(fs::exists(dir)) << "the server's directory must be removed";
  const std::string major = description.substr(description.find("PostgreSQL ") + 11, 2);
  EXPECT_FALSE(fs::exists(cache.path() / ("template-pg" + major))) << "the old cache is replaced";
  Started warm = start_server(o);
  ASSERT_NE(warm.server, nullptr) << warm.error;
  EXPECT_NE(warm.server->description().find("warm start"), std::string::npos);
}

TEST(RoundTripServer, MissingBinariesAreAClearError) {
  ServerOptions o;
  o.provider = "local";
  o.pg_bin = {"/nonexistent/bin"};
  Started s = start_server(o);
  EXPECT_EQ(s.server, nullptr);
  EXPECT_NE(s.error.find("--pg-bin /nonexistent/bin"), std::string::npos) << s.error;
  EXPECT_NE(s.error.find("--database-url"), std::string::npos) << s.error;
}

TEST(RoundTripServer, OldServerBinariesAreAClearError) {
  TempDir bin;
  for (const char* name : {"initdb", "postgres"}) {
    const auto path = bin.write(name, "#!/bin/sh\necho 'postgres (PostgreSQL) 12.5'\n");
    fs::permissions(path, fs::perms::owner_all);
  }
  ServerOptions o;
  o.provider = "local";
  o.pg_bin = {bin.path().string()};
  Started s = start_server(o);
  EXPECT_EQ(s.server, nullptr);
  EXPECT_NE(s.error.find("servers found (12 (" + bin.path().string() +
                         ")) are older than 13, which the round-trip needs"),
            std::string::npos)
      << s.error;
}

TEST(RoundTripServer, ExistingServerGetsAScratchDatabaseThatIsDropped) {
  Started host = start_server(local());
  ASSERT_NE(host.server, nullptr) << host.error;
  {
    pqxx::connection c(admin(*host.server));
    pqxx::nontransaction n(c);
    n.exec("CREATE ROLE limited LOGIN PASSWORD 'sekrit-pw'");
    n.exec("CREATE DATABASE app");
  }
  const std::string dir = socket_dir(*host.server);
  ServerOptions o;
  o.provider = "url";
  o.database_url = "postgresql://postgres@/app?host=" + dir;
  std::string scratch;
  {
    Started url = start_server(o);
    ASSERT_NE(url.server, nullptr) << url.error;
    scratch = url.server->database();
    EXPECT_EQ(scratch.rfind("miglint_", 0), 0u);
    EXPECT_TRUE(databases(admin(*host.server)).contains(scratch));
    pqxx::connection c(url.server->conninfo());
    EXPECT_EQ(std::string(c.dbname()), scratch);
  }
  const auto after = databases(admin(*host.server));
  EXPECT_FALSE(after.contains(scratch));
  EXPECT_TRUE(after.contains("app")) << "never touch any other database";
  o.database_url = "postgresql://limited:sekrit-pw@/app?host=" + dir;
  Started denied = start_server(o);
  EXPECT_EQ(denied.server, nullptr);
  EXPECT_NE(denied.error.find("CREATEDB"), std::string::npos) << denied.error;
  EXPECT_EQ(denied.error.find("sekrit-pw"), std::string::npos) << "passwords never appear";
}

// A stand-in for docker in `dir`: it appends its arguments to docker.log and, for `run`, the image
// it was asked to run (the argument that names postgres:...) to docker-image.log, then runs
// `run_body` or `port_body`.
void write_docker_stand_in(const TempDir& dir, const std::string& run_body,
                           const std::string& port_body) {
  const std::string log = (dir.path() / "docker.log").string();
  const std::string image = (dir.path() / "docker-image.log").string();
  dir.write("docker", "#!/bin/sh\necho \"$@\" >> '" + log + "'\ncase \"$1\" in\n" +
                          "run) for a in \"$@\"; do case \"$a\" in postgres:*) echo \"$a\" >> '" +
                          image + "' ;; esac; done\n  " + run_body + " ;;\nport) " + port_body +
                          " ;;\nrm) exit 0 ;;\n" + "esac\n");
  fs::permissions(dir.path() / "docker", fs::perms::owner_all);
}

TEST(RoundTripServer, DockerCommandLineAndErrors) {
  TempDir dir;
  const auto log = dir.path() / "docker.log";
  const auto write_stand_in = [&](const std::string& run_body, const std::string& port_body) {
    write_docker_stand_in(dir, run_body, port_body);
  };
  ServerOptions o;
  o.provider = "docker";
  o.docker = (dir.path() / "docker").string();
  o.pg_version = 16;

  write_stand_in("echo 'Cannot connect to the Docker daemon' >&2; exit 1", "exit 1");
  Started refused = start_server(o);
  EXPECT_EQ(refused.server, nullptr);
  EXPECT_NE(refused.error.find("Cannot connect to the Docker daemon"), std::string::npos);
  std::ifstream in(log);
  std::string args((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(args.find("run --detach --rm --publish 127.0.0.1::5432 --env POSTGRES_PASSWORD="),
            std::string::npos)
      << args;
  EXPECT_NE(args.find("postgres:16 -c fsync=off"), std::string::npos) << args;

  fs::remove(log);
  write_stand_in("echo 0123456789abcdef", "echo 'not a port'");
  Started garbled = start_server(o);
  EXPECT_EQ(garbled.server, nullptr);
  EXPECT_NE(garbled.error.find("unexpected"), std::string::npos) << garbled.error;
  std::ifstream in2(log);
  std::string args2((std::istreambuf_iterator<char>(in2)), std::istreambuf_iterator<char>());
  EXPECT_NE(args2.find("rm -f 0123456789abcdef"), std::string::npos)
      << "the container is removed after a failure: " << args2;
}

// Containers a SIGKILLed miglint left running (`--rm` only acts when they stop) are removed by
// the next docker round-trip on the same host; those of live runs and of other hosts are not.
TEST(RoundTripServer, DockerSweepsContainersOfKilledRuns) {
  TempDir dir;
  const auto log = dir.path() / "docker.log";
  std::array<char, 256> host{};
  ASSERT_EQ(::gethostname(host.data(), host.size() - 1), 0);
  const std::string me = host.data();
  dir.write("ps.out", "dead\t" + me + "\t999999999 1\n" + "alive\t" + me + "\t" +
                          core::owner_token() + "\n" + "elsewhere\tother-host\t999999999 1\n" +
                          "unlabelled\t\t\n");
  dir.write("docker", "#!/bin/sh\necho \"$@\" >> '" + log.string() + "'\ncase \"$1\" in\n" +
                          "ps) cat '" + (dir.path() / "ps.out").string() + "' ;;\n" +
                          "run) echo 'Cannot connect to the Docker daemon' >&2; exit 1 ;;\n" +
                          "esac\n");
  fs::permissions(dir.path() / "docker", fs::perms::owner_all);
  ServerOptions o;
  o.provider = "docker";
  o.docker = (dir.path() / "docker").string();
  o.pg_version = 16;
  EXPECT_EQ(start_server(o).server, nullptr);
  std::ifstream in(log);
  const std::string args((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(args.find("ps --all --filter label=miglint=round-trip"), std::string::npos) << args;
  EXPECT_NE(args.find("rm -f dead\n"), std::string::npos) << args;
  for (const char* kept : {"rm -f alive", "rm -f elsewhere", "rm -f unlabelled"}) {
    EXPECT_EQ(args.find(kept), std::string::npos) << kept << "\n" << args;
  }
  // New containers carry what the next run needs to judge them.
  EXPECT_NE(
      args.find("--label miglint.host=" + me + " --label miglint.owner=" + core::owner_token()),
      std::string::npos)
      << args;
}

// `--postgres docker` runs the image of the PostgreSQL major the project deploys to: --pg-version,
// or pg-version in the configuration; one too old for the round-trip is refused before docker
// runs.
TEST(RoundTripServer, DockerImageFollowsPgVersion) {
  TempDir dir;
  write_docker_stand_in(dir, "echo 'Cannot connect to the Docker daemon' >&2; exit 1", "exit 1");
  dir.write("m/001_t.up.sql", "CREATE TABLE t (id int);");
  const std::string docker =
      " --postgres docker --docker '" + (dir.path() / "docker").string() + "'";
  const auto image = dir.path() / "docker-image.log";
  auto run_with = [&](const std::string& args) {
    fs::remove(image);
    const auto r = test::run_miglint("check --round-trip --no-config" + docker + args + " m",
                                     dir.path().string());
    std::ifstream in(image);
    return std::make_pair(
        r, std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>()));
  };
  const auto [fourteen, fourteen_image] = run_with(" --pg-version 14");
  EXPECT_EQ(fourteen.exit_code, 3) << fourteen.out;
  EXPECT_NE(fourteen.out.find("Cannot connect to the Docker daemon"), std::string::npos)
      << fourteen.out;
  EXPECT_EQ(fourteen_image, "postgres:14\n");
  const auto [plain, plain_image] = run_with("");
  EXPECT_EQ(plain_image, "postgres:15\n") << "the default --pg-version";
  dir.write("miglint.toml", "pg-version = 17\n");
  fs::remove(image);
  const auto configured =
      test::run_miglint("check --round-trip" + docker + " m", dir.path().string());
  EXPECT_EQ(configured.exit_code, 3) << configured.out;
  std::ifstream in(image);
  EXPECT_EQ(std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>()),
            "postgres:17\n");
  const auto [old, old_image] = run_with(" --pg-version 12");
  EXPECT_EQ(old.exit_code, 3) << old.out;
  EXPECT_NE(old.out.find("--pg-version 12: the round-trip needs PostgreSQL 13 or newer"),
            std::string::npos)
      << old.out;
  EXPECT_EQ(old_image, "") << "docker is not asked for an image the round-trip cannot use";
}

// --- snapshots -----------------------------------------------------------------------------------

class RoundTripSnapshot : public ::testing::Test {
protected:
  static void SetUpTestSuite() {
    s_server = start_server(local()).server.release();
    ASSERT_NE(s_server, nullptr);
  }
  static void TearDownTestSuite() { delete s_server; }
  void SetUp() override {
    recreate_database(*s_server);
    m_conn = std::make_unique<pqxx::connection>(s_server->conninfo());
  }
  void exec(const std::string& sql) {
    pqxx::nontransaction n(*m_conn);
    n.exec(sql);
  }
  // The description of what `change` does to the schema `setup` builds.
  std::string change(const std::string& setup, const std::string& sql) {
    exec(setup);
    const Snapshot before = take_snapshot(*m_conn);
    exec(sql);
    return describe(diff(before, take_snapshot(*m_conn)), 20);
  }
  static Server* s_server;
  std::unique_ptr<pqxx::connection> m_conn;
};
Server* RoundTripSnapshot::s_server = nullptr;

TEST_F(RoundTripSnapshot, SameSchemaIsEqualAndOidsDoNotMatter) {
  const std::string ddl = "CREATE TABLE t (id serial PRIMARY KEY, v text DEFAULT 'x'); "
                          "CREATE INDEX t_v ON t (v); CREATE TABLE alembic_version (v text)";
  exec(ddl);
  const Snapshot first = take_snapshot(*m_conn);
  EXPECT_FALSE(first.empty());
  EXPECT_FALSE(first.contains({"table", "public.alembic_version"})) << "bookkeeping is ignored";
  exec("DROP TABLE t; DROP TABLE alembic_version");
  exec(ddl); // new OIDs, same schema
  EXPECT_EQ(diff(first, take_snapshot(*m_conn)).size(), 0u);
}

TEST_F(RoundTripSnapshot, EveryObjectKind) {
  EXPECT_EQ(change("", "CREATE TYPE mood AS ENUM ('a', 'b')"),
            "enum type public.mood still exists");
  EXPECT_EQ(change("", "ALTER TYPE mood ADD VALUE 'c' BEFORE 'a'"),
            "enum type public.mood changed: 'a', 'b' -> 'c', 'a', 'b'");
  EXPECT_EQ(change("CREATE TABLE t (a int)", "ALTER TABLE t ALTER COLUMN a TYPE bigint"),
            "column public.t.a changed: integer -> bigint");
  EXPECT_EQ(change("", "ALTER TABLE t ALTER COLUMN a SET NOT NULL"),
            "column public.t.a changed: bigint -> bigint not null");
  EXPECT_EQ(change("", "CREATE INDEX t_a ON t (a)"), "index public.t_a still exists");
  EXPECT_EQ(change("", "DROP INDEX t_a"), "index public.t_a missing");
  EXPECT_NE(change("", "ALTER TABLE t ADD CONSTRAINT c CHECK (a > 0) NOT VALID")
                .find("constraint public.t.c still exists"),
            std::string::npos);
  EXPECT_EQ(change("", "ALTER TABLE t VALIDATE CONSTRAINT c"),
            "constraint public.t.c changed: CHECK ((a > 0)) NOT VALID -> CHECK ((a > 0))");
  EXPECT_EQ(change("", "CREATE SEQUENCE s INCREMENT 5"), "sequence public.s still exists");
  EXPECT_NE(change("", "CREATE VIEW v AS SELECT a FROM t").find("view public.v still exists"),
            std::string::npos);
  EXPECT_NE(change("", "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1'")
                .find("function public.f() still exists"),
            std::string::npos);
  EXPECT_NE(change("", "CREATE OR REPLACE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 2'")
                .find("function public.f() changed"),
            std::string::npos);
  EXPECT_NE(change("CREATE FUNCTION tf() RETURNS trigger LANGUAGE plpgsql AS "
                   "'BEGIN RETURN NEW; END'",
                   "CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION tf()")
                .find("trigger public.t.tr still exists"),
            std::string::npos);
  EXPECT_NE(change("", "CREATE DOMAIN pos AS int CHECK (VALUE > 0)").find("domain public.pos"),
            std::string::npos);
  EXPECT_NE(change("", "CREATE TYPE pair AS (x int, y int)").find("composite type public.pair"),
            std::string::npos);
  EXPECT_NE(change("", "CREATE EXTENSION pg_trgm").find("extension pg_trgm still exists"),
            std::string::npos);
  EXPECT_EQ(change("", "COMMENT ON TABLE t IS 'hi'"), "comment public.t still exists");
  EXPECT_EQ(change("", "CREATE SCHEMA billing"), "schema billing still exists");
  EXPECT_EQ(change("", "CREATE MATERIALIZED VIEW mv AS SELECT 1 AS one"),
            "column public.mv.one still exists; materialized view public.mv still exists");
}

// Steps whose changes the incremental snapshots must see, including those that change how other
// relations read without touching their catalog rows: renames of referenced tables, columns,
// sequences, types, functions, collations and schemas.
const std::vector<std::string>& snapshot_steps() {
  static const std::vector<std::string> steps = {
      "CREATE TABLE t (a int, b text)",
      "CREATE TABLE u (id int PRIMARY KEY, t_a int)",
      "ALTER TABLE t ADD CONSTRAINT c CHECK (a > 0) NOT VALID",
      "ALTER TABLE t VALIDATE CONSTRAINT c",
      "ALTER TABLE t DROP CONSTRAINT c",
      "CREATE INDEX t_b ON t (b)",
      "ALTER INDEX t_b RENAME TO t_b2",
      "DROP INDEX t_b2",
      "CREATE INDEX CONCURRENTLY t_a ON t (a)",
      "DROP INDEX CONCURRENTLY t_a",
      "ALTER TABLE t ALTER COLUMN b SET DEFAULT 'x'",
      "ALTER TABLE t ALTER COLUMN b DROP DEFAULT",
      "ALTER TABLE t ALTER COLUMN a TYPE bigint",
      "ALTER TABLE t DROP COLUMN b",
      "COMMENT ON TABLE t IS 'c'",
      "COMMENT ON TABLE t IS NULL",
      "COMMENT ON COLUMN u.t_a IS 'd'",
      "CREATE FUNCTION tf() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END'",
      "CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION tf()",
      "DROP TRIGGER tr ON t",
      "CREATE VIEW v AS SELECT a FROM t",
      "CREATE OR REPLACE VIEW v AS SELECT a, a + 1 AS b FROM t",
      "CREATE SEQUENCE s",
      "ALTER SEQUENCE s INCREMENT 3",
      "CREATE TYPE mood AS ENUM ('a')",
      "ALTER TYPE mood ADD VALUE 'b'",
      "ALTER TABLE u ADD CONSTRAINT fk FOREIGN KEY (t_a) REFERENCES u (id)",
      "ALTER TABLE u RENAME COLUMN t_a TO ta",
      "ALTER TABLE u RENAME TO w",
      "ALTER TABLE t SET UNLOGGED",
      "DROP TABLE w",
      "DROP VIEW v",
      "DROP TYPE mood",
      // Renames that change the text of other relations: foreign keys, views, defaults, types.
      "CREATE TABLE p (id int PRIMARY KEY)",
      "CREATE TABLE q (p_id int REFERENCES p)",
      "CREATE VIEW pv AS SELECT id FROM p",
      "ALTER TABLE p RENAME COLUMN id TO pid",
      "ALTER TABLE p RENAME TO p2",
      "ALTER TABLE q ADD COLUMN n int",
      "CREATE SEQUENCE qs",
      "ALTER TABLE q ALTER COLUMN n SET DEFAULT nextval('qs')",
      "ALTER SEQUENCE qs RENAME TO qs2",
      "CREATE TYPE st AS ENUM ('x')",
      "ALTER TABLE q ADD COLUMN st st DEFAULT 'x'",
      "ALTER TYPE st RENAME VALUE 'x' TO 'y'",
      "ALTER TYPE st RENAME TO st2",
      "CREATE TYPE pt AS (x int)",
      "ALTER TABLE q ADD COLUMN pt pt",
      "ALTER TYPE pt RENAME TO pt2",
      "CREATE COLLATION co FROM \"C\"",
      "ALTER TABLE q ADD COLUMN cc text COLLATE co",
      "ALTER COLLATION co RENAME TO co2",
      "CREATE FUNCTION one() RETURNS int LANGUAGE sql AS 'SELECT 1'",
      "ALTER TABLE q ADD COLUMN o int DEFAULT one()",
      "ALTER FUNCTION one() RENAME TO uno",
      "CREATE SCHEMA sc",
      "CREATE TABLE sc.r (a int)",
      "CREATE VIEW rv AS SELECT a FROM sc.r",
      "ALTER SCHEMA sc RENAME TO sc2",
      "ALTER TABLE q ADD COLUMN z int",
      "ALTER TABLE q DROP COLUMN z",
  };
  return steps;
}

TEST_F(RoundTripSnapshot, IncrementalSnapshotsEqualFullOnes) {
  Snapshotter incremental;
  for (const auto& sql : snapshot_steps()) {
    exec(sql);
    EXPECT_EQ(incremental.take(*m_conn).entries(), take_snapshot(*m_conn).entries())
        << "after: " << sql;
  }
}

// The same steps run as a runner runs them, each observed: the snapshot re-reads the relations
// the step locked (and what refers to them) instead of asking every relation for a signature,
// and falls back to the signatures after a statement that ran outside a transaction.
TEST_F(RoundTripSnapshot, SnapshotsGuidedByObservedLocksEqualFullOnes) {
  Snapshotter incremental;
  incremental.take(*m_conn);
  pqxx::connection runner(s_server->conninfo());
  Observer observer;
  size_t guided = 0;
  for (const auto& sql : snapshot_steps()) {
    pqxx::nontransaction w(runner);
    observer.begin_step(w);
    if (sql.find("CONCURRENTLY") != std::string::npos) {
      w.exec(sql);
      observer.rewrites(w);
    } else {
      w.exec("BEGIN");
      w.exec(sql);
      observer.observe(w);
      w.exec("COMMIT");
    }
    const StepTrace trace = observer.trace();
    const Snapshot snapshot = incremental.take(*m_conn, &trace);
    guided += incremental.guided() ? 1 : 0;

    EXPECT_EQ(snapshot.entries(), take_snapshot(*m_conn).entries()) << "after: " << sql;
  }
  EXPECT_GT(guided, snapshot_steps().size() / 2) << "most steps need no signature query";
  EXPECT_LT(guided, snapshot_steps().size()) << "not after CREATE INDEX CONCURRENTLY";
}

// --- whole round-trips through the binary --------------------------------------------------------

TEST(RoundTrip, SqlHistory) {
  TempDir dir;
  dir.write("m/001_t.up.sql", "CREATE TABLE t (id int, v text);");
  dir.write("m/001_t.down.sql", "DROP TABLE t;");
  dir.write("m/002_mood.up.sql",
            "CREATE TYPE mood AS ENUM ('a');\nALTER TABLE t ADD COLUMN m mood;");
  dir.write("m/002_mood.down.sql", "ALTER TABLE t DROP COLUMN m;");
  dir.write("m/003_rewrite.up.sql",
            "SET lock_timeout = '1s';\nALTER TABLE t ALTER COLUMN v TYPE int USING 0;");
  dir.write("m/003_rewrite.down.sql", "ALTER TABLE t ALTER COLUMN v TYPE text;");
  dir.write("m/004_broken.up.sql", "ALTER TABLE nope ADD COLUMN x int;");
  dir.write("m/004_broken.down.sql", "SELECT 1;");
  dir.write("m/005_concurrent.up.sql", "CREATE INDEX CONCURRENTLY t_id ON t (id);");
  dir.write("m/005_concurrent.down.sql", "DROP INDEX CONCURRENTLY t_id;");
  dir.write("m/006_bad_down.up.sql", "CREATE TABLE u (id int);");
  dir.write("m/006_bad_down.down.sql", "DROP TABLE missing_table;");
  dir.write("m/007_no_down.up.sql", "ALTER TABLE u ADD COLUMN x int;");
  const Outcome r =
      test::run_binary("check --round-trip --format json --fail-on never m", dir.path().string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto doc = nlohmann::json::parse(r.out);
  const auto rules = rules_of(doc);
  const auto* trace = finding(doc, "downgrade-leaves-trace", "002");
  ASSERT_NE(trace, nullptr) << r.out;
  EXPECT_NE((*trace)["message"].get<std::string>().find("enum type public.mood still exists"),
            std::string::npos);
  const auto* again = finding(doc, "upgrade-not-repeatable", "002");
  ASSERT_NE(again, nullptr) << r.out;
  EXPECT_NE((*again)["message"].get<std::string>().find("already exists"), std::string::npos);
  EXPECT_EQ((*again)["file"], "m/002_mood.up.sql");
  EXPECT_EQ((*again)["line"], 1);
  const auto* failed = finding(doc, "roundtrip-upgrade-failed", "004");
  ASSERT_NE(failed, nullptr) << r.out;
  EXPECT_NE((*failed)["message"].get<std::string>().find("relation \"nope\" does not exist"),
            std::string::npos);
  ASSERT_NE(finding(doc, "roundtrip-downgrade-failed", "006"), nullptr) << r.out;
  ASSERT_NE(finding(doc, "roundtrip-downgrade-skipped", "007"), nullptr) << r.out;
  // 003 rewrites t: the static change-column-type finding is confirmed by the observation.
  const auto* type = finding(doc, "change-column-type", "003");
  ASSERT_NE(type, nullptr) << r.out;
  EXPECT_NE((*type)["message"].get<std::string>().find(
                "confirmed by the round-trip: took ACCESS EXCLUSIVE on public.t, rewrote public.t"),
            std::string::npos)
      << (*type)["message"];
  EXPECT_EQ(finding(doc, "table-rewrite-observed", "003"), nullptr) << "merged into the static one";
  EXPECT_EQ(rules.count("downgrade-leaves-trace"), 1u) << r.out;
  EXPECT_NE(r.err.find("round-trip 7/7: 007"), std::string::npos) << r.err;
}

// The SQL runner sends a statement and its observation, and the last COMMIT and RESET ALL,
// together: trailing comments, explicit transaction control, statements that must run outside a
// transaction and a COMMIT that fails still behave as when each is sent alone.
TEST(RoundTrip, SqlTransactionsAndTrailingComments) {
  TempDir dir;
  dir.write("m/001_t.up.sql", "CREATE TABLE t (id int PRIMARY KEY); -- the table");
  dir.write("m/001_t.down.sql", "DROP TABLE t -- no semicolon, no new line");
  dir.write("m/002_explicit.up.sql", "-- no lock_timeout\nBEGIN;\n"
                                     "ALTER TABLE t ADD COLUMN a int; -- inside\nCOMMIT;\n"
                                     "CREATE INDEX CONCURRENTLY t_a ON t (a);");
  dir.write("m/002_explicit.down.sql", "ALTER TABLE t DROP COLUMN a; -- and its index");
  dir.write("m/003_deferred.up.sql",
            "CREATE TABLE p (id int PRIMARY KEY);\n"
            "CREATE TABLE c (p_id int REFERENCES p DEFERRABLE INITIALLY DEFERRED);\n"
            "INSERT INTO c VALUES (1);");
  dir.write("m/003_deferred.down.sql", "DROP TABLE c;\nDROP TABLE p;");
  dir.write("m/004_after.up.sql", "ALTER TABLE t ADD COLUMN b int;\nSELECT pg_sleep(0.2);");
  dir.write("m/004_after.down.sql",
            "ALTER TABLE t DROP COLUMN b;\nSET statement_timeout = '50ms';");
  const Outcome r =
      test::run_binary("check --round-trip --format json --fail-on never m", dir.path().string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto doc = nlohmann::json::parse(r.out);
  std::multiset<std::string> failures;
  for (const auto& f : doc["findings"]) {
    const std::string rule = f["rule"];
    if (rule.starts_with("roundtrip-") || rule == "downgrade-leaves-trace" ||
        rule == "upgrade-not-repeatable") {
      failures.insert(rule + " " + f["migration"].get<std::string>());
    }
  }
  // 003's deferred foreign key fails at COMMIT; the SET of 004's downgrade does not reach its
  // upgrade applied again (whose sleep would exceed the timeout): nothing else fails.
  EXPECT_EQ(failures, (std::multiset<std::string>{"roundtrip-upgrade-failed 003"})) << r.out;
  const auto* deferred = finding(doc, "roundtrip-upgrade-failed", "003");
  ASSERT_NE(deferred, nullptr);
  EXPECT_NE(deferred->at("message").get<std::string>().find("foreign key"), std::string::npos)
      << deferred->at("message");
  // The ALTER inside the explicit transaction was observed: it confirms missing-lock-timeout.
  const auto* lock = finding(doc, "missing-lock-timeout", "002");
  ASSERT_NE(lock, nullptr) << r.out;
  EXPECT_EQ((*lock)["line"], 3);
  EXPECT_NE((*lock)["message"].get<std::string>().find(
                "confirmed by the round-trip: took ACCESS EXCLUSIVE on public.t"),
            std::string::npos)
      << (*lock)["message"];
}

// Only rules about locks (`locks` in their doc's tags) take an observation in: drop-table is
// about data loss; missing-lock-timeout on the same line takes it.
TEST(RoundTrip, ObservationsConfirmOnlyLockRules) {
  TempDir dir;
  dir.write("m/001_t.up.sql",
            "CREATE TABLE t (id int PRIMARY KEY);\nCREATE TABLE c (t_id int REFERENCES t);");
  dir.write("m/001_t.down.sql", "DROP TABLE c;\nDROP TABLE t;");
  dir.write("m/002_drop.up.sql", "-- no lock_timeout\nDROP TABLE c;");
  dir.write("m/002_drop.down.sql", "CREATE TABLE c (t_id int REFERENCES t);");
  const Outcome r =
      test::run_binary("check --round-trip --format json --fail-on never m", dir.path().string());
  const auto doc = nlohmann::json::parse(r.out);
  const auto* drop = finding(doc, "drop-table", "002");
  ASSERT_NE(drop, nullptr) << r.out << r.err;
  EXPECT_EQ((*drop)["message"].get<std::string>().find("confirmed"), std::string::npos)
      << (*drop)["message"];
  EXPECT_FALSE(drop->contains("observed"));
  const auto* lock = finding(doc, "missing-lock-timeout", "002");
  ASSERT_NE(lock, nullptr) << r.out;
  EXPECT_EQ((*lock)["line"], 2);
  EXPECT_NE((*lock)["message"].get<std::string>().find("confirmed by the round-trip"),
            std::string::npos);
  EXPECT_TRUE(lock->contains("observed"));
  EXPECT_EQ(finding(doc, "dangerous-lock-observed", "002"), nullptr) << r.out;
}

TEST(RoundTrip, ObservedLocksWithoutAStaticFinding) {
  TempDir dir;
  dir.write("m/001_t.up.sql", "CREATE TABLE t (id int);");
  dir.write("m/001_t.down.sql", "DROP TABLE t;");
  // Nothing static says anything about LOCK TABLE ... IN SHARE MODE (not even
  // missing-lock-timeout); the round-trip sees it taken with no lock_timeout.
  dir.write("m/002_lock.up.sql", "-- no lock_timeout\nLOCK TABLE t IN SHARE MODE;");
  dir.write("m/002_lock.down.sql", "SELECT 1;");
  const Outcome r =
      test::run_binary("check --round-trip --format json --fail-on never m", dir.path().string());
  const auto doc = nlohmann::json::parse(r.out);
  const auto* lock = finding(doc, "dangerous-lock-observed", "002");
  ASSERT_NE(lock, nullptr) << r.out << r.err;
  EXPECT_NE((*lock)["message"].get<std::string>().find("SHARE on public.t"), std::string::npos);
  EXPECT_EQ((*lock)["line"], 2);
}

TEST(RoundTrip, AlembicDemoProject) {
  const Outcome r = test::run_binary("check --round-trip --format json --fail-on never migrations",
                                     MIGLINT_SOURCE_DIR);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto doc = nlohmann::json::parse(r.out);
  const auto* trace = finding(doc, "downgrade-leaves-trace", "6f7a8b9c0d1e");
  ASSERT_NE(trace, nullptr) << r.out;
  EXPECT_NE(
      (*trace)["message"].get<std::string>().find("enum type public.shipment_state still exists"),
      std::string::npos);
  EXPECT_NE(finding(doc, "upgrade-not-repeatable", "6f7a8b9c0d1e"), nullptr);
  EXPECT_EQ(finding(doc, "roundtrip-upgrade-failed"), nullptr) << r.out;
  EXPECT_EQ(finding(doc, "roundtrip-downgrade-failed"), nullptr) << r.out;
  const auto* volatile_default = finding(doc, "add-column-volatile-default", "3c4d5e6f7a8b");
  ASSERT_NE(volatile_default, nullptr);
  EXPECT_NE((*volatile_default)["message"].get<std::string>().find("rewrote public.orders"),
            std::string::npos);
  EXPECT_NE(r.err.find("running Alembic 1.8.1"), std::string::npos) << r.err;
}

TEST(RoundTrip, AlembicMergeDataMigrationAndRaisingDowngrade) {
  const fs::path project = fs::path(MIGLINT_SOURCE_DIR) / "tests/fixtures/alembic/roundtrip";
  const Outcome r =
      test::run_binary("check --round-trip --format json --fail-on never .", project.string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto doc = nlohmann::json::parse(r.out);
  for (const char* rule : {"roundtrip-upgrade-failed", "roundtrip-downgrade-failed",
                           "downgrade-leaves-trace", "upgrade-not-repeatable"}) {
    EXPECT_EQ(finding(doc, rule), nullptr) << rule << "\n" << r.out;
  }
  const auto* skipped = finding(doc, "roundtrip-downgrade-skipped", "e_final");
  ASSERT_NE(skipped, nullptr) << r.out;
  EXPECT_NE((*skipped)["message"].get<std::string>().find("raises NotImplementedError"),
            std::string::npos);
  EXPECT_NE(finding(doc, "unanalyzable-code", "c_right"), nullptr); // static: get_bind, f-string
  EXPECT_NE(r.err.find("round-trip 5/5"), std::string::npos) << r.err;
}

// The driver keeps env.py's engine and connection across steps: what one migration leaves in
// its session (settings, temporary tables) must not reach the next, and after an upgrade that
// cannot be repeated (the scratch database is rebuilt under the kept connection) the run goes on.
TEST(RoundTrip, AlembicStepsDoNotShareSessionState) {
  TempDir dir;
  dir.write("p/alembic.ini", "[alembic]\nscript_location = %(here)s\n");
  dir.write("p/env.py",
            "import os\nfrom alembic import context\n"
            "from sqlalchemy import create_engine, pool\n"
            "engine = create_engine(os.environ['DATABASE_URL'], poolclass=pool.NullPool)\n"
            "with engine.connect() as c:\n"
            "    context.configure(connection=c, transaction_per_migration=True)\n"
            "    with context.begin_transaction():\n"
            "        context.run_migrations()\n");
  auto revision = [&](const std::string& id, const std::string& down, const std::string& up,
                      const std::string& downgrade) {
    dir.write("p/versions/" + id + ".py", "from alembic import op\nrevision = '" + id +
                                              "'\ndown_revision = " + down + "\ndef upgrade():\n" +
                                              up + "\ndef downgrade():\n" + downgrade + "\n");
  };
  revision("a1", "None",
           "    op.execute(\"CREATE SCHEMA s\")\n"
           "    op.execute(\"SET search_path = s, public\")\n"
           "    op.execute(\"CREATE TEMP TABLE scratch (a int)\")\n",
           "    op.execute(\"DROP SCHEMA s\")\n");
  // Fails if a1's search_path or temporary table reached its session.
  revision("b2", "'a1'",
           "    op.execute(\"SELECT 1 / ((current_schemas(false))[1] <> 's')::int\")\n"
           "    op.execute(\"CREATE TEMP TABLE scratch (a int)\")\n"
           "    op.execute(\"CREATE TYPE mood AS ENUM ('a')\")\n",
           "    op.execute(\"SELECT 1\")\n");
  revision("c3", "'b2'", "    op.execute(\"CREATE TABLE t (id int)\")\n",
           "    op.execute(\"DROP TABLE t\")\n");
  const Outcome r =
      test::run_binary("check --round-trip --format json --fail-on never p", dir.path().string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto doc = nlohmann::json::parse(r.out);
  EXPECT_EQ(finding(doc, "roundtrip-upgrade-failed"), nullptr) << r.out;
  EXPECT_EQ(finding(doc, "roundtrip-downgrade-failed"), nullptr) << r.out;
  // b2's downgrade leaves its type: not repeatable, the database is rebuilt, c3 still steps.
  EXPECT_NE(finding(doc, "upgrade-not-repeatable", "b2"), nullptr) << r.out;
  EXPECT_NE(r.err.find("round-trip 3/3: c3"), std::string::npos) << r.err;
  EXPECT_EQ(finding(doc, "roundtrip-upgrade-failed", "c3"), nullptr) << r.out;
}

// An Alembic project in `dir`/p: alembic.ini, env.py (by default one that connects to
// DATABASE_URL) and one file per revision.
struct Revision {
  std::string id;
  std::string down; // "" for the first
  std::string upgrade;
  std::string downgrade;
};
constexpr const char* k_env_database_url =
    "import os\nfrom alembic import context\nfrom sqlalchemy import create_engine\n"
    "with create_engine(os.environ['DATABASE_URL']).connect() as c:\n"
    "    context.configure(connection=c)\n"
    "    with context.begin_transaction():\n"
    "        context.run_migrations()\n";
void write_alembic_project(const TempDir& dir, const std::vector<Revision>& revisions,
                           const std::string& env = k_env_database_url) {
  dir.write("p/alembic.ini", "[alembic]\nscript_location = %(here)s\n");
  dir.write("p/env.py", env);
  for (const auto& r : revisions) {
    dir.write("p/versions/" + r.id + ".py",
              "from alembic import op\nrevision = '" + r.id + "'\ndown_revision = " +
                  (r.down.empty() ? "None" : "'" + r.down + "'") + "\ndef upgrade():\n    " +
                  r.upgrade + "\ndef downgrade():\n    " + r.downgrade + "\n");
  }
}

TEST(RoundTrip, EnvPyConnectingElsewhereIsRefused) {
  TempDir dir;
  write_alembic_project(
      dir, {{"a1", "", "op.execute('CREATE TABLE x (a int)')", "op.execute('DROP TABLE x')"}},
      "from alembic import context\nfrom sqlalchemy import create_engine\n"
      "engine = create_engine('postgresql://postgres@/production?host=' + "
      "__import__('os').environ['DATABASE_URL'].split('host=')[1])\n"
      "with engine.connect() as c:\n"
      "    context.configure(connection=c)\n"
      "    with context.begin_transaction():\n"
      "        context.run_migrations()\n");
  const Outcome r =
      test::run_binary("check --round-trip --format json --fail-on never p", dir.path().string());
  const auto doc = nlohmann::json::parse(r.out);
  // Refused before the revision ran: said once, and a1 runs in the built-in environment.
  const auto* failed = finding(doc, "roundtrip-env-failed");
  ASSERT_NE(failed, nullptr) << r.out << r.err;
  EXPECT_NE(
      (*failed)["message"].get<std::string>().find("refusing to run migrations anywhere else"),
      std::string::npos)
      << (*failed)["message"];
  EXPECT_EQ((*failed)["file"], "p/env.py");
  EXPECT_EQ(finding(doc, "roundtrip-upgrade-failed"), nullptr) << r.out;
  EXPECT_NE(r.err.find("round-trip stepped 1 migration"), std::string::npos) << r.err;
}

std::string read_all(const fs::path& file); // below, with the signal tests

size_t count(const nlohmann::json& doc, const std::string& rule) {
  return static_cast<size_t>(std::count_if(doc["findings"].begin(), doc["findings"].end(),
                                           [&](const auto& f) { return f["rule"] == rule; }));
}

// A SQLModel project as autogenerate writes it, whose env.py imports the application: with the
// application not installed, one error on env.py's import and every revision stepped in the
// built-in environment.
TEST(RoundTrip, EnvPyThatCannotBeImportedFallsBackToTheBuiltInEnvironment) {
  TempDir dir;
  const std::string env = "from logging.config import fileConfig\n"
                          "from alembic import context\n"
                          "from sqlalchemy import engine_from_config, pool\n"
                          "from app.models import SQLModel\n"
                          "target_metadata = SQLModel.metadata\n"
                          "connectable = engine_from_config(context.config.get_section("
                          "context.config.config_ini_section), prefix='sqlalchemy.', "
                          "poolclass=pool.NullPool)\n"
                          "with connectable.connect() as connection:\n"
                          "    context.configure(connection=connection, "
                          "target_metadata=target_metadata)\n"
                          "    with context.begin_transaction():\n"
                          "        context.run_migrations()\n";
  write_alembic_project(dir,
                        {{"a1", "",
                          "op.create_table('hero', sa.Column('id', sa.Integer(), "
                          "primary_key=True), sa.Column('name', "
                          "sqlmodel.sql.sqltypes.AutoString(), nullable=False))",
                          "op.drop_table('hero')"},
                         {"a2", "a1", "op.add_column('hero', sa.Column('age', sa.Integer()))",
                          "op.drop_column('hero', 'age')"}},
                        env);
  for (const char* id : {"a1", "a2"}) { // as autogenerate writes them for SQLModel
    const fs::path file = dir.path() / "p/versions" / (std::string(id) + ".py");
    dir.write("p/versions/" + std::string(id) + ".py",
              "import sqlalchemy as sa\nimport sqlmodel\n" + read_all(file));
  }
  const Outcome r =
      test::run_binary("check --round-trip --format json --fail-on never p", dir.path().string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto doc = nlohmann::json::parse(r.out);
  EXPECT_EQ(count(doc, "roundtrip-env-failed"), 1U) << r.out;
  EXPECT_EQ(count(doc, "roundtrip-builtin-env"), 1U) << r.out;
  const auto* failed = finding(doc, "roundtrip-env-failed");
  ASSERT_NE(failed, nullptr) << r.out;
  const std::string message = (*failed)["message"];
  EXPECT_NE(message.find("ModuleNotFoundError: No module named 'app'"), std::string::npos)
      << message;
  EXPECT_NE(message.find("under Python 3"), std::string::npos) << message;
  EXPECT_EQ((*failed)["file"], "p/env.py");
  EXPECT_EQ((*failed)["line"], 4);
  EXPECT_EQ((*failed)["severity"], "error");
  EXPECT_EQ((*failed)["help"].get<std::string>().find("Fix the statement"), std::string::npos);
  EXPECT_EQ((*finding(doc, "roundtrip-builtin-env"))["severity"], "info");
  for (const char* rule : {"roundtrip-upgrade-failed", "roundtrip-downgrade-failed",
                           "downgrade-leaves-trace", "upgrade-not-repeatable"}) {
    EXPECT_EQ(finding(doc, rule), nullptr) << rule << "\n" << r.out;
  }
  EXPECT_NE(r.err.find("round-trip stepped 2 migrations"), std::string::npos) << r.err;
}

// `alembic -c p/alembic.ini` run from the repository's root puts prepend_sys_path = . there, so
// env.py imports the application package that sits beside p/, not inside it.
TEST(RoundTrip, PrependSysPathIsWhereAlembicRuns) {
  TempDir dir;
  dir.write("app/__init__.py", "");
  dir.write("app/models.py", "import sqlalchemy as sa\nmetadata = sa.MetaData()\n");
  const std::string env = "from alembic import context\n"
                          "from sqlalchemy import engine_from_config, pool\n"
                          "from app.models import metadata\n"
                          "connectable = engine_from_config(context.config.get_section("
                          "context.config.config_ini_section), prefix='sqlalchemy.', "
                          "poolclass=pool.NullPool)\n"
                          "with connectable.connect() as connection:\n"
                          "    context.configure(connection=connection, target_metadata=metadata)\n"
                          "    with context.begin_transaction():\n"
                          "        context.run_migrations()\n";
  write_alembic_project(
      dir,
      {{"a1", "", "op.create_table('hero', sa.Column('id', sa.Integer(), primary_key=True))",
        "op.drop_table('hero')"}},
      env);
  dir.write("p/alembic.ini", "[alembic]\nscript_location = %(here)s\nprepend_sys_path = .\n");
  const Outcome r =
      test::run_binary("check --round-trip --format json --fail-on never p", dir.path().string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto doc = nlohmann::json::parse(r.out);
  EXPECT_EQ(finding(doc, "roundtrip-env-failed"), nullptr) << r.out;
  EXPECT_EQ(finding(doc, "roundtrip-builtin-env"), nullptr) << r.out;
  EXPECT_NE(r.err.find("round-trip stepped 1 migration"), std::string::npos) << r.err;
}

// The built-in environment makes the settings env.py would have made (read statically): a
// revision that checks lock_timeout passes only if they are in force.
TEST(RoundTrip, BuiltInEnvironmentMakesEnvPySessionSettings) {
  TempDir dir;
  const std::string env = "from alembic import context\n"
                          "from sqlalchemy import engine_from_config, pool, text\n"
                          "from app.models import metadata\n"
                          "connectable = engine_from_config(context.config.get_section("
                          "context.config.config_ini_section), prefix='sqlalchemy.', "
                          "poolclass=pool.NullPool)\n"
                          "with connectable.connect() as connection:\n"
                          "    connection.execute(text(\"SET lock_timeout = '4s'\"))\n"
                          "    context.configure(connection=connection, target_metadata=metadata)\n"
                          "    with context.begin_transaction():\n"
                          "        context.run_migrations()\n";
  write_alembic_project(
      dir,
      {{"a1", "",
        "op.execute(\"DO $$ BEGIN IF current_setting('lock_timeout') <> '4s' THEN RAISE "
        "EXCEPTION 'lock_timeout is %', current_setting('lock_timeout'); END IF; END $$\")",
        "op.execute('SELECT 1')"}},
      env);
  const Outcome r =
      test::run_binary("check --round-trip --format json --fail-on never p", dir.path().string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto doc = nlohmann::json::parse(r.out);
  EXPECT_EQ(count(doc, "roundtrip-builtin-env"), 1U) << r.out;
  EXPECT_EQ(count(doc, "roundtrip-upgrade-failed"), 0U) << r.out;
}

// Alembic's async template (`alembic init -t async`).
const std::string k_async_env =
    "import asyncio\nfrom alembic import context\nfrom sqlalchemy import pool\n"
    "from sqlalchemy.ext.asyncio import async_engine_from_config\n"
    "def do_run_migrations(connection):\n"
    "    context.configure(connection=connection, target_metadata=None)\n"
    "    with context.begin_transaction():\n"
    "        context.run_migrations()\n"
    "async def run_async_migrations():\n"
    "    connectable = async_engine_from_config(context.config.get_section("
    "context.config.config_ini_section, {}), prefix='sqlalchemy.', poolclass=pool.NullPool)\n"
    "    async with connectable.connect() as connection:\n"
    "        await connection.run_sync(do_run_migrations)\n"
    "    await connectable.dispose()\n"
    "asyncio.run(run_async_migrations())\n";

// With asyncpg installed (ci/setup.sh), an async env.py runs as it is, through asyncpg: no
// fallback, and the locks and rewrites are observed as with psycopg2.
TEST(RoundTrip, AsyncEnvPyRunsWithAsyncpg) {
  TempDir dir;
  write_alembic_project(
      dir,
      {{"a1", "", "op.execute('CREATE TABLE x (a int)')", "op.execute('DROP TABLE x')"},
       {"a2", "a1", "op.execute('ALTER TABLE x ALTER COLUMN a TYPE bigint')",
        "op.execute('ALTER TABLE x ALTER COLUMN a TYPE int')"}},
      k_async_env);
  // The project's own URL names asyncpg; miglint's scratch database replaces it.
  dir.write("p/alembic.ini", "[alembic]\nscript_location = %(here)s\n"
                             "sqlalchemy.url = postgresql+asyncpg://app@db.invalid/production\n");
  const Outcome r =
      test::run_binary("check --round-trip --format json --fail-on never p", dir.path().string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto doc = nlohmann::json::parse(r.out);
  EXPECT_EQ(finding(doc, "roundtrip-env-failed"), nullptr) << r.out;
  EXPECT_EQ(finding(doc, "roundtrip-builtin-env"), nullptr) << r.out;
  EXPECT_EQ(finding(doc, "roundtrip-upgrade-failed"), nullptr) << r.out;
  EXPECT_NE(r.err.find("round-trip stepped 2 migrations"), std::string::npos) << r.err;
  const auto* rewrite = finding(doc, "change-column-type");
  ASSERT_NE(rewrite, nullptr) << r.out;
  ASSERT_TRUE(rewrite->contains("observed")) << *rewrite;
  EXPECT_EQ((*rewrite)["observed"]["rewrites"], nlohmann::json::array({"public.x"})) << *rewrite;
  EXPECT_EQ((*rewrite)["observed"]["locks"][0]["mode"], "ACCESS EXCLUSIVE") << *rewrite;
}

// Without an asyncio driver (asyncpg hidden here by a module that fails to import, as when it
// is not installed) the engine cannot be made; the built-in environment runs the revisions with
// the URL miglint hands over, and the notice says why.
TEST(RoundTrip, AsyncEnvPyWithoutItsDriverFallsBack) {
  TempDir dir;
  write_alembic_project(
      dir, {{"a1", "", "op.execute('CREATE TABLE x (a int)')", "op.execute('DROP TABLE x')"}},
      k_async_env);
  dir.write("p/alembic.ini", "[alembic]\nscript_location = %(here)s\nprepend_sys_path = shadow\n");
  dir.write("p/shadow/asyncpg.py", "raise ImportError(\"No module named 'asyncpg'\")\n");
  const Outcome r =
      test::run_binary("check --round-trip --format json --fail-on never p", dir.path().string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto doc = nlohmann::json::parse(r.out);
  ASSERT_EQ(count(doc, "roundtrip-env-failed"), 1U) << r.out;
  const auto* notice = finding(doc, "roundtrip-builtin-env");
  ASSERT_NE(notice, nullptr) << r.out;
  EXPECT_NE((*notice)["message"].get<std::string>().find("asynchronous"), std::string::npos)
      << (*notice)["message"];
  EXPECT_EQ(finding(doc, "roundtrip-upgrade-failed"), nullptr) << r.out;
  EXPECT_NE(r.err.find("round-trip stepped 1 migration"), std::string::npos) << r.err;
}

// A revision that cannot be imported: one error naming it and the module, the revisions before
// it stepped, none after it run.
TEST(RoundTrip, UnimportableRevisionIsOneErrorAndEndsTheHistory) {
  TempDir dir;
  write_alembic_project(
      dir, {{"a1", "", "op.execute('CREATE TABLE x (a int)')", "op.execute('DROP TABLE x')"},
            {"a2", "a1", "op.execute('CREATE TABLE y (a int)')", "op.execute('DROP TABLE y')"},
            {"a3", "a2", "op.execute('CREATE TABLE z (a int)')", "op.execute('DROP TABLE z')"},
            {"a4", "a3", "op.execute('CREATE TABLE w (a int)')", "op.execute('DROP TABLE w')"}});
  const fs::path a2 = dir.path() / "p/versions/a2.py";
  dir.write("p/versions/a2.py", "import app.models\n" + read_all(a2));
  const Outcome r =
      test::run_binary("check --round-trip --format json --fail-on never p", dir.path().string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto doc = nlohmann::json::parse(r.out);
  EXPECT_EQ(count(doc, "roundtrip-import-failed"), 1U) << r.out;
  const auto* failed = finding(doc, "roundtrip-import-failed", "a2");
  ASSERT_NE(failed, nullptr) << r.out;
  const std::string message = (*failed)["message"];
  EXPECT_NE(message.find("No module named 'app'"), std::string::npos) << message;
  EXPECT_NE(message.find("under Python 3"), std::string::npos) << message;
  EXPECT_EQ((*failed)["file"], "p/versions/a2.py");
  EXPECT_EQ((*failed)["line"], 1);
  for (const char* rule :
       {"roundtrip-upgrade-failed", "roundtrip-downgrade-failed", "roundtrip-env-failed"}) {
    EXPECT_EQ(finding(doc, rule), nullptr) << rule << "\n" << r.out;
  }
  EXPECT_NE(r.err.find("round-trip stepped 1 migration"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("round-trip 3/4"), std::string::npos) << r.err;

  // A name of SQLAlchemy 2.0 under 1.4, at module level: the same, with the attribute.
  dir.write("p/versions/a2.py",
            "import sqlalchemy as sa\nUUID = sa.Uuid\n" + read_all(a2).substr(17));
  const Outcome uuid =
      test::run_binary("check --round-trip --format json --fail-on never p", dir.path().string());
  const auto uuid_doc = nlohmann::json::parse(uuid.out);
  ASSERT_EQ(count(uuid_doc, "roundtrip-import-failed"), 1U) << uuid.out;
  EXPECT_NE(
      (*finding(uuid_doc, "roundtrip-import-failed", "a2"))["message"].get<std::string>().find(
          "has no attribute 'Uuid'"),
      std::string::npos)
      << uuid.out;
}

// --round-trip on a versions directory, on one revision file and on one SQL file of a
// golang-migrate history: the migrations before it are applied, only the named one is stepped.
TEST(RoundTrip, NamedFileOrVersionsDirectoryAppliesItsAncestors) {
  TempDir dir;
  write_alembic_project(
      dir, {{"a1", "", "op.execute('CREATE TABLE x (a int)')", "op.execute('DROP TABLE x')"},
            {"a2", "a1", "op.execute('ALTER TABLE x ADD COLUMN b int')",
             "op.execute('ALTER TABLE x DROP COLUMN b')"},
            {"a3", "a2", "op.execute('CREATE INDEX xb ON x (b)')", "op.execute('DROP INDEX xb')"}});
  const Outcome versions = test::run_binary(
      "check --round-trip --format json --fail-on never p/versions", dir.path().string());
  ASSERT_EQ(versions.exit_code, 0) << versions.err;
  EXPECT_NE(versions.err.find("round-trip stepped 3 migrations"), std::string::npos)
      << versions.err;
  EXPECT_EQ(finding(nlohmann::json::parse(versions.out), "roundtrip-upgrade-failed"), nullptr);

  // From the script directory, as `alembic` runs: a relative versions directory.
  const Outcome one =
      test::run_binary("check --round-trip --format json --fail-on never versions/a2.py",
                       (dir.path() / "p").string());
  ASSERT_EQ(one.exit_code, 0) << one.err;
  EXPECT_NE(one.err.find("round-trip 1/1: a2"), std::string::npos) << one.err;
  EXPECT_NE(one.err.find("round-trip stepped 1 migration"), std::string::npos) << one.err;
  EXPECT_EQ(finding(nlohmann::json::parse(one.out), "roundtrip-upgrade-failed"), nullptr)
      << one.out;

  // A versions directory with no env.py above it: the built-in environment, said as info.
  fs::remove(dir.path() / "p/env.py");
  const Outcome bare = test::run_binary(
      "check --round-trip --format json --fail-on never p/versions/a3.py", dir.path().string());
  ASSERT_EQ(bare.exit_code, 0) << bare.err;
  const auto bare_doc = nlohmann::json::parse(bare.out);
  EXPECT_NE(finding(bare_doc, "roundtrip-builtin-env"), nullptr) << bare.out;
  EXPECT_EQ(finding(bare_doc, "roundtrip-env-failed"), nullptr) << bare.out;
  EXPECT_EQ(finding(bare_doc, "roundtrip-upgrade-failed"), nullptr) << bare.out;
  EXPECT_NE(bare.err.find("round-trip stepped 1 migration"), std::string::npos) << bare.err;

  dir.write("g/000001_t.up.sql", "CREATE TABLE t (id int);");
  dir.write("g/000001_t.down.sql", "SELECT 1;"); // leaves t: reported only if stepped
  dir.write("g/000002_a.up.sql", "ALTER TABLE t ADD COLUMN a int;");
  dir.write("g/000002_a.down.sql", "ALTER TABLE t DROP COLUMN a;");
  dir.write("g/000003_i.up.sql", "CREATE INDEX i ON t (a);");
  dir.write("g/000003_i.down.sql", "DROP INDEX i;");
  const Outcome sql = test::run_binary(
      "check --round-trip --format json --fail-on never g/000002_a.up.sql", dir.path().string());
  ASSERT_EQ(sql.exit_code, 0) << sql.err;
  const auto sql_doc = nlohmann::json::parse(sql.out);
  EXPECT_EQ(finding(sql_doc, "roundtrip-upgrade-failed"), nullptr) << sql.out;
  EXPECT_EQ(finding(sql_doc, "downgrade-leaves-trace"), nullptr) << sql.out;
  EXPECT_EQ(sql_doc["summary"]["migrations"], 1) << sql.out;
  EXPECT_NE(sql.err.find("round-trip 1/1: 000002"), std::string::npos) << sql.err;
  EXPECT_NE(sql.err.find("round-trip stepped 1 migration"), std::string::npos) << sql.err;
}

bool process_alive_with(const std::string& needle); // below, with the signal tests

// After an upgrade that cannot be repeated the scratch database is rebuilt under the driver:
// the revisions after it still run, on new connections.
TEST(RoundTrip, AlembicHistoryGoesOnAfterTheDatabaseIsRebuilt) {
  TempDir dir;
  write_alembic_project(
      dir, {{"a1", "", "op.execute(\"CREATE TYPE mood AS ENUM ('a')\")",
             "op.execute('SELECT 1')  # forgets the type"},
            {"a2", "a1", "op.execute('CREATE TABLE t (m mood)')", "op.execute('DROP TABLE t')"}});
  const Outcome r =
      test::run_binary("check --round-trip --format json --fail-on never p", dir.path().string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto doc = nlohmann::json::parse(r.out);
  EXPECT_NE(finding(doc, "upgrade-not-repeatable", "a1"), nullptr) << r.out;
  EXPECT_EQ(finding(doc, "roundtrip-upgrade-failed"), nullptr) << r.out;
  EXPECT_EQ(finding(doc, "roundtrip-downgrade-failed"), nullptr) << r.out;
  EXPECT_NE(r.err.find("round-trip stepped 2 migrations"), std::string::npos) << r.err;
}

// The driver starts while the server does, with the first interpreter that imports Alembic:
// one that cannot is passed over, and when none can, the error names every one tried.
TEST(RoundTrip, AlembicInterpreterChoice) {
  TempDir dir;
  write_alembic_project(
      dir, {{"a1", "", "op.execute('CREATE TABLE x (a int)')", "op.execute('DROP TABLE x')"}});
  // An interpreter without the system's site-packages: no Alembic there.
  const auto bare = dir.write("venv/bin/python", "#!/bin/sh\nexec /usr/bin/python3 -S \"$@\"\n");
  fs::permissions(bare, fs::perms::owner_all);

  const Outcome none =
      test::run_binary("check --round-trip --python " + bare.string() + " p", dir.path().string());
  EXPECT_EQ(none.exit_code, 3) << none.err;
  EXPECT_NE(none.err.find("no Python interpreter that imports alembic and sqlalchemy (tried " +
                          bare.string() + ")"),
            std::string::npos)
      << none.err;
  const Outcome missing =
      test::run_binary("check --round-trip --python /nonexistent/python p", dir.path().string());
  EXPECT_EQ(missing.exit_code, 3) << missing.err;
  EXPECT_NE(missing.err.find("tried /nonexistent/python)"), std::string::npos) << missing.err;

  // The driver is already starting when the server cannot: it is stopped with everything else.
  const Outcome no_server = test::run_binary("check --round-trip --postgres url --database-url "
                                             "'postgresql://postgres@/x?host=/nonexistent' p",
                                             dir.path().string());
  EXPECT_EQ(no_server.exit_code, 3) << no_server.err;
  EXPECT_NE(no_server.err.find("cannot start the round-trip's PostgreSQL"), std::string::npos)
      << no_server.err;
  EXPECT_FALSE(process_alive_with((dir.path() / "p").string())) << "the driver is stopped";

  // $VIRTUAL_ENV's python comes first, cannot import Alembic: the next candidate runs.
  ::setenv("VIRTUAL_ENV", (dir.path() / "venv").c_str(), 1);
  const Outcome fallback =
      test::run_binary("check --round-trip --format json p", dir.path().string());
  ::unsetenv("VIRTUAL_ENV");
  EXPECT_EQ(fallback.exit_code, 0) << fallback.err;
  EXPECT_NE(fallback.err.find("running Alembic"), std::string::npos) << fallback.err;
  EXPECT_EQ(fallback.err.find("venv/bin/python)"), std::string::npos) << fallback.err;
  EXPECT_NE(fallback.err.find("round-trip stepped 1 migration"), std::string::npos) << fallback.err;
}

TEST(RoundTrip, FromSkipsSteppingEarlierMigrations) {
  TempDir dir;
  dir.write("m/001_t.up.sql", "CREATE TABLE t (id int);");
  dir.write("m/001_t.down.sql", "SELECT 1;"); // leaves t behind: reported only when stepped
  dir.write("m/002_u.up.sql", "CREATE TABLE u (id int);");
  dir.write("m/002_u.down.sql", "DROP TABLE u;");
  const Outcome all =
      test::run_binary("check --round-trip --format json --fail-on never m", dir.path().string());
  EXPECT_NE(finding(nlohmann::json::parse(all.out), "downgrade-leaves-trace", "001"), nullptr);
  const Outcome from = test::run_binary(
      "check --round-trip --from 002 --format json --fail-on never m", dir.path().string());
  const auto doc = nlohmann::json::parse(from.out);
  EXPECT_EQ(finding(doc, "downgrade-leaves-trace"), nullptr) << from.out;
  EXPECT_NE(from.err.find("round-trip 1/1: 002"), std::string::npos) << from.err;
}

TEST(RoundTrip, IgnoreCommentsApplyToRoundTripFindings) {
  TempDir dir;
  dir.write("m/001_t.up.sql", "CREATE TABLE t (id int);");
  dir.write("m/001_t.down.sql", "DROP TABLE t;");
  dir.write("m/002_lock.up.sql",
            "-- no lock_timeout\n-- miglint: ignore dangerous-lock-observed -- planned\n"
            "LOCK TABLE t IN SHARE MODE;");
  dir.write("m/002_lock.down.sql", "SELECT 1;");
  dir.write("m/003_leak.up.sql",
            "-- miglint: ignore-file downgrade-leaves-trace\nCREATE TABLE v (a int);");
  dir.write("m/003_leak.down.sql", "-- miglint: ignore-file downgrade-leaves-trace\nSELECT 1;");
  const Outcome r =
      test::run_binary("check --round-trip --format json --fail-on never m", dir.path().string());
  const auto doc = nlohmann::json::parse(r.out);
  EXPECT_EQ(finding(doc, "dangerous-lock-observed"), nullptr) << r.out;
  EXPECT_EQ(finding(doc, "downgrade-leaves-trace"), nullptr) << r.out;
}

TEST(RoundTrip, DatabaseUrlFromTheEnvironment) {
  Started host = start_server(local());
  ASSERT_NE(host.server, nullptr) << host.error;
  TempDir dir;
  dir.write("m/001_t.up.sql", "CREATE TABLE t (id int);");
  dir.write("m/001_t.down.sql", "DROP TABLE t;");
  const std::string url = "postgresql://postgres@/template1?host=" + socket_dir(*host.server);
  ::setenv("DATABASE_URL", url.c_str(), 1); // the child inherits it
  const Outcome r = test::run_binary("check --round-trip --postgres url m", dir.path().string());
  ::unsetenv("DATABASE_URL");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("scratch database miglint_"), std::string::npos) << r.err;
  for (const auto& db : databases(admin(*host.server))) {
    EXPECT_EQ(db.rfind("miglint_", 0) == 0, db == host.server->database()) << "left behind: " << db;
  }
}

TEST(RoundTrip, EnvironmentErrorIsExitThree) {
  TempDir dir;
  dir.write("m/001_t.up.sql", "CREATE TABLE t (id int);");
  const Outcome r = test::run_binary("check --round-trip --postgres local --pg-bin /nonexistent m",
                                     dir.path().string());
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.err.find("no PostgreSQL server binaries"), std::string::npos) << r.err;
}

// --- signals
// ---------------------------------------------------------------------------------------

std::vector<fs::path> entries(const fs::path& dir) {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(dir)) {
    out.push_back(e.path());
  }
  return out;
}

std::string read_all(const fs::path& file);

bool process_alive_with(const std::string& needle) {
  for (const auto& e : fs::directory_iterator("/proc")) {
    const std::string cmd = read_all(e.path() / "cmdline");
    if (cmd.find(needle) != std::string::npos) {
      return true;
    }
  }
  return false;
}

// The file's text; "" when it cannot be read. A /proc file of a process that ends while it is
// read fails with ESRCH, which libstdc++'s filebuf throws.
std::string read_all(const fs::path& file) {
  try {
    std::ifstream in(file);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  } catch (const std::exception&) {
    return {};
  }
}

// Whether a child of the postgres server whose command line holds `server` has `title` in its
// process title.
bool backend_running(const std::string& server, const std::string& title) {
  std::set<std::string> postmasters;
  std::vector<std::string> parents; // of the processes with that title
  for (const auto& e : fs::directory_iterator("/proc")) {
    const std::string cmd = read_all(e.path() / "cmdline");
    if (cmd.find(server) != std::string::npos) {
      postmasters.insert(e.path().filename().string());
    } else if (cmd.find(title) != std::string::npos) {
      // /proc/PID/stat: "PID (comm) STATE PPID ..." (comm may hold spaces: after the last ')')
      const std::string stat = read_all(e.path() / "stat");
      std::istringstream fields(stat.substr(stat.rfind(')') + 1));
      std::string state;
      std::string parent;
      fields >> state >> parent;
      parents.push_back(parent);
    }
  }
  return std::any_of(parents.begin(), parents.end(),
                     [&](const std::string& parent) { return postmasters.contains(parent); });
}

// Interrupts a round-trip while a statement runs; the child gets its own TMPDIR, so what it
// leaves behind (or not) is seen even when other tests run in parallel.
void interrupt_mid_run(int sig) {
  TempDir dir;
  TempDir tmp;
  dir.write("m/001_slow.up.sql", "SELECT pg_sleep(60);");
  dir.write("m/001_slow.down.sql", "SELECT 1;");
  if (core::running_as_root()) {
    // The server runs as postgres and must be able to enter its directory.
    fs::permissions(tmp.path(), fs::perms::all);
  }
  const std::string tmpdir = "TMPDIR=" + tmp.path().string();
  const pid_t pid = fork();
  if (pid == 0) {
    const int null = ::open("/dev/null", O_WRONLY);
    ::dup2(null, 1);
    ::dup2(null, 2);
    if (::chdir(dir.path().c_str()) != 0) {
      _exit(126);
    }
    ::putenv(const_cast<char*>(tmpdir.c_str()));
    ::execl(MIGLINT_BINARY, MIGLINT_BINARY, "check", "--round-trip", "m", nullptr);
    _exit(127);
  }
  // Wait until the slow statement runs on the run's own server: a backend of that server (a
  // child of the postmaster whose command line holds the run's TMPDIR) shows "[local] SELECT"
  // in its process title. Other tests' servers run statements too.
  const std::string marker = tmp.path().string() + "/miglint-pg-";
  bool sleeping = false;
  for (int i = 0; i < 600 && !sleeping; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    sleeping = backend_running(marker, "[local] SELECT");
  }
  ASSERT_TRUE(sleeping) << "the round-trip did not reach the slow statement";
  ::kill(pid, sig);
  int status = 0;
  ::waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 128 + sig);
  EXPECT_TRUE(entries(tmp.path()).empty())
      << "left behind in TMPDIR: " << entries(tmp.path()).front();
  EXPECT_FALSE(process_alive_with(marker)) << "a server process was left behind";
}

TEST(RoundTripSignals, SigintRemovesEverything) {
  interrupt_mid_run(SIGINT);
}

TEST(RoundTripSignals, SigtermRemovesEverything) {
  interrupt_mid_run(SIGTERM);
}

} // namespace
} // namespace miglint::roundtrip
