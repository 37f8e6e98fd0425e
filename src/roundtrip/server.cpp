#include "roundtrip/server.hpp"

#include "core/percent_encode.hpp"
#include "core/process.hpp"

#include <climits>
#include <pqxx/pqxx>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <libpq-fe.h>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <stdexcept>
#include <sys/shm.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace miglint::roundtrip {
namespace fs = std::filesystem;

namespace {

std::string random_letters(size_t n) {
  static const char letters[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::random_device rd;
  std::mt19937_64 rng(rd());
  std::string out;
  for (size_t i = 0; i < n; ++i) {
    out += letters[rng() % (sizeof letters - 1)];
  }
  return out;
}

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) {
    s.pop_back();
  }
  return s;
}

std::string tail_of_file(const std::string& path, size_t max_lines = 8) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(in, line)) {
    lines.push_back(line);
  }
  std::string out;
  for (size_t i = lines.size() > max_lines ? lines.size() - max_lines : 0; i < lines.size(); ++i) {
    out += "    " + lines[i] + "\n";
  }
  return out;
}

// Connects until the server accepts connections, the child exits, or the time is up.
std::string wait_until_ready(const std::string& conninfo, core::Process* child, int seconds) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  std::string last;
  while (std::chrono::steady_clock::now() < deadline) {
    if (core::interrupted() != 0) {
      return "interrupted";
    }
    if (child != nullptr && !child->running()) {
      return "the server exited during start-up";
    }
    try {
      pqxx::connection c(conninfo);
      return {};
    } catch (const std::exception& e) {
      last = trim(e.what());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return "no connection after " + std::to_string(seconds) + " s: " + last;
}

// Quotes a value for a libpq key=value connection string.
std::string conn_value(const std::string& v) {
  std::string out = "'";
  for (char c : v) {
    if (c == '\'' || c == '\\') {
      out += '\\';
    }
    out += c;
  }
  return out + "'";
}

// The oldest server the round-trip runs on: dropping the scratch database with FORCE, and the
// snapshots' queries (MATERIALIZED, plan_cache_mode), need PostgreSQL 13.
constexpr int k_oldest_major = 13;

struct ServerTooOld : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Creates the scratch database; returns the server's major version.
int create_database(const std::string& maintenance_conninfo, const std::string& name) {
  pqxx::connection c(maintenance_conninfo);
  if (const int version = c.server_version(); version < k_oldest_major * 10000) {
    throw ServerTooOld("the server runs PostgreSQL " + std::to_string(version / 10000) + "." +
                       std::to_string(version % 10000) + "; the round-trip needs PostgreSQL " +
                       std::to_string(k_oldest_major) + " or newer");
  }
  pqxx::nontransaction n(c);
  n.exec("CREATE DATABASE " + c.quote_name(name));
  return c.server_version() / 10000;
}

// --- local: a throw-away cluster ---------------------------------------------------------------

// The System V shared memory segment of a postmaster that was killed (line 7 of postmaster.pid:
// "key shmid"; a postmaster that shuts down removes it itself), once nothing is attached to it.
void remove_shared_memory(const fs::path& data) {
  std::ifstream in(data / "postmaster.pid");
  std::string line;
  for (int i = 0; i < 7; ++i) {
    if (!std::getline(in, line)) {
      return;
    }
  }
  std::istringstream fields(line);
  unsigned long key = 0;
  long id = -1;
  if (!(fields >> key >> id) || id < 0) {
    return;
  }
  shmid_ds ds{};
  if (::shmctl(static_cast<int>(id), IPC_STAT, &ds) == 0 &&
      static_cast<unsigned long>(ds.shm_perm.__key) == key && ds.shm_nattch == 0) {
    ::shmctl(static_cast<int>(id), IPC_RMID, nullptr);
  }
}

// What is left of a cluster in `dir` (its data directory is dir/data): every process working
// there (a postmaster, backends that outlived a killed postmaster) and its shared memory.
void stop_cluster(const fs::path& dir) {
  if (dir.empty()) {
    return;
  }
  core::kill_processes_in(dir.string());
  remove_shared_memory(dir / "data");
}

// The last line of a server log that says why the server stopped: a PANIC ("could not write to
// file "pg_wal/xlogtemp.77": No space left on device"), or "" when there is none.
std::string last_panic(const std::string& log) {
  std::ifstream in(log);
  std::string line;
  std::string found;
  while (std::getline(in, line)) {
    if (const auto at = line.find("PANIC:  "); at != std::string::npos) {
      found = "PANIC: " + line.substr(at + 8);
    }
  }
  return found;
}

using BinDir = ServerBinaries;

std::optional<BinDir> probe_bin_dir(const fs::path& dir) {
  std::error_code ec;
  if (!fs::exists(dir / "initdb", ec) || !fs::exists(dir / "postgres", ec)) {
    return std::nullopt;
  }
  std::string out;
  if (core::run_command({(dir / "postgres").string(), "--version"}, out) != 0) {
    return std::nullopt;
  }
  // "postgres (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)"
  const auto paren = out.find(") ");
  const int major = paren == std::string::npos ? 0 : std::atoi(out.c_str() + paren + 2);
  return BinDir{dir.string(), major};
}

std::string list_majors(const std::vector<BinDir>& found) {
  std::string out;
  for (const auto& b : found) {
    out += (out.empty() ? "" : ", ") + std::to_string(b.major) + " (" + b.dir + ")";
  }
  return out;
}

} // namespace

