// The round-trip under faults, through the binary on real PostgreSQL: the server killed mid-run,
// a full disk under the cluster, the Alembic driver killed, a statement that never ends, and a
// cluster left behind by a miglint that was killed. Each fault is one clear finding or error,
// the static findings are still reported, and nothing the run started is left behind.

#include "core/process.hpp"
#include "roundtrip/server.hpp"
#include "test_support.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include <chrono>
#include <csignal>
#include <fcntl.h>
#include <fstream>
#include <sys/mount.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace miglint::roundtrip {
namespace {

namespace fs = std::filesystem;
using test::TempDir;

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

// A run of the binary in the background, with its own TMPDIR, stdout and stderr in files. A run
// a failed assertion leaves behind is interrupted (SIGTERM: it cleans up) and reaped.
struct Child {
  pid_t pid = -1;
  fs::path out;
  fs::path err;
  bool reaped = false;
  Child() = default;
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;
  ~Child() {
    if (pid > 0 && !reaped) {
      ::kill(pid, SIGTERM);
      ::waitpid(pid, nullptr, 0);
    }
  }
};

// Kills, at the end of a test, what a failing run left working in a directory (the test's
// TMPDIR): declared after it, so it runs before the directory is removed.
struct Reaper {
  fs::path dir;
  ~Reaper() { core::kill_processes_in(dir.string()); }
};

void spawn_miglint(Child& c, const std::vector<std::string>& args, const fs::path& cwd,
                   const fs::path& tmpdir, const TempDir& logs,
                   const std::vector<std::string>& env = {}) {
  static int runs = 0;
  const std::string n = std::to_string(++runs);
  c.out = logs.path() / ("out" + n);
  c.err = logs.path() / ("err" + n);
  std::vector<std::string> all = {"TMPDIR=" + tmpdir.string()};
  all.insert(all.end(), env.begin(), env.end());
  std::vector<char*> argv = {const_cast<char*>(MIGLINT_BINARY)};
  for (const auto& a : args) {
    argv.push_back(const_cast<char*>(a.c_str()));
  }
  argv.push_back(nullptr);
  c.pid = ::fork();
  if (c.pid == 0) {
    const int out = ::open(c.out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int err = ::open(c.err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(out, 1);
    ::dup2(err, 2);
    if (::chdir(cwd.c_str()) != 0) {
      _exit(126);
    }
    for (const auto& kv : all) {
      ::putenv(const_cast<char*>(kv.c_str()));
    }
    ::execv(MIGLINT_BINARY, argv.data());
    _exit(127);
  }
}

// The child's exit code; -1 (after killing it) when it has not ended within `seconds`: a run that
// hangs fails the test instead of holding up the suite.
int wait_for(Child& c, int seconds = 300) {
  for (int waited = 0; waited < seconds * 100; ++waited) {
    int status = 0;
    if (::waitpid(c.pid, &status, WNOHANG) == c.pid) {
      c.reaped = true;
      return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ::kill(c.pid, SIGTERM); // it cleans up
  ::waitpid(c.pid, nullptr, 0);
  c.reaped = true;
  return -1;
}

// A directory the server (the postgres user, when the tests run as root) can work in.
void open_to_everyone(const fs::path& dir) {
  fs::permissions(dir, fs::perms::all);
}

// The local clusters (miglint-pg-*) of runs with TMPDIR `tmp`.
std::vector<fs::path> clusters_in(const fs::path& tmp) {
  std::vector<fs::path> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(tmp, ec)) {
    if (e.path().filename().string().rfind("miglint-pg-", 0) == 0) {
      out.push_back(e.path());
    }
  }
  return out;
}

std::vector<std::string> entries_of(const fs::path& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    out.push_back(e.path().filename().string());
  }
  return out;
}

std::string cmdline(const std::string& pid) {
  std::string cmd = read_all("/proc/" + pid + "/cmdline");
  std::replace(cmd.begin(), cmd.end(), '\0', ' ');
  return cmd;
}

// The processes whose working directory is `dir` or below it (every PostgreSQL process works in
// its data directory), or whose command line names it: "pid command line".
std::vector<std::string> processes_in(const fs::path& dir) {
  std::vector<std::string> out;
  const std::string root = fs::weakly_canonical(dir).string();
  for (const auto& e : fs::directory_iterator("/proc")) {
    const std::string pid = e.path().filename().string();
    if (pid.find_first_not_of("0123456789") != std::string::npos) {
      continue;
    }
    std::error_code ec;
    const std::string cwd = fs::read_symlink(e.path() / "cwd", ec).string();
    const std::string cmd = cmdline(pid);
    if ((!ec && (cwd == root || cwd.rfind(root + "/", 0) == 0)) ||
        cmd.find(root + "/") != std::string::npos) {
      out.push_back(pid + " " + cmd);
    }
  }
  return out;
}

// Waits until a statement holding `needle` runs on the server of a run with TMPDIR `tmp`; returns
// that server's cluster directory ("" when it never did).
fs::path wait_for_statement(const fs::path& tmp, const std::string& needle) {
  for (int i = 0; i < 1200; ++i) {
    for (const auto& dir : clusters_in(tmp)) {
      if (!fs::exists(dir / "data" / "postmaster.pid")) {
        continue;
      }
      try {
        pqxx::connection c("host='" + dir.string() +
                           "' port=5432 user=postgres dbname=template1 connect_timeout=2");
        pqxx::nontransaction n(c);
        const auto r = n.exec("SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND "
                              "pid <> pg_backend_pid() AND query LIKE " +
                              n.quote("%" + needle + "%"));
        if (r[0][0].as<int>() > 0) {
          return dir;
        }
      } catch (const std::exception&) {
        // not ready yet
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return {};
}

pid_t postmaster_of(const fs::path& cluster) {
  return static_cast<pid_t>(std::atol(read_all(cluster / "data" / "postmaster.pid").c_str()));
}

std::vector<const nlohmann::json*> findings_of(const nlohmann::json& doc, const std::string& rule) {
  std::vector<const nlohmann::json*> out;
  for (const auto& f : doc["findings"]) {
    if (f["rule"] == rule) {
      out.push_back(&f);
    }
  }
  return out;
}

bool has(const nlohmann::json& doc, const std::string& rule, const std::string& migration) {
  const auto all = findings_of(doc, rule);
  return std::any_of(all.begin(), all.end(),
                     [&](const nlohmann::json* f) { return (*f)["migration"] == migration; });
}

std::string message_of(const nlohmann::json* f) {
  return f == nullptr ? std::string() : (*f)["message"].get<std::string>();
}

// A SQL history: 001 creates t, 002 is `slow` (on its line 2), 003 adds a NOT NULL column without
// a default (a static error: add-column-not-null-no-default).
void write_sql_history(const TempDir& dir, const std::string& slow) {
  dir.write("m/001_t.up.sql", "CREATE TABLE t (id int);\n");
  dir.write("m/001_t.down.sql", "DROP TABLE t;\n");
  dir.write("m/002_slow.up.sql", "SET lock_timeout = '1s';\n" + slow + "\n");
  dir.write("m/002_slow.down.sql", "SELECT 1;\n");
  dir.write("m/003_c.up.sql",
            "SET lock_timeout = '1s';\nALTER TABLE t ADD COLUMN c int NOT NULL;\n");
  dir.write("m/003_c.down.sql", "ALTER TABLE t DROP COLUMN c;\n");
}

// The same as an Alembic project in dir/p: a2's upgrade is `slow` (from line 6 of a2.py).
void write_alembic_history(const TempDir& dir, const std::string& slow) {
  dir.write("p/alembic.ini", "[alembic]\nscript_location = %(here)s\n");
  dir.write("p/env.py",
            "import os\nfrom alembic import context\nfrom sqlalchemy import create_engine\n"
            "with create_engine(os.environ['DATABASE_URL']).connect() as c:\n"
            "    context.configure(connection=c)\n"
            "    with context.begin_transaction():\n"
            "        context.run_migrations()\n");
  auto revision = [&](const std::string& id, const std::string& down, const std::string& up,
                      const std::string& downgrade) {
    dir.write("p/versions/" + id + ".py",
              "from alembic import op\nimport sqlalchemy as sa\nrevision = '" + id +
                  "'\ndown_revision = " + down + "\ndef upgrade():\n    " + up +
                  "\ndef downgrade():\n    " + downgrade + "\n");
  };
  revision("a1", "None", "op.create_table('t', sa.Column('id', sa.Integer))", "op.drop_table('t')");
  revision("a2", "'a1'", slow, "pass");
  revision("a3", "'a2'", "op.add_column('t', sa.Column('c', sa.Integer, nullable=False))",
           "op.drop_column('t', 'c')");
}

// --- the server killed mid-run ---------------------------------------------------------------

// SIGKILL of the postmaster while a migration runs: one roundtrip-aborted finding on that
// statement, the static findings of every migration, exit code 3, and no process or directory
// left (the backends outlive a killed postmaster: miglint kills them).
void kill_the_server_mid_run(bool alembic) {
  TempDir dir;
  TempDir tmp;
  TempDir logs;
  open_to_everyone(tmp.path());
  const Reaper reaper{tmp.path()};
  const std::string slow = "SELECT pg_sleep(600)";
  if (alembic) {
    write_alembic_history(dir, "op.execute('" + slow + "')");
  } else {
    write_sql_history(dir, slow + ";");
  }
  Child run;
  spawn_miglint(run, {"check", "--round-trip", "--format", "json", alembic ? "p" : "m"}, dir.path(),
                tmp.path(), logs);
  const fs::path cluster = wait_for_statement(tmp.path(), "pg_sleep(600)");
  ASSERT_FALSE(cluster.empty()) << "the round-trip did not reach the slow statement: "
                                << read_all(run.err);
  const pid_t postmaster = postmaster_of(cluster);
  ASSERT_GT(postmaster, 0);
  ASSERT_EQ(::kill(postmaster, SIGKILL), 0);

  EXPECT_EQ(wait_for(run), 3) << read_all(run.err);
  const std::string err = read_all(run.err);
  const auto doc = nlohmann::json::parse(read_all(run.out), nullptr, false);
  ASSERT_FALSE(doc.is_discarded()) << "the report is written: " << read_all(run.out) << err;
  const std::string slow_migration = alembic ? "a2" : "002";
  const std::string later = alembic ? "a3" : "003";
  const auto aborted = findings_of(doc, "roundtrip-aborted");
  ASSERT_EQ(aborted.size(), 1u) << doc.dump(2);
  EXPECT_EQ((*aborted[0])["migration"], slow_migration);
  EXPECT_EQ((*aborted[0])["file"], alembic ? "p/versions/a2.py" : "m/002_slow.up.sql");
  EXPECT_EQ((*aborted[0])["line"], alembic ? 6 : 2);
  EXPECT_NE(message_of(aborted[0])
                .find("postmaster pid " + std::to_string(postmaster) +
                      ") was killed by signal 9 (SIGKILL), during the upgrade "
                      "of " +
                      slow_migration),
            std::string::npos)
      << message_of(aborted[0]);
  EXPECT_TRUE(findings_of(doc, "roundtrip-upgrade-failed").empty()) << doc.dump(2);
  EXPECT_TRUE(has(doc, "add-column-not-null-no-default", later)) << "static findings: " << doc;
  EXPECT_NE(err.find("the round-trip stopped early: "), std::string::npos) << err;
  EXPECT_EQ(err.find("the round-trip failed"), std::string::npos) << err;
  EXPECT_TRUE(entries_of(tmp.path()).empty()) << "left in TMPDIR: " << entries_of(tmp.path())[0];
  const auto left = processes_in(tmp.path());
  EXPECT_TRUE(left.empty()) << "left running: " << left.front();
}

TEST(RoundTripFaults, ServerKilledDuringASqlMigration) {
  kill_the_server_mid_run(false);
}

TEST(RoundTripFaults, ServerKilledDuringAnAlembicRevision) {
  kill_the_server_mid_run(true);
}

// --- a full disk ---------------------------------------------------------------------------------

// Unmounts a tmpfs at the end of the test.
struct Mount {
  fs::path at;
  bool mounted = false;
  ~Mount() {
    if (mounted) {
      ::umount2(at.c_str(), MNT_DETACH);
    }
  }
};

uintmax_t size_of(const fs::path& dir) {
  uintmax_t total = 0;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (e.is_regular_file()) {
      total += e.file_size();
    }
  }
  return total;
}

// TMPDIR on a tmpfs with room for the cluster and a little more: a migration that writes 100 MB
// fills it. The server stops with a PANIC (its WAL cannot grow) or the statement fails with
// disk_full; either way one roundtrip-aborted finding names the full directory.
TEST(RoundTripFaults, DiskFullUnderTheCluster) {
  if (!core::running_as_root()) {
    GTEST_SKIP() << "mounting a small tmpfs as TMPDIR needs root (CI runs as root)";
  }
  // A warm cache on the ordinary disk, so the run only copies the cluster into TMPDIR.
  TempDir cache;
  ServerOptions o;
  o.provider = "local";
  o.cache_dir = (cache.path() / "miglint").string();
  {
    Started warm = start_server(o);
    ASSERT_NE(warm.server, nullptr) << warm.error;
  }
  fs::path cluster;
  for (const auto& e : fs::directory_iterator(o.cache_dir)) {
    cluster = e.path();
  }
  const uintmax_t room = size_of(cluster) + (12u << 20);

  TempDir dir;
  TempDir base;
  TempDir logs;
  open_to_everyone(base.path());
  Mount small{base.path() / "small"};
  fs::create_directories(small.at);
  const std::string options = "size=" + std::to_string(room) + ",mode=1777";
  if (::mount("tmpfs", small.at.c_str(), "tmpfs", 0, options.c_str()) != 0) {
    GTEST_SKIP() << "cannot mount a tmpfs here (" << std::strerror(errno)
                 << "): the container lacks CAP_SYS_ADMIN";
  }
  small.mounted = true;
  const Reaper reaper{small.at};
  write_sql_history(dir, "INSERT INTO t SELECT g FROM generate_series(1, 3000000) g;");
  Child run;
  spawn_miglint(run, {"check", "--round-trip", "--format", "json", "m"}, dir.path(), small.at, logs,
                {"XDG_CACHE_HOME=" + cache.path().string()});
  EXPECT_EQ(wait_for(run), 3) << read_all(run.err);
  const std::string err = read_all(run.err);
  const auto doc = nlohmann::json::parse(read_all(run.out), nullptr, false);
  ASSERT_FALSE(doc.is_discarded()) << "the report is written: " << read_all(run.out) << err;
  const auto aborted = findings_of(doc, "roundtrip-aborted");
  ASSERT_EQ(aborted.size(), 1u) << doc.dump(2) << err;
  const std::string message = message_of(aborted[0]);
  EXPECT_EQ((*aborted[0])["migration"], "002");
  EXPECT_EQ((*aborted[0])["file"], "m/002_slow.up.sql");
  EXPECT_EQ((*aborted[0])["line"], 2);
  EXPECT_NE(message.find("ran out of disk space in " + small.at.string() + "/miglint-pg-"),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("No space left on device"), std::string::npos) << message;
  EXPECT_TRUE(findings_of(doc, "roundtrip-upgrade-failed").empty()) << doc.dump(2);
  EXPECT_TRUE(has(doc, "add-column-not-null-no-default", "003")) << "static findings: " << doc;
  EXPECT_TRUE(entries_of(small.at).empty()) << "left in TMPDIR: " << entries_of(small.at)[0];
  const auto left = processes_in(small.at);
  EXPECT_TRUE(left.empty()) << "left running: " << left.front();
}

// --- the Alembic driver killed ----------------------------------------------------------------

TEST(RoundTripFaults, AlembicDriverKilled) {
  TempDir dir;
  TempDir tmp;
  TempDir logs;
  open_to_everyone(tmp.path());
  const Reaper reaper{tmp.path()};
  write_alembic_history(dir, "op.execute('SELECT pg_sleep(600)')");
  Child run;
  spawn_miglint(run, {"check", "--round-trip", "--format", "json", "p"}, dir.path(), tmp.path(),
                logs);
  ASSERT_FALSE(wait_for_statement(tmp.path(), "pg_sleep(600)").empty()) << read_all(run.err);
  pid_t driver = -1;
  for (const auto& e : fs::directory_iterator("/proc")) {
    const std::string pid = e.path().filename().string();
    const std::string cmd = cmdline(pid);
    if (cmd.find("miglint_alembic_driver.py") != std::string::npos &&
        cmd.find(tmp.path().string()) != std::string::npos) {
      driver = static_cast<pid_t>(std::stol(pid));
    }
  }
  ASSERT_GT(driver, 0) << "no driver process";
  ASSERT_EQ(::kill(driver, SIGKILL), 0);

  EXPECT_EQ(wait_for(run), 3) << read_all(run.err);
  const std::string err = read_all(run.err);
  const auto doc = nlohmann::json::parse(read_all(run.out), nullptr, false);
  ASSERT_FALSE(doc.is_discarded()) << "the report is written: " << read_all(run.out) << err;
  const auto aborted = findings_of(doc, "roundtrip-aborted");
  ASSERT_EQ(aborted.size(), 1u) << doc.dump(2);
  EXPECT_EQ((*aborted[0])["migration"], "a2");
  EXPECT_EQ((*aborted[0])["file"], "p/versions/a2.py");
  EXPECT_NE(message_of(aborted[0]).find("the Alembic driver (Python "), std::string::npos)
      << message_of(aborted[0]);
  EXPECT_NE(message_of(aborted[0])
                .find("pid " + std::to_string(driver) +
                      ") was killed by signal 9 (SIGKILL), during the upgrade "
                      "of a2"),
            std::string::npos)
      << message_of(aborted[0]);
  EXPECT_TRUE(findings_of(doc, "roundtrip-upgrade-failed").empty()) << doc.dump(2);
  EXPECT_TRUE(has(doc, "add-column-not-null-no-default", "a3")) << "static findings: " << doc;
  EXPECT_TRUE(entries_of(tmp.path()).empty()) << "left in TMPDIR: " << entries_of(tmp.path())[0];
  const auto left = processes_in(tmp.path());
  EXPECT_TRUE(left.empty()) << "left running: " << left.front();
}

// --- a statement that never ends ---------------------------------------------------------------
// The timeout is 5 s: the other statements (milliseconds each) stay far below it even on a
// loaded machine; the waiting one never ends without it.

// A migration that lifts its own statement_timeout and waits forever is cancelled after the
// round-trip's statement timeout (here from the configuration): one failure on that statement,
// and the next migrations run.
TEST(RoundTripFaults, StatementPastTheTimeoutIsCancelled) {
  TempDir dir;
  TempDir tmp;
  TempDir logs;
  open_to_everyone(tmp.path());
  const Reaper reaper{tmp.path()};
  dir.write("miglint.toml", "[round-trip]\nstatement-timeout = \"5s\"\n");
  dir.write("m/001_t.up.sql", "CREATE TABLE t (id int);\n");
  dir.write("m/001_t.down.sql", "DROP TABLE t;\n");
  dir.write("m/002_wait.up.sql", "SET statement_timeout = 0;\nSELECT pg_sleep(3600);\n");
  dir.write("m/002_wait.down.sql", "SELECT 1;\n");
  dir.write("m/003_c.up.sql",
            "SET lock_timeout = '1s';\nALTER TABLE t ADD COLUMN c int NOT NULL;\n");
  dir.write("m/003_c.down.sql", "ALTER TABLE t DROP COLUMN c;\n");
  Child run;
  spawn_miglint(run, {"check", "--round-trip", "--format", "json", "m"}, dir.path(), tmp.path(),
                logs);
  EXPECT_EQ(wait_for(run), 1) << read_all(run.err);
  const std::string err = read_all(run.err);
  const auto doc = nlohmann::json::parse(read_all(run.out), nullptr, false);
  ASSERT_FALSE(doc.is_discarded()) << read_all(run.out) << err;
  const auto failed = findings_of(doc, "roundtrip-upgrade-failed");
  ASSERT_EQ(failed.size(), 1u) << doc.dump(2);
  EXPECT_EQ((*failed[0])["migration"], "002");
  EXPECT_EQ((*failed[0])["line"], 2);
  EXPECT_NE(message_of(failed[0]).find("the statement ran longer than the round-trip's statement "
                                       "timeout (5 s, --statement-timeout) and was cancelled"),
            std::string::npos)
      << message_of(failed[0]);
  EXPECT_TRUE(findings_of(doc, "roundtrip-aborted").empty()) << doc.dump(2);
  EXPECT_TRUE(has(doc, "add-column-not-null-no-default", "003")) << doc;
  EXPECT_NE(err.find("round-trip stepped 3 migrations"), std::string::npos) << err;
  EXPECT_TRUE(entries_of(tmp.path()).empty()) << "left in TMPDIR: " << entries_of(tmp.path())[0];
}

// The same in an Alembic revision: a statement that waits is cancelled (the driver reports it on
// its line, and the history goes on); Python that waits is stopped with the driver, on the line
// where it waited, and the history ends there.
TEST(RoundTripFaults, AlembicRevisionPastTheTimeout) {
  TempDir dir;
  TempDir tmp;
  TempDir logs;
  open_to_everyone(tmp.path());
  const Reaper reaper{tmp.path()};
  write_alembic_history(dir, "op.execute('SET statement_timeout = 0')\n"
                             "    op.execute('SELECT pg_sleep(3600)')");
  Child sql;
  spawn_miglint(sql,
                {"check", "--round-trip", "--format", "json", "--statement-timeout", "5s", "p"},
                dir.path(), tmp.path(), logs);
  EXPECT_EQ(wait_for(sql), 1) << read_all(sql.err);
  auto doc = nlohmann::json::parse(read_all(sql.out), nullptr, false);
  ASSERT_FALSE(doc.is_discarded()) << read_all(sql.out) << read_all(sql.err);
  auto failed = findings_of(doc, "roundtrip-upgrade-failed");
  ASSERT_EQ(failed.size(), 1u) << doc.dump(2);
  EXPECT_EQ((*failed[0])["migration"], "a2");
  EXPECT_EQ((*failed[0])["line"], 7);
  EXPECT_NE(message_of(failed[0]).find("statement timeout (5 s, --statement-timeout) and was "
                                       "cancelled"),
            std::string::npos)
      << message_of(failed[0]);
  EXPECT_NE(read_all(sql.err).find("round-trip stepped 3 migrations"), std::string::npos)
      << read_all(sql.err);

  write_alembic_history(dir, "import time\n    time.sleep(3600)");
  Child python;
  spawn_miglint(python,
                {"check", "--round-trip", "--format", "json", "--statement-timeout", "5s", "p"},
                dir.path(), tmp.path(), logs);
  EXPECT_EQ(wait_for(python), 1) << read_all(python.err);
  doc = nlohmann::json::parse(read_all(python.out), nullptr, false);
  ASSERT_FALSE(doc.is_discarded()) << read_all(python.out) << read_all(python.err);
  failed = findings_of(doc, "roundtrip-upgrade-failed");
  ASSERT_EQ(failed.size(), 1u) << doc.dump(2);
  EXPECT_EQ((*failed[0])["migration"], "a2");
  EXPECT_EQ((*failed[0])["line"], 7) << "the line where the Python waits";
  EXPECT_NE(message_of(failed[0]).find("did not return within the round-trip's statement "
                                       "timeout (5 s, --statement-timeout)"),
            std::string::npos)
      << message_of(failed[0]);
  EXPECT_NE(message_of(failed[0]).find("the migrations after a2 were not run"), std::string::npos)
      << message_of(failed[0]);
  EXPECT_TRUE(findings_of(doc, "roundtrip-aborted").empty()) << doc.dump(2);
  EXPECT_TRUE(has(doc, "add-column-not-null-no-default", "a3")) << doc;
  EXPECT_TRUE(entries_of(tmp.path()).empty()) << "left in TMPDIR: " << entries_of(tmp.path())[0];
  const auto left = processes_in(tmp.path());
  EXPECT_TRUE(left.empty()) << "left running: " << left.front();
  EXPECT_TRUE(processes_in(dir.path()).empty()) << "the driver was stopped";
}

TEST(RoundTripFaults, StatementTimeoutMustBeADuration) {
  TempDir dir;
  dir.write("m/001_t.up.sql", "CREATE TABLE t (id int);\n");
  const auto r =
      test::run_miglint("check --round-trip --statement-timeout soon m", dir.path().string());
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_NE(r.out.find("a duration such as 30s or 5min"), std::string::npos) << r.out;
}

// --- a cluster left by a miglint that was killed ----------------------------------------------

// SIGKILL of miglint leaves its cluster running (the postmaster is a session of its own) and
// its directory; the next run stops that postmaster and its backends and removes the directory.
TEST(RoundTripFaults, ClusterOfAKilledRunIsSweptByTheNext) {
  TempDir dir;
  TempDir tmp;
  TempDir logs;
  open_to_everyone(tmp.path());
  const Reaper reaper{tmp.path()};
  write_sql_history(dir, "SELECT pg_sleep(600);");
  Child killed;
  spawn_miglint(killed, {"check", "--round-trip", "m"}, dir.path(), tmp.path(), logs);
  const fs::path cluster = wait_for_statement(tmp.path(), "pg_sleep(600)");
  ASSERT_FALSE(cluster.empty()) << read_all(killed.err);
  ::kill(killed.pid, SIGKILL);
  EXPECT_EQ(wait_for(killed), 128 + SIGKILL);
  const pid_t postmaster = postmaster_of(cluster);
  ASSERT_EQ(::kill(postmaster, 0), 0) << "the killed run's postmaster runs on";
  ASSERT_FALSE(processes_in(cluster).empty());

  dir.write("q/001_u.up.sql", "CREATE TABLE u (id int);\n");
  dir.write("q/001_u.down.sql", "DROP TABLE u;\n");
  Child next;
  spawn_miglint(next, {"check", "--round-trip", "q"}, dir.path(), tmp.path(), logs);
  EXPECT_EQ(wait_for(next), 0) << read_all(next.err);
  const std::string err = read_all(next.err);
  EXPECT_NE(err.find("removed what a killed miglint left running: " + cluster.string()),
            std::string::npos)
      << err;
  EXPECT_FALSE(fs::exists(cluster));
  EXPECT_TRUE(entries_of(tmp.path()).empty()) << "left in TMPDIR: " << entries_of(tmp.path())[0];
  const auto left = processes_in(tmp.path());
  EXPECT_TRUE(left.empty()) << "left running: " << left.front();
}

// Only directories whose owner is gone are swept: not one whose owner runs, nor one without an
// owner file (another program's, or one being created).
TEST(RoundTripFaults, SweepTakesOnlyDirectoriesWhoseOwnerIsGone) {
  const core::TempDir mine("miglint-pg-");
  const fs::path tmp = fs::temp_directory_path();
  const std::string self = std::to_string(::getpid());
  const fs::path foreign = tmp / ("miglint-pg-foreign-" + self);
  const fs::path orphan = tmp / ("miglint-pg-orphan-" + self);
  fs::create_directories(foreign / "data");
  fs::create_directories(orphan / "data");
  std::ofstream(orphan / "miglint.owner") << "2147483646 12345\n"; // no such process
  const auto swept = sweep_orphaned_clusters();
  EXPECT_TRUE(fs::exists(mine.path()));
  EXPECT_TRUE(fs::exists(foreign));
  EXPECT_FALSE(fs::exists(orphan));
  EXPECT_EQ(std::count(swept.begin(), swept.end(), orphan.string()), 1);
  EXPECT_EQ(std::count(swept.begin(), swept.end(), mine.path()), 0);
  fs::remove_all(foreign);
  fs::remove_all(orphan);
}

} // namespace
} // namespace miglint::roundtrip
