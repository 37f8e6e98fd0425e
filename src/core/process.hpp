#pragma once

// Child processes and the cleanup that must happen even on Ctrl-C / SIGTERM.

#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

namespace miglint::core {

// A user to run a child as (miglint run as root must not run initdb/postgres as root).
struct RunAs {
  uid_t uid = 0;
  gid_t gid = 0;
  std::string name;
};
// The `postgres` system user, when miglint runs as root and it exists.
std::optional<RunAs> postgres_user_if_root();
bool running_as_root();

struct SpawnOptions {
  std::optional<RunAs> user;
  std::vector<std::string> env;  // extra KEY=VALUE entries
  std::string log_file;          // stdout and stderr go there ("" = /dev/null)
  bool pipe_stdin = false;       // keep a pipe to the child's stdin
  bool pipe_stdout = false;      // keep a pipe from the child's stdout (stderr to log_file)
  bool stderr_to_stdout = false; // with pipe_stdout: stderr goes to the same pipe
  int stop_signal = 15;          // sent by stop() and by the signal handler (SIGTERM)
};

// A running child process. Move-only; the destructor stops it (stop_signal, then SIGKILL after
// a grace period) and reaps it. Every live child is known to the signal handler.
class Process {
public:
  // Starts argv[0] (searched in PATH). nullopt, with `error` set, if it cannot be started.
  static std::optional<Process> spawn(const std::vector<std::string>& argv,
                                      const SpawnOptions& options, std::string& error);
  Process(Process&& other) noexcept;
  Process& operator=(Process&& other) noexcept;
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;
  ~Process();

  pid_t pid() const { return m_pid; }
  int stdin_fd() const { return m_stdin; }
  int stdout_fd() const { return m_stdout; }
  bool running();
  // Waits for the child to exit; returns its exit status (128 + signal when killed).
  int wait();
  // Sends the stop signal, waits up to `grace_ms`, then SIGKILL.
  void stop(int grace_ms = 5000);
  // How the child ended, once it has (running() returned false or wait() returned): "exited
  // with status 1", "was killed by signal 9 (SIGKILL)". Empty while it runs.
  std::string exit_description() const;

private:
  Process() = default;
  void release();

  pid_t m_pid = -1;
  int m_stdin = -1;
  int m_stdout = -1;
  int m_stop_signal = 15;
  std::optional<int> m_status;
  int m_term_signal = 0; // the signal that ended the child, 0 when it exited
};

// Runs a command to completion, capturing stdout and stderr together. Returns the exit status,
// or -1 if it could not be started.
int run_command(const std::vector<std::string>& argv, std::string& output,
                const std::optional<RunAs>& user = std::nullopt);

// A temporary directory removed (recursively) by the destructor and by the signal path. It holds
// an owner file (`miglint.owner`: the creating process's id, start time and PID namespace), so
// that a later run can tell the directories of a miglint killed before its destructors ran
// (SIGKILL, the OOM killer) from those of a run still going: see orphaned_temp_dirs().
class TempDir {
public:
  explicit TempDir(const std::string& prefix);
  TempDir(TempDir&& other) noexcept;
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir();
  const std::string& path() const { return m_path; }
  bool ok() const { return !m_path.empty(); }
  // Gives the directory (recursively) to another user, for a server run as `postgres`.
  bool chown_to(const RunAs& user) const;

private:
  std::string m_path;
};

// Directories of the system temporary directory (TMPDIR, else /tmp) whose name starts with
// `prefix` and whose owner file names a process that is gone: no process with that id, or one
// started at another time (the id was reused). Directories without an owner file, whose owner
// file cannot be read (another user's), or whose owner ran in another PID namespace (another
// container sharing the directory) are never listed: they may be another program's, one being
// created right now, or one whose owner cannot be seen from here.
std::vector<std::string> orphaned_temp_dirs(const std::string& prefix);

// This process as an owner file names it ("PID START-TIME PID-NAMESPACE"): for resources that
// outlive a SIGKILL elsewhere (a Docker container's label).
std::string owner_token();
// Whether the process an owner_token() names is gone (the rules of orphaned_temp_dirs: an
// unreadable token, or one from another PID namespace, is never gone).
bool owner_token_gone(const std::string& token);

// Kills (SIGKILL) every process whose working directory is `dir` or below it, other than this
// one, and waits up to 5 s until they are gone. PostgreSQL's processes all work in their data
// directory: this stops what is left of a cluster whose postmaster died or whose miglint was
// killed (backends are not in the postmaster's process group). Reads /proc (Linux); returns how
// many processes were signalled.
size_t kill_processes_in(const std::string& dir);

// "SIGKILL" for 9, ..., "signal N" for the others.
std::string signal_name(int sig);

// Installs SIGINT/SIGTERM/SIGHUP handlers: they stop every live child (postgres servers, the
// Alembic driver) so that blocked work fails and unwinds through the destructors above, then
// `interrupted()` reports the signal. A second signal exits at once after killing children.
// SIGPIPE is ignored: writing to a child that is gone fails with EPIPE.
void install_signal_handlers();
// The signal received (0 if none).
int interrupted();

} // namespace miglint::core