std::vector<ServerBinaries> find_server_binaries(const ServerOptions& o,
                                                 std::vector<std::string>& tried) {
  std::vector<BinDir> found;
  std::set<std::string> seen; // the postgres binary each directory runs, links resolved
  auto add = [&](const fs::path& dir) {
    auto b = probe_bin_dir(dir);
    std::error_code ec;
    const std::string real = fs::weakly_canonical(dir / "postgres", ec).string();
    if (b && seen.insert(ec ? (dir / "postgres").string() : real).second) {
      found.push_back(*b);
    }
    return b.has_value();
  };
  if (!o.pg_bin.empty()) {
    for (const auto& dir : o.pg_bin) {
      tried.push_back("--pg-bin " + dir);
      add(dir);
    }
    return found;
  }
  if (const char* path = std::getenv("PATH")) {
    std::stringstream ss(path);
    std::string dir;
    while (std::getline(ss, dir, ':')) {
      std::error_code ec;
      if (!dir.empty() && fs::exists(fs::path(dir) / "initdb", ec)) {
        tried.push_back("PATH (" + dir + ")");
        add(dir);
      }
    }
    tried.push_back("PATH");
  }
  std::string out;
  if (core::run_command({"pg_config", "--bindir"}, out) == 0) {
    tried.push_back("pg_config --bindir (" + trim(out) + ")");
    add(trim(out));
  } else {
    tried.push_back("pg_config --bindir");
  }
  std::vector<BinDir> debian;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(o.debian_root, ec)) {
    if (auto b = probe_bin_dir(entry.path() / "bin")) {
      debian.push_back(*b);
    }
  }
  tried.push_back(o.debian_root + "/*/bin");
  std::sort(debian.begin(), debian.end(),
            [](const BinDir& a, const BinDir& b) { return a.major > b.major; });
  for (const auto& b : debian) {
    add(b.dir);
  }
  return found;
}

BinariesChoice choose_server_binaries(const std::vector<ServerBinaries>& found, int pg_version) {
  BinariesChoice out;
  for (const auto& b : found) {
    if (b.major == pg_version) {
      out.binaries = b;
      return out;
    }
  }
  for (const auto& b : found) {
    if (b.major < k_oldest_major) {
      continue;
    }
    const int distance = std::abs(b.major - pg_version);
    const int best = out.binaries ? std::abs(out.binaries->major - pg_version) : INT_MAX;
    if (distance < best || (distance == best && b.major > out.binaries->major)) {
      out.binaries = b;
    }
  }
  if (out.binaries) {
    out.note = "no PostgreSQL " + std::to_string(pg_version) +
               " server binaries found (--pg-version " + std::to_string(pg_version) +
               "); the round-trip runs on PostgreSQL " + std::to_string(out.binaries->major) +
               " (" + out.binaries->dir +
               "), whose locks, rewrites and errors may differ. Found: " + list_majors(found) +
               ". Install PostgreSQL " + std::to_string(pg_version) +
               "'s server or pass its directory with --pg-bin";
  }
  return out;
}

namespace {

fs::path default_cache_dir() {
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg != nullptr && *xdg != '\0') {
    return fs::path(xdg) / "miglint";
  }
  if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0') {
    return fs::path(home) / ".cache" / "miglint";
  }
  return fs::temp_directory_path() / "miglint-cache";
}

