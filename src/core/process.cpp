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
#include <fstream>
#include <poll.h>
#include <pwd.h>
#include <sstream>
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
      m_status(other.m_status), m_term_signal(other.m_term_signal) {}

Process& Process::operator=(Process&& other) noexcept {
  if (this != &other) {
    release();
    m_pid = std::exchange(other.m_pid, -1);
    m_stdin = std::exchange(other.m_stdin, -1);
    m_stdout = std::exchange(other.m_stdout, -1);
    m_stop_signal = other.m_stop_signal;
    m_status = other.m_status;
    m_term_signal = other.m_term_signal;
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
    m_term_signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
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
  m_term_signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
  unregister_child(m_pid);
  return *m_status;
}

std::string Process::exit_description() const {
  if (!m_status) {
    return {};
  }
  if (m_term_signal != 0) {
    return "was killed by signal " + std::to_string(m_term_signal) + " (" +
           signal_name(m_term_signal) + ")";
  }
  return "exited with status " + std::to_string(*m_status);
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

namespace {

constexpr const char* k_owner_file = "miglint.owner";

// The start time of a process, in clock ticks since boot (/proc/PID/stat, field 22): with the
// process id, it names one process for good (ids are reused). nullopt without /proc.
std::optional<unsigned long long> start_time(pid_t pid) {
  std::string stat;
  try { // a process that ends while its file is read fails with ESRCH, which filebuf throws
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    stat.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  } catch (const std::exception&) {
    return std::nullopt;
  }
  const auto paren = stat.rfind(')'); // the command name may hold spaces and parentheses
  if (paren == std::string::npos) {
    return std::nullopt;
  }
  std::istringstream fields(stat.substr(paren + 1));
  std::string field;
  for (int i = 3; i < 22 && fields >> field; ++i) { // fields 3 (state) to 21
  }
  unsigned long long ticks = 0;
  if (!(fields >> ticks)) {
    return std::nullopt;
  }
  return ticks;
}

// This process's PID namespace ("pid:[4026531836]"), "" without /proc: process ids name the
// same process only within one (containers sharing a TMPDIR each have their own).
std::string pid_namespace() {
  std::error_code ec;
  const auto ns = std::filesystem::read_symlink("/proc/self/ns/pid", ec);
  return ec ? std::string() : ns.string();
}

// Whether the process an owner file names ("pid start-time pid-namespace") is gone.
bool token_gone(const std::string& token) {
  std::istringstream in(token);
  long long pid = 0;
  unsigned long long started = 0;
  if (!(in >> pid >> started) || pid <= 0) {
    return false; // unreadable: not ours to judge
  }
  std::string ns;
  if (in >> ns && ns != pid_namespace()) {
    return false; // another container's: its ids mean nothing here
  }
  if (::kill(static_cast<pid_t>(pid), 0) != 0) {
    return errno == ESRCH; // EPERM: alive, another user's
  }
  const auto now = start_time(static_cast<pid_t>(pid));
  return started != 0 && now && *now != started; // the id was reused
}

bool owner_gone(const std::filesystem::path& owner_file) {
  std::ifstream in(owner_file);
  std::string token;
  if (!std::getline(in, token)) {
    return false;
  }
  return token_gone(token);
}

// The working directory of a process, "" when it cannot be read (gone, a zombie, not ours).
std::string cwd_of(const std::string& pid) {
  std::error_code ec;
  const auto target = std::filesystem::read_symlink("/proc/" + pid + "/cwd", ec);
  return ec ? std::string() : target.string();
}

bool within(const std::string& path, const std::string& dir) {
  return path == dir || (path.size() > dir.size() && path.compare(0, dir.size(), dir) == 0 &&
                         path[dir.size()] == '/');
}

} // namespace

std::string owner_token() {
  return std::to_string(::getpid()) + ' ' + std::to_string(start_time(::getpid()).value_or(0)) +
         ' ' + pid_namespace();
}

bool owner_token_gone(const std::string& token) {
  return token_gone(token);
}

TempDir::TempDir(const std::string& prefix) {
  std::string tmpl = (std::filesystem::temp_directory_path() / (prefix + "XXXXXX")).string();
  if (::mkdtemp(tmpl.data()) != nullptr) {
    m_path = tmpl;
    std::ofstream owner(std::filesystem::path(m_path) / k_owner_file);
    owner << owner_token() << '\n';
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

std::vector<std::string> orphaned_temp_dirs(const std::string& prefix) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& entry :
       std::filesystem::directory_iterator(std::filesystem::temp_directory_path(ec), ec)) {
    const std::string name = entry.path().filename().string();
    std::error_code dir_ec;
    if (name.rfind(prefix, 0) == 0 && entry.is_directory(dir_ec) &&
        owner_gone(entry.path() / k_owner_file)) {
      out.push_back(entry.path().string());
    }
  }
  return out;
}

size_t kill_processes_in(const std::string& dir) {
  std::error_code ec;
  const std::string root = std::filesystem::weakly_canonical(dir, ec).string();
  if (ec || root.empty() || root == "/") {
    return 0;
  }
  const std::string self = std::to_string(::getpid());
  auto inside = [&] {
    std::vector<std::string> pids;
    std::error_code it_ec;
    for (const auto& entry : std::filesystem::directory_iterator("/proc", it_ec)) {
      const std::string pid = entry.path().filename().string();
      if (pid.find_first_not_of("0123456789") == std::string::npos && pid != self &&
          within(cwd_of(pid), root)) {
        pids.push_back(pid);
      }
    }
    return pids;
  };
  auto pids = inside();
  const size_t killed = pids.size();
  for (int waited = 0; !pids.empty() && waited < 5000; waited += 10) {
    for (const auto& pid : pids) {
      ::kill(static_cast<pid_t>(std::stol(pid)), SIGKILL);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    pids = inside(); // a zombie has no working directory any more
  }
  return killed;
}

std::string signal_name(int sig) {
  switch (sig) {
  case SIGHUP:
    return "SIGHUP";
  case SIGINT:
    return "SIGINT";
  case SIGQUIT:
    return "SIGQUIT";
  case SIGILL:
    return "SIGILL";
  case SIGABRT:
    return "SIGABRT";
  case SIGBUS:
    return "SIGBUS";
  case SIGFPE:
    return "SIGFPE";
  case SIGKILL:
    return "SIGKILL";
  case SIGSEGV:
    return "SIGSEGV";
  case SIGPIPE:
    return "SIGPIPE";
  case SIGTERM:
    return "SIGTERM";
  case SIGUSR1:
    return "SIGUSR1";
  case SIGUSR2:
    return "SIGUSR2";
  default:
    return "signal " + std::to_string(sig);
  }
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
