#include "core/process.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <poll.h>
#include <pwd.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <utility>

namespace miglint::core {
namespace {

// Live children and the signal they are stopped with, readable from the signal handler (fixed
// slots of atomics: no allocation there).
constexpr size_t k_slots = 64;
std::array<std::atomic<pid_t>, k_slots> g_children{};
std::array<std::atomic<int>, k_slots> g_child_signals{};
std::atomic<int> g_signal{0};

void register_child(pid_t pid, int sig) {
  for (size_t i = 0; i < k_slots; ++i) {
    pid_t expected = 0;
    if (g_children[i].compare_exchange_strong(expected, pid)) {
      g_child_signals[i] = sig;
      return;
    }
  }
}

void unregister_child(pid_t pid) {
  for (auto& slot : g_children) {
    pid_t expected = pid;
    slot.compare_exchange_strong(expected, 0);
  }
}

extern "C" void on_signal(int sig) {
  const int previous = g_signal.exchange(sig);
  for (size_t i = 0; i < k_slots; ++i) {
    const pid_t pid = g_children[i].load();
    if (pid > 0) {
      ::kill(pid, previous != 0 ? SIGKILL : g_child_signals[i].load());
    }
  }
  if (previous != 0) {
    _exit(128 + sig); // a second signal: leave now
  }
}

} // namespace

bool running_as_root() {
  return ::geteuid() == 0;
}

std::optional<RunAs> postgres_user_if_root() {
  if (!running_as_root()) {
    return std::nullopt;
  }
  const passwd* pw = ::getpwnam("postgres");
  if (pw == nullptr) {
    return std::nullopt;
  }
  return RunAs{pw->pw_uid, pw->pw_gid, "postgres"};
}

std::optional<Process> Process::spawn(const std::vector<std::string>& argv,
                                      const SpawnOptions& options, std::string& error) {
  int in_pipe[2] = {-1, -1};
  int out_pipe[2] = {-1, -1};
  int err_pipe[2] = {-1, -1}; // reports exec failures
  if ((options.pipe_stdin && ::pipe2(in_pipe, O_CLOEXEC) != 0) ||
      (options.pipe_stdout && ::pipe2(out_pipe, O_CLOEXEC) != 0) ||
      ::pipe2(err_pipe, O_CLOEXEC) != 0) {
    error = std::string("pipe: ") + std::strerror(errno);
    return std::nullopt;
  }
  std::vector<char*> args;
  for (const auto& a : argv) {
    args.push_back(const_cast<char*>(a.c_str()));
  }
  args.push_back(nullptr);
  const pid_t pid = ::fork();
  if (pid < 0) {
    error = std::string("fork: ") + std::strerror(errno);
    return std::nullopt;
  }
  if (pid == 0) {
    // Child: only async-signal-safe calls from here on.
    ::signal(SIGINT, SIG_IGN); // the parent decides when children stop
    ::setpgid(0, 0);
    const int devnull = ::open("/dev/null", O_RDWR);
    int log = devnull;
    if (!options.log_file.empty()) {
      log = ::open(options.log_file.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    }
    ::dup2(options.pipe_stdin ? in_pipe[0] : devnull, 0);
    ::dup2(options.pipe_stdout ? out_pipe[1] : log, 1);
    ::dup2(options.pipe_stdout && options.stderr_to_stdout ? out_pipe[1] : log, 2);
    if (options.user) {
      if (::setgid(options.user->gid) != 0 || ::setuid(options.user->uid) != 0) {
        const int e = errno;
        (void)!::write(err_pipe[1], &e, sizeof e);
        _exit(127);
      }
    }
    for (const auto& kv : options.env) {
      ::putenv(const_cast<char*>(kv.c_str()));
    }
    ::execvp(args[0], args.data());
    const int e = errno;
    (void)!::write(err_pipe[1], &e, sizeof e);
    _exit(127);
  }
  ::close(err_pipe[1]);
  int child_errno = 0;
  const bool exec_failed =
      ::read(err_pipe[0], &child_errno, sizeof child_errno) == sizeof child_errno;
  ::close(err_pipe[0]);
  if (options.pipe_stdin) {
    ::close(in_pipe[0]);
  }
  if (options.pipe_stdout) {
    ::close(out_pipe[1]);
  }
  Process p;
  p.m_pid = pid;
  p.m_stdin = options.pipe_stdin ? in_pipe[1] : -1;
  p.m_stdout = options.pipe_stdout ? out_pipe[0] : -1;
  p.m_stop_signal = options.stop_signal;
  if (exec_failed) {
    p.wait();
    error = "cannot run " + argv[0] + ": " + std::strerror(child_errno);
    return std::nullopt;
  }
  register_child(pid, options.stop_signal);
  return p;
}

Process::Process(Process&& other) noexcept
    : m_pid(std::exchange(other.m_pid, -1)), m_stdin(std::exchange(other.m_stdin, -1)),
      m_stdout(std::exchange(other.m_stdout, -1)), m_stop_signal(other.m_stop_signal),
      m_status(other.m_status) {}

Process& Process::operator=(Process&& other) noexcept {
  if (this != &other) {
    release();
    m_pid = std::exchange(other.m_pid, -1);
    m_stdin = std::exchange(other.m_stdin, -1);
    m_stdout = std::exchange(other.m_stdout, -1);
    m_stop_signal = other.m_stop_signal;
    m_status = other.m_status;
  }
  return *this;
}

Process::~Process() {
  release();
}

void Process::release() {
  if (m_stdin >= 0) {
    ::close(m_stdin);
    m_stdin = -1;
  }
  if (m_pid > 0 && !m_status) {
    stop();
  }
  if (m_stdout >= 0) {
    ::close(m_stdout);
    m_stdout = -1;
  }
  m_pid = -1;
}

bool Process::running() {
  if (m_pid <= 0 || m_status) {
    return false;
  }
  int status = 0;
  const pid_t r = ::waitpid(m_pid, &status, WNOHANG);
  if (r == m_pid) {
    m_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    unregister_child(m_pid);
    return false;
  }
  return r == 0;
}

int Process::wait() {
  if (m_status) {
    return *m_status;
  }
  int status = 0;
  while (::waitpid(m_pid, &status, 0) < 0 && errno == EINTR) {
  }
  m_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  unregister_child(m_pid);
  return *m_status;
}

void Process::stop(int grace_ms) {
  if (!running()) {
    return;
  }
  ::kill(m_pid, m_stop_signal);
  for (int waited = 0; waited < grace_ms; waited += 10) {
    if (!running()) {
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ::kill(m_pid, SIGKILL);
  wait();
}

int run_command(const std::vector<std::string>& argv, std::string& output,
                const std::optional<RunAs>& user) {
  SpawnOptions options;
  options.user = user;
  options.pipe_stdout = true;
  options.stderr_to_stdout = true;
  std::string error;
  auto p = Process::spawn(argv, options, error);
  if (!p) {
    output = error;
    return -1;
  }
  std::array<char, 4096> buf{};
  ssize_t n = 0;
  while ((n = ::read(p->stdout_fd(), buf.data(), buf.size())) > 0 || (n < 0 && errno == EINTR)) {
    if (n > 0) {
      output.append(buf.data(), static_cast<size_t>(n));
    }
  }
  return p->wait();
}

TempDir::TempDir(const std::string& prefix) {
  std::string tmpl = (std::filesystem::temp_directory_path() / (prefix + "XXXXXX")).string();
  if (::mkdtemp(tmpl.data()) != nullptr) {
    m_path = tmpl;
  }
}

TempDir::TempDir(TempDir&& other) noexcept : m_path(std::exchange(other.m_path, {})) {}

TempDir::~TempDir() {
  if (!m_path.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(m_path, ec);
  }
}

bool TempDir::chown_to(const RunAs& user) const {
  std::error_code ec;
  if (::chown(m_path.c_str(), user.uid, user.gid) != 0) {
    return false;
  }
  for (auto it = std::filesystem::recursive_directory_iterator(m_path, ec);
       it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    if (::lchown(it->path().c_str(), user.uid, user.gid) != 0) {
      return false;
    }
  }
  return !ec;
}

void install_signal_handlers() {
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0; // no SA_RESTART: blocked reads return EINTR and the work unwinds
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) {
    ::sigaction(sig, &sa, nullptr);
  }
  // A child that exits early (an interpreter that cannot import Alembic) must not take miglint
  // with it when miglint writes to its pipe: the write fails with EPIPE instead.
  ::signal(SIGPIPE, SIG_IGN);
}

int interrupted() {
  return g_signal.load();
}

} // namespace miglint::core