// The database the cached cluster holds for the round-trip, renamed on every start.
constexpr const char* k_cached_database = "miglint_scratch";

class LocalServer final : public Server {
public:
  ~LocalServer() override {
    m_process.reset(); // SIGQUIT: an immediate shutdown
    // A postmaster that was killed leaves its backends running (each a session leader of its
    // own) and its shared memory: they go before the directory does.
    stop_cluster(m_dir.path());
  }
  std::string conninfo() const override {
    return "host=" + conn_value(m_dir.path()) +
           " port=5432 user=postgres dbname=" + conn_value(m_database);
  }
  std::string sqlalchemy_url() const override {
    return "postgresql://postgres@/" + m_database + "?host=" + core::percent_encode(m_dir.path()) +
           "&port=5432";
  }
  std::string database() const override { return m_database; }
  std::string maintenance_conninfo() const override { return maintenance(); }
  std::string description() const override { return m_description; }
  std::string data_location() const override {
    return m_dir.path() + " (the cluster's directory, under TMPDIR)";
  }

  std::string failure() override {
    if (!m_process) {
      return "the local PostgreSQL server is not running";
    }
    if (m_process->running()) {
      std::string error;
      try {
        pqxx::connection c(maintenance() + " connect_timeout=5");
        return {};
      } catch (const std::exception& e) {
        error = trim(e.what());
      }
      // A postmaster that was killed closes its files a moment before it can be reaped.
      for (int waited = 0; waited < 2000 && m_process->running(); waited += 10) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
      if (m_process->running()) {
        return "the local PostgreSQL server (pid " + std::to_string(m_process->pid()) +
               ") no longer accepts connections: " + error;
      }
    }
    std::string what = "the local PostgreSQL server (postmaster pid " + std::to_string(m_pid) +
                       ") " + m_process->exit_description();
    if (const std::string panic = last_panic(m_dir.path() + "/server.log"); !panic.empty()) {
      what += " after " + panic;
    }
    return what;
  }

  static Started start(const ServerOptions& o) {
    // Clusters a killed miglint left behind go first: their postmasters hold memory and disk.
    const std::vector<std::string> swept = sweep_orphaned_clusters();
    std::vector<std::string> tried;
    const auto found = find_server_binaries(o, tried);
    BinariesChoice choice = choose_server_binaries(found, o.pg_version);
    auto& bin = choice.binaries;
    if (found.empty()) {
      std::string where;
      for (const auto& t : tried) {
        where += (where.empty() ? "" : ", ") + t;
      }
      return {nullptr, "no PostgreSQL server binaries (initdb, postgres) found; looked in " +
                           where +
                           ". Install them (Debian: apt-get install postgresql-15), pass --pg-bin "
                           "DIR, or use --postgres docker / --database-url URL"};
    }
    if (!bin) {
      return {nullptr, "the PostgreSQL servers found (" + list_majors(found) + ") are older than " +
                           std::to_string(k_oldest_major) +
                           ", which the round-trip needs: install a newer one (Debian: apt-get "
                           "install postgresql-15) or pass --pg-bin DIR"};
    }
    const auto user = core::postgres_user_if_root();
    if (core::running_as_root() && !user) {
      return {nullptr,
              "miglint runs as root, and initdb refuses to; there is no `postgres` user to "
              "run the server as. Run miglint as another user, create a `postgres` user, "
              "or use --database-url URL"};
    }
    auto server = std::unique_ptr<LocalServer>(new LocalServer(core::TempDir("miglint-pg-")));
    if (!server->m_dir.ok()) {
      return {nullptr, "cannot create a temporary directory for the server"};
    }
    const auto started = std::chrono::steady_clock::now();
    bool warm = false;
    if (std::string error = server->prepare_data(*bin, user, o, warm); !error.empty()) {
      return {nullptr, error};
    }
    if (std::string error = server->run(*bin, user); !error.empty()) {
      return {nullptr, error};
    }
    server->m_database = scratch_database_name();
    try {
      // A name of its own per run, as on other servers (an env.py that connects elsewhere is
      // told apart by it).
      pqxx::connection c(server->maintenance());
      pqxx::nontransaction(c).exec("ALTER DATABASE " + std::string(k_cached_database) +
                                   " RENAME TO " + c.quote_name(server->m_database));
    } catch (const std::exception& e) {
      return {nullptr, "cannot prepare the scratch database: " + trim(e.what())};
    }
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    std::ostringstream d;
    d.precision(2);
    d << std::fixed << "local PostgreSQL " << bin->major << " (" << bin->dir << "), "
      << (warm ? "warm" : "cold") << " start " << seconds << " s";
    for (size_t i = 0; i < swept.size(); ++i) {
      d << (i == 0 ? "; removed what a killed miglint left running: " : ", ") << swept[i];
    }
    server->m_description = d.str();
    server->m_note = choice.note;
    return {std::move(server), {}};
  }

private:
  explicit LocalServer(core::TempDir dir) : m_dir(std::move(dir)) {}

