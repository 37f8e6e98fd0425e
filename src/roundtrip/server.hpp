#pragma once

// The PostgreSQL the round-trip runs on: a throw-away local cluster, a Docker container, or an
// existing server. Whatever miglint starts or creates is removed by the Server's destructor,
// which also runs when a signal interrupts the run (see core/process.hpp).

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace miglint::roundtrip {

struct ServerOptions {
  std::string provider = "auto"; // auto | local | docker | url
  std::string database_url;      // for url: an existing server (its own database is not touched)
  // For local: directories holding initdb and postgres (--pg-bin, repeatable); empty: look in
  // PATH, `pg_config --bindir` and /usr/lib/postgresql/*/bin.
  std::vector<std::string> pg_bin;
  std::string docker = "docker"; // for docker: the executable
  // The PostgreSQL major the migrations are deployed to: local runs the binaries of that major
  // when it finds them (else the nearest, with a note); docker pulls that image tag; url notes a
  // server of another major.
  int pg_version = 15;
  std::string cache_dir; // for local: where the initdb'd template lives ("" = default)
  std::string debian_root = "/usr/lib/postgresql"; // for local: holds <major>/bin (tests)
};

class Server {
public:
  virtual ~Server() = default;
  // libpq connection string to the scratch database (never printed: it may hold a password).
  virtual std::string conninfo() const = 0;
  // The same as a SQLAlchemy URL (postgresql://...), for Alembic's env.py.
  virtual std::string sqlalchemy_url() const = 0;
  // The scratch database's name.
  virtual std::string database() const = 0;
  // libpq connection string to another database of the same server, to drop and create the
  // scratch database from.
  virtual std::string maintenance_conninfo() const = 0;
  // For people: "local PostgreSQL 15 (/usr/lib/postgresql/15/bin), cold start 1.2 s".
  virtual std::string description() const = 0;
  // Why the server can no longer serve the round-trip, "" while it can (it accepts a
  // connection). A local server says how its postmaster ended ("was killed by signal 9
  // (SIGKILL)", "exited with status 1") and the PANIC its log ends with; the others that they no
  // longer accept connections, with libpq's error. Asked by the engine when a step or a snapshot
  // fails in a way a migration does not explain (roundtrip/engine.hpp).
  virtual std::string failure();
  // Where the server keeps its data, for a message about a full disk: the local cluster's
  // directory (under TMPDIR), "the container's tmpfs", "the server's data directory".
  virtual std::string data_location() const = 0;
  // Said to the user when the server is not of ServerOptions::pg_version ("" when it is).
  const std::string& note() const { return m_note; }

protected:
  std::string m_note;
};

struct Started {
  std::unique_ptr<Server> server;
  std::string error; // what was tried and how to fix it, when server is null (exit code 3)
};

Started start_server(const ServerOptions& options);

// Clusters of the local provider left by a miglint that was killed before it could remove them
// (SIGKILL, the OOM killer): the temporary directories miglint-pg-* (and miglint-initdb-*,
// miglint-driver-*) whose owner process is gone (core::orphaned_temp_dirs). Every process still
// working in one (a postmaster and its backends, reparented to init) is killed, the postmaster's
// System V shared memory segment removed, and the directory deleted. Called by every local
// start; returns the cluster directories removed.
std::vector<std::string> sweep_orphaned_clusters();

// A directory of PostgreSQL server binaries, and the major its `postgres --version` reports.
struct ServerBinaries {
  std::string dir;
  int major = 0;
};

// Every directory holding initdb and postgres, in the order they are looked at: the --pg-bin
// directories as given; without them PATH, `pg_config --bindir`, then
// <debian_root>/*/bin, newest major first. The same binaries reached twice (a symbolic link in
// PATH) count once. `tried` receives where it looked, for an error message.
std::vector<ServerBinaries> find_server_binaries(const ServerOptions& options,
                                                 std::vector<std::string>& tried);

struct BinariesChoice {
  std::optional<ServerBinaries> binaries; // none: nothing of PostgreSQL 13 or newer was found
  std::string note;                       // why another major than `pg_version` was chosen
};

// The binaries to run: the first of major `pg_version`; else the nearest major (the newer on a
// tie) of 13 or newer, with a note saying which majors were found and that locks and errors may
// differ from the target's.
BinariesChoice choose_server_binaries(const std::vector<ServerBinaries>& found, int pg_version);

// "miglint_" + random letters: the scratch database name.
std::string scratch_database_name();

// Builds the `docker run` command line (exposed for tests).
std::vector<std::string> docker_run_command(const ServerOptions& options,
                                            const std::string& password);

} // namespace miglint::roundtrip