  // The cluster holds template1 and the scratch database only (see prepare_data).
  std::string maintenance() const {
    return "host=" + conn_value(m_dir.path()) + " port=5432 user=postgres dbname=template1";
  }

  // The data directory: a copy of the cached cluster, initdb'd once per server version, with the
  // scratch database already in it.
  std::string prepare_data(const BinDir& bin, const std::optional<core::RunAs>& user,
                           const ServerOptions& o, bool& warm) {
    const fs::path cache = (o.cache_dir.empty() ? default_cache_dir() : fs::path(o.cache_dir)) /
                           ("cluster-pg" + std::to_string(bin.major));
    const fs::path data = fs::path(m_dir.path()) / "data";
    std::error_code ec;
    warm = fs::exists(cache / "PG_VERSION", ec);
    if (!warm) {
      core::TempDir init("miglint-initdb-");
      if (user && !init.chown_to(*user)) {
        return "cannot give " + init.path() + " to the postgres user";
      }
      std::string out;
      const fs::path target = fs::path(init.path()) / "data";
      const int rc =
          core::run_command({(fs::path(bin.dir) / "initdb").string(), "-D", target.string(), "-U",
                             "postgres", "--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync"},
                            out, user);
      if (rc != 0) {
        return "initdb failed (exit " + std::to_string(rc) + "):\n" + out;
      }
      // The scratch database is made once, here, in single-user mode: creating one costs a
      // tenth of a second or more on every start; renaming it, nothing (see start()). Every
      // start copies the cluster, at a cost per file (a database is 300 of them): the
      // `postgres` and template0 databases, which the round-trip does not use, are dropped.
      const std::string commands = "CREATE DATABASE " + std::string(k_cached_database) +
                                   "\nDROP DATABASE postgres\n"
                                   "ALTER DATABASE template0 IS_TEMPLATE false\n"
                                   "DROP DATABASE template0\n";
      const int created = core::run_command(
          {"sh", "-c", "printf '" + commands + "' | exec \"$0\" --single -D \"$1\" template1",
           (fs::path(bin.dir) / "postgres").string(), target.string()},
          out, user);
      if (created != 0) {
        return "cannot create the scratch database in the new cluster (exit " +
               std::to_string(created) + "):\n" + out;
      }
      // Publish the template atomically, so concurrent runs never see half of it.
      const fs::path staging = cache.string() + ".tmp-" + random_letters(6);
      fs::create_directories(cache.parent_path(), ec);
      fs::copy(target, staging, fs::copy_options::recursive, ec);
      if (!ec) {
        fs::rename(staging, cache, ec);
      }
      fs::remove_all(staging, ec);
      // Earlier versions cached a cluster without the scratch database under this name.
      fs::remove_all(cache.parent_path() / ("template-pg" + std::to_string(bin.major)), ec);
      fs::copy(target, data, fs::copy_options::recursive, ec);
    } else {
      fs::copy(cache, data, fs::copy_options::recursive, ec);
    }
    if (ec) {
      return "cannot prepare the data directory " + data.string() + ": " + ec.message();
    }
    fs::permissions(data, fs::perms::owner_all, ec);
    if (user && !m_dir.chown_to(*user)) {
      return "cannot give " + m_dir.path() + " to the postgres user";
    }
    return {};
  }

  std::string run(const BinDir& bin, const std::optional<core::RunAs>& user) {
    core::SpawnOptions options;
    options.user = user;
    options.log_file = m_dir.path() + "/server.log";
    options.stop_signal = 3; // SIGQUIT: immediate shutdown, the data is thrown away anyway
    std::string error;
    auto child = core::Process::spawn(
        {(fs::path(bin.dir) / "postgres").string(), "-D", m_dir.path() + "/data", "-k",
         m_dir.path(), "-c", "listen_addresses=", "-c", "port=5432", "-c", "fsync=off", "-c",
         "synchronous_commit=off", "-c", "full_page_writes=off", "-c", "max_connections=20", "-c",
         "max_locks_per_transaction=256",
         // A backend that crashes (a PANIC on a full disk) ends the server rather than
         // restarting it under the run with its connections gone: the engine reports it once.
         "-c", "restart_after_crash=off"},
        options, error);
    if (!child) {
      return "cannot start postgres: " + error;
    }
    m_process = std::move(*child);
    m_pid = m_process->pid();
    if (std::string wait = wait_until_ready(maintenance(), &*m_process, 60); !wait.empty()) {
      return "the local PostgreSQL did not start (" + wait + "); its log:\n" +
             tail_of_file(m_dir.path() + "/server.log");
    }
    return {};
  }

  core::TempDir m_dir;                    // data directory, socket and log: removed last
  std::optional<core::Process> m_process; // stopped first (declared after m_dir)
  pid_t m_pid = -1;                       // the postmaster's, for messages
  std::string m_database;
  std::string m_description;
};

// --- url: an existing server -----------------------------------------------------------------

class UrlServer final : public Server {
public:
  ~UrlServer() override {
    try {
      pqxx::connection c(m_maintenance);
      pqxx::nontransaction n(c);
      n.exec("DROP DATABASE IF EXISTS " + c.quote_name(m_database) + " WITH (FORCE)");
    } catch (const std::exception&) {
      // Nothing more can be done; the name is printed in the description.
    }
  }
  std::string conninfo() const override { return m_scratch; }
  std::string maintenance_conninfo() const override { return m_maintenance; }
  std::string sqlalchemy_url() const override { return m_sqlalchemy; }
  std::string database() const override { return m_database; }
  std::string description() const override { return m_description; }
  std::string data_location() const override { return "the server's data directory"; }

  static Started start(const ServerOptions& o) {
    if (o.database_url.empty()) {
      return {nullptr, "--postgres url needs --database-url URL or DATABASE_URL"};
    }
    char* err = nullptr;
    PQconninfoOption* opts = PQconninfoParse(o.database_url.c_str(), &err);
    if (opts == nullptr) {
      std::string message = err ? trim(err) : std::string("cannot parse it");
      PQfreemem(err);
      return {nullptr, "invalid database URL: " + message};
    }
    std::map<std::string, std::string> kv;
    for (PQconninfoOption* p = opts; p->keyword != nullptr; ++p) {
      if (p->val != nullptr && *p->val != '\0') {
        kv[p->keyword] = p->val;
      }
    }
    PQconninfoFree(opts);
    auto server = std::unique_ptr<UrlServer>(new UrlServer());
    server->m_database = scratch_database_name();
    auto build = [&](const std::string& db) {
      std::string s;
      for (const auto& [k, v] : kv) {
        if (k != "dbname") {
          s += k + "=" + conn_value(v) + " ";
        }
      }
      return s + "dbname=" + conn_value(db);
    };
    server->m_maintenance = build(kv.contains("dbname") ? kv.at("dbname") : "postgres");
    server->m_scratch = build(server->m_database);
    std::string url = "postgresql://";
    if (kv.contains("user")) {
      url += core::percent_encode(kv.at("user"));
      if (kv.contains("password")) {
        url += ":" + core::percent_encode(kv.at("password"));
      }
      url += "@";
    }
    const std::string host = kv.contains("host") ? kv.at("host") : "";
    const bool socket = !host.empty() && host[0] == '/';
    if (!socket) {
      url += host;
      if (kv.contains("port")) {
        url += ":" + kv.at("port");
      }
    }
    url += "/" + server->m_database;
    std::string query;
    if (socket) {
      query += "host=" + core::percent_encode(host) +
               (kv.contains("port") ? "&port=" + kv.at("port") : "");
    }
    if (kv.contains("sslmode")) {
      query += (query.empty() ? "" : "&") + std::string("sslmode=") + kv.at("sslmode");
    }
    server->m_sqlalchemy = url + (query.empty() ? "" : "?" + query);
    server->m_description = "PostgreSQL at " + (host.empty() ? std::string("localhost") : host) +
                            (kv.contains("port") ? ":" + kv.at("port") : "") +
                            ", scratch database " + server->m_database;
    int major = 0;
    try {
      major = create_database(server->m_maintenance, server->m_database);
    } catch (const pqxx::sql_error& e) {
      server->m_database.clear();
      if (e.sqlstate() == "42501" ||
          std::string(e.what()).find("permission denied to create database") != std::string::npos) {
        return {nullptr, "the database URL's role may not create databases: miglint works in a "
                         "scratch database it creates and drops. Grant CREATEDB, or use another "
                         "role"};
      }
      return {nullptr, "cannot create the scratch database: " + trim(e.what())};
    } catch (const ServerTooOld& e) {
      server->m_database.clear();
      return {nullptr, e.what()};
    } catch (const std::exception& e) {
      server->m_database.clear();
      return {nullptr, "cannot connect to the database URL's server: " + trim(e.what())};
    }
    if (major != o.pg_version) {
      server->m_note = "the database URL's server runs PostgreSQL " + std::to_string(major) +
                       ", not " + std::to_string(o.pg_version) +
                       " (--pg-version): its locks, rewrites and errors may differ";
    }
    return {std::move(server), {}};
  }

private:
  UrlServer() = default;
  std::string m_maintenance;
  std::string m_scratch;
  std::string m_sqlalchemy;
  std::string m_database;
  std::string m_description;
};

// --- docker: a postgres container ----------------------------------------------------------------

// This host's name: containers carry it, so that a Docker engine shared by several machines
// (DOCKER_HOST) only sees each sweep its own.
std::string host_name() {
  std::array<char, 256> name{};
  return ::gethostname(name.data(), name.size() - 1) == 0 ? std::string(name.data()) : "";
}

// Removes the round-trip containers (label miglint=round-trip) that a miglint on this host
// started and that outlived it (SIGKILL, the OOM killer: `--rm` acts only when the container
// stops). Returns how many. Containers of runs still going, of other hosts, or without an owner
// label are left alone; a docker that cannot list them removes nothing.
size_t sweep_orphaned_containers(const std::string& docker) {
  std::string out;
  if (core::run_command({docker, "ps", "--all", "--filter", "label=miglint=round-trip", "--format",
                         "{{.ID}}\t{{.Label \"miglint.host\"}}\t{{.Label \"miglint.owner\"}}"},
                        out) != 0) {
    return 0;
  }
  const std::string host = host_name();
  size_t removed = 0;
  std::istringstream lines(out);
  for (std::string line; std::getline(lines, line);) {
    const auto tab1 = line.find('\t');
    const auto tab2 = tab1 == std::string::npos ? tab1 : line.find('\t', tab1 + 1);
    if (tab2 == std::string::npos) {
      continue;
    }
    const std::string id = line.substr(0, tab1);
    if (line.substr(tab1 + 1, tab2 - tab1 - 1) == host &&
        core::owner_token_gone(line.substr(tab2 + 1))) {
      std::string rm_out;
      removed += core::run_command({docker, "rm", "-f", id}, rm_out) == 0 ? 1 : 0;
    }
  }
  return removed;
}

class DockerServer final : public Server {
public:
  ~DockerServer() override {
    if (!m_container.empty()) {
      std::string out;
      core::run_command({m_docker, "rm", "-f", m_container}, out);
    }
  }
  std::string conninfo() const override { return m_conninfo; }
  std::string maintenance_conninfo() const override { return m_maintenance; }
  std::string sqlalchemy_url() const override { return m_sqlalchemy; }
  std::string database() const override { return m_database; }
  std::string description() const override { return m_description; }
  std::string data_location() const override {
    return "the container's data directory (a tmpfs: the Docker host's memory)";
  }

  static Started start(const ServerOptions& o) {
    if (o.pg_version < k_oldest_major) {
      return {nullptr, "--pg-version " + std::to_string(o.pg_version) +
                           ": the round-trip needs PostgreSQL " + std::to_string(k_oldest_major) +
                           " or newer (the Docker image postgres:" + std::to_string(o.pg_version) +
                           " is too old)"};
    }
    auto server = std::unique_ptr<DockerServer>(new DockerServer());
    server->m_docker = o.docker;
    const size_t swept = sweep_orphaned_containers(o.docker);
    const std::string password = random_letters(24);
    std::string out;
    const int rc = core::run_command(docker_run_command(o, password), out);
    if (rc != 0) {
      return {nullptr, "`" + o.docker + " run` failed (exit " + std::to_string(rc) +
                           "): " + trim(out) +
                           ". Is a Docker engine running? Otherwise use the local "
                           "provider or --database-url"};
    }
    server->m_container = trim(out.substr(out.find_last_of('\n', out.size() - 2) + 1));
    std::string port_out;
    if (core::run_command({o.docker, "port", server->m_container, "5432/tcp"}, port_out) != 0) {
      return {nullptr, "`" + o.docker + " port` failed: " + trim(port_out)};
    }
    // "127.0.0.1:49153" (possibly several lines)
    const std::string first = port_out.substr(0, port_out.find('\n'));
    const auto colon = first.rfind(':');
    if (colon == std::string::npos || std::atoi(first.c_str() + colon + 1) <= 0) {
      return {nullptr, "unexpected `" + o.docker + " port` output: " + trim(port_out)};
    }
    const std::string port = first.substr(colon + 1);
    const std::string base = "host=127.0.0.1 port=" + port +
                             " user=postgres password=" + conn_value(password) + " dbname=";
    server->m_maintenance = base + "postgres";
    if (std::string wait = wait_until_ready(server->m_maintenance, nullptr, 60); !wait.empty()) {
      return {nullptr, "the PostgreSQL container did not accept connections (" + wait + ")"};
    }
    server->m_database = scratch_database_name();
    try {
      create_database(server->m_maintenance, server->m_database);
    } catch (const std::exception& e) {
      return {nullptr, "cannot create the scratch database: " + trim(e.what())};
    }
    server->m_conninfo = base + conn_value(server->m_database);
    server->m_sqlalchemy =
        "postgresql://postgres:" + password + "@127.0.0.1:" + port + "/" + server->m_database;
    server->m_description = "PostgreSQL " + std::to_string(o.pg_version) + " in Docker container " +
                            server->m_container.substr(0, 12);
    if (swept > 0) {
      server->m_description += "; removed " + std::to_string(swept) + " container" +
                               (swept == 1 ? "" : "s") + " a killed miglint left running";
    }
    return {std::move(server), {}};
  }

private:
  DockerServer() = default;
  std::string m_docker;
  std::string m_container;
  std::string m_conninfo;
  std::string m_maintenance;
  std::string m_sqlalchemy;
  std::string m_database;
  std::string m_description;
};

bool binaries_available(const ServerOptions& o) {
  std::vector<std::string> tried;
  return !find_server_binaries(o, tried).empty();
}

} // namespace

std::string Server::failure() {
  try {
    pqxx::connection c(maintenance_conninfo() + " connect_timeout=5");
    return {};
  } catch (const std::exception& e) {
    return "the round-trip's PostgreSQL (" + description() +
           ") no longer accepts connections: " + trim(e.what());
  }
}

std::vector<std::string> sweep_orphaned_clusters() {
  std::vector<std::string> removed;
  for (const std::string prefix : {"miglint-pg-", "miglint-initdb-", "miglint-driver-"}) {
    for (const auto& dir : core::orphaned_temp_dirs(prefix)) {
      stop_cluster(dir);
      std::error_code ec;
      fs::remove_all(dir, ec);
      if (!ec && prefix == "miglint-pg-") {
        removed.push_back(dir);
      }
    }
  }
  return removed;
}

std::string scratch_database_name() {
  return "miglint_" + random_letters(10);
}

std::vector<std::string> docker_run_command(const ServerOptions& o, const std::string& password) {
  return {o.docker,
          "run",
          "--detach",
          "--rm",
          "--publish",
          "127.0.0.1::5432",
          "--env",
          "POSTGRES_PASSWORD=" + password,
          "--label",
          "miglint=round-trip",
          "--label",
          "miglint.host=" + host_name(),
          "--label",
          "miglint.owner=" + core::owner_token(),
          "--tmpfs",
          "/var/lib/postgresql/data",
          "postgres:" + std::to_string(o.pg_version),
          "-c",
          "fsync=off",
          "-c",
          "synchronous_commit=off",
          "-c",
          "full_page_writes=off"};
}

Started start_server(const ServerOptions& o) {
  std::string provider = o.provider;
  if (provider == "auto") {
    provider = !o.database_url.empty() ? "url" : binaries_available(o) ? "local" : "docker";
  }
  if (provider == "local") {
    return LocalServer::start(o);
  }
  if (provider == "url") {
    return UrlServer::start(o);
  }
  if (provider == "docker") {
    return DockerServer::start(o);
  }
  return {nullptr, "unknown --postgres provider `" + provider + "` (auto, local, docker, url)"};
}

} // namespace miglint::roundtrip
