#include "roundtrip/alembic_runner.hpp"

#include "core/file.hpp"
#include "roundtrip/observer.hpp"

#include <nlohmann/json.hpp>

#include <csignal>
#include <cstdlib>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <regex>
#include <thread>
#include <unistd.h>

namespace miglint::roundtrip {

std::string_view embedded_alembic_driver(); // generated from alembic_driver.py

namespace {

// Reads one line from the driver; nullopt at end of file.
std::optional<std::string> read_line(FILE* in) {
  std::string line;
  int c = 0;
  while ((c = std::fgetc(in)) != EOF) {
    if (c == '\n') {
      return line;
    }
    line += static_cast<char>(c);
  }
  if (std::ferror(in) != 0) {
    std::clearerr(in);
  }
  return line.empty() ? std::nullopt : std::optional(line);
}

// Where a statement the driver reports came from: its line in the revision file.
core::Location locate(const source::Migration& migration, core::Phase phase,
                      const nlohmann::json& event) {
  const auto& script = migration.script(phase);
  const core::Location anchor = script ? script->anchor : core::Location{};
  if (!anchor.file || !event.contains("file") || !event["file"].is_string() ||
      !event["line"].is_number()) {
    return anchor;
  }
  std::error_code ec;
  if (!std::filesystem::equivalent(event["file"].get<std::string>(), anchor.file->path(), ec)) {
    return anchor;
  }
  const auto [begin, end] = anchor.file->line_span(event["line"].get<uint32_t>());
  // Skip the indentation: the finding starts at the code.
  const std::string& text = anchor.file->text();
  uint32_t start = begin;
  while (start < end && (text[start] == ' ' || text[start] == '\t')) {
    ++start;
  }
  return {anchor.file, start, end};
}

// The step's trace from the driver's closing event: xids (numbers) and touched (OIDs).
void read_trace(const nlohmann::json& event, StepTrace& trace) {
  if (event.contains("xids") && event["xids"].is_array()) {
    for (const auto& x : event["xids"]) {
      if (x.is_number_unsigned()) {
        trace.xids.insert(x.get<uint64_t>());
      }
    }
  }
  if (event.contains("touched") && event["touched"].is_array()) {
    for (const auto& oid : event["touched"]) {
      if (oid.is_string()) {
        trace.relations.insert(oid.get<std::string>());
      }
    }
  }
}

// A file the driver names (a real path) for a finding: relative to the working directory when
// it is below it, as the paths of discovered files are.
core::Location location_in(const std::string& path, const nlohmann::json& line) {
  auto text = core::read_file(path);
  std::error_code ec;
  std::filesystem::path shown = std::filesystem::proximate(path, ec);
  if (ec || shown.empty() || *shown.begin() == "..") {
    shown = path;
  }
  auto file = std::make_shared<core::SourceFile>(shown.generic_string(), text.value_or(""));
  if (!line.is_number_unsigned() || !text) {
    return {file, 0, 0};
  }
  const auto [begin, end] = file->line_span(line.get<uint32_t>());
  uint32_t start = begin;
  while (start < end && (file->text()[start] == ' ' || file->text()[start] == '\t')) {
    ++start;
  }
  return {file, start, end};
}

} // namespace

std::unique_ptr<AlembicRunner>
AlembicRunner::launch(const std::string& python, const std::string& project, std::string& error) {
  auto runner = std::unique_ptr<AlembicRunner>(new AlembicRunner());
  if (!runner->m_dir.ok()) {
    error = "cannot create a temporary directory for the Alembic driver";
    return nullptr;
  }
  if (!python.empty()) {
    runner->m_candidates.push_back(python);
  } else {
    if (const char* venv = std::getenv("VIRTUAL_ENV"); venv != nullptr && *venv != '\0') {
      runner->m_candidates.push_back(std::string(venv) + "/bin/python");
    }
    runner->m_candidates.insert(runner->m_candidates.end(), {"python3", "/usr/bin/python3"});
  }
  runner->m_project = project;
  {
    std::ofstream out(runner->driver_path());
    out << embedded_alembic_driver();
  }
  if (!runner->spawn_next(error)) {
    return nullptr;
  }
  // The candidates are tried in order while the caller starts the server: one that cannot
  // import Alembic (a pyenv shim answers in a tenth of a second) does not hold up the next.
  runner->m_prober = std::thread([r = runner.get()] { r->probe(); });
  return runner;
}

void AlembicRunner::probe() {
  while (true) {
    auto line = read_line(m_out);
    if (core::interrupted() != 0 || m_stopping) {
      return;
    }
    auto event = line ? nlohmann::json::parse(*line, nullptr, false) : nlohmann::json();
    if (line && !event.is_discarded() && event.value("event", "") == "loaded") {
      m_loaded = std::move(event);
      return;
    }
    if (m_tried.size() == m_candidates.size()) {
      std::string tried;
      for (const auto& py : m_tried) {
        tried += (tried.empty() ? "" : ", ") + py;
      }
      m_probe_error = "no Python interpreter that imports alembic and sqlalchemy (tried " + tried +
                      "); pass --python PATH (the project's virtualenv)";
      return;
    }
    std::lock_guard lock(m_mutex);
    if (m_stopping || !spawn_next(m_probe_error)) {
      return;
    }
  }
}

std::string AlembicRunner::driver_path() const {
  return m_dir.path() + "/miglint_alembic_driver.py";
}

bool AlembicRunner::spawn_next(std::string& error) {
  if (m_out != nullptr) {
    std::fclose(m_out);
    m_out = nullptr;
  }
  m_process.reset();
  const std::string& py = m_candidates[m_tried.size()];
  m_tried.push_back(py);
  core::SpawnOptions options;
  options.pipe_stdin = true;
  options.pipe_stdout = true;
  options.log_file = m_dir.path() + "/driver.log";
  // The project's Alembic resolves script_location relative to where it runs, as `alembic` does.
  std::filesystem::path cwd = std::filesystem::path(m_project).parent_path();
  if (std::filesystem::path(m_project).extension() != ".ini") {
    cwd = m_project; // a script directory: the driver builds the config from it
  }
  // Where miglint runs is where its user runs `alembic -c path/alembic.ini`: the driver puts
  // prepend_sys_path's relative entries there as well as beside the ini.
  std::error_code ec;
  const std::string invoked_from = std::filesystem::current_path(ec).string();
  auto child = core::Process::spawn({"sh", "-c", "cd \"$0\" && exec \"$1\" \"$2\" \"$3\" \"$4\"",
                                     cwd.empty() ? "." : cwd.string(), py, driver_path(),
                                     std::filesystem::absolute(m_project).string(), invoked_from},
                                    options, error);
  if (!child) {
    return false;
  }
  m_process = std::move(*child);
  m_out = ::fdopen(::fcntl(m_process->stdout_fd(), F_DUPFD_CLOEXEC, 0), "r");
  return true;
}

bool AlembicRunner::connect(const Server& server, std::string& error) {
  // The first candidate interpreter that imports Alembic and SQLAlchemy: the driver said so
  // ("loaded"); the others said they cannot ("unusable") or were not there at all.
  if (m_prober.joinable()) {
    m_prober.join();
  }
  if (core::interrupted() != 0) {
    return false;
  }
  if (!m_loaded) {
    error = m_probe_error;
    return false;
  }
  nlohmann::json event = *m_loaded;
  const std::string py = m_tried.back();
  m_versions = "Alembic " + event.value("alembic", "?") + ", Python " + event.value("python", "?") +
               " (" + py + ")";
  m_interpreter = "Python " + event.value("python", "?") + " (" +
                  event.value("executable", std::string()) + ")";
  if (m_interpreter.ends_with(" ()")) {
    m_interpreter = "Python " + event.value("python", "?") + " (" + py + ")";
  }
  auto ready = read_line(m_out);
  event = ready ? nlohmann::json::parse(*ready, nullptr, false) : nlohmann::json();
  if (!ready || event.is_discarded() || event.value("event", "") != "ready") {
    std::ifstream log(m_dir.path() + "/driver.log");
    std::string text((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
    error = "the Alembic driver did not start under " + py + ":\n" + text;
    return false;
  }
  m_conninfo = server.conninfo();
  const nlohmann::json command = {
      {"op", "connect"}, {"url", server.sqlalchemy_url()}, {"database", server.database()}};
  const std::string text = command.dump() + "\n";
  if (::write(m_process->stdin_fd(), text.data(), text.size()) < 0) {
    error = "the Alembic driver is gone";
    return false;
  }
  return true;
}

AlembicRunner::~AlembicRunner() {
  m_watchdog.reset(); // before the process it may signal
  {
    // A driver still being probed (the server did not start): stop it, and the prober with it.
    std::lock_guard lock(m_mutex);
    m_stopping = true;
    if (m_prober.joinable() && m_process) {
      ::kill(m_process->pid(), SIGKILL);
    }
  }
  if (m_prober.joinable()) {
    m_prober.join();
  }
  if (m_process && m_process->stdin_fd() >= 0) {
    const std::string quit = "{\"op\": \"quit\"}\n";
    (void)!::write(m_process->stdin_fd(), quit.data(), quit.size());
  }
  if (m_out != nullptr) {
    std::fclose(m_out);
  }
  if (m_process) {
    m_process->stop(2000);
  }
}

void AlembicRunner::set_statement_timeout(std::chrono::milliseconds timeout) {
  m_watchdog = std::make_unique<Watchdog>(
      timeout, [this] { cancel_statements(m_conninfo); }, [this] { stop_stuck_driver(); });
}

void AlembicRunner::stop_stuck_driver() {
  const pid_t pid = m_process ? m_process->pid() : -1;
  if (pid <= 0) {
    return;
  }
  // The driver dumps its Python stack on SIGUSR1 (faulthandler, into driver.log) at once, from
  // its signal handler: where the revision waits.
  ::kill(pid, SIGUSR1);
  for (int waited = 0; waited < 1000; waited += 10) {
    std::ifstream log(m_dir.path() + "/driver.log");
    const std::string text((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
    if (text.find("(most recent call first):") != std::string::npos) {
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ::kill(pid, SIGKILL); // the read of its next report ends
}

core::Location AlembicRunner::stuck_at(const source::Migration& migration, core::Phase phase,
                                       const core::Location& fallback) const {
  std::ifstream log(m_dir.path() + "/driver.log");
  const std::string text((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
  const auto dump = text.rfind("(most recent call first):");
  if (dump == std::string::npos) {
    return fallback;
  }
  // '  File "/p/versions/a2.py", line 12 in upgrade', innermost first.
  static const std::regex frame(R"re(  File "([^"]+)", line (\d+) in )re");
  const std::string stack = text.substr(dump);
  for (auto it = std::sregex_iterator(stack.begin(), stack.end(), frame);
       it != std::sregex_iterator(); ++it) {
    const nlohmann::json event = {{"file", (*it)[1].str()},
                                  {"line", static_cast<uint32_t>(std::stoul((*it)[2].str()))}};
    const core::Location at = locate(migration, phase, event);
    const auto& script = migration.script(phase);
    if (at.file && !(script && at.begin == script->anchor.begin && at.end == script->anchor.end)) {
      return at; // a line of the revision file
    }
  }
  return fallback;
}

void AlembicRunner::reconnect() {
  const std::string reset = "{\"op\": \"reset\"}\n";
  (void)!::write(m_process->stdin_fd(), reset.data(), reset.size()); // gone: the next step says
}

StepResult AlembicRunner::apply(const source::Migration& migration, core::Phase phase) {
  StepResult result;
  const auto& script = migration.script(phase);
  const std::string file = script && script->anchor.file ? script->anchor.file->path() : "";
  const nlohmann::json command = {
      {"op", phase == core::Phase::Upgrade ? "upgrade" : "downgrade"},
      {"revision", migration.id},
      {"file", file.empty() ? file : std::filesystem::absolute(file).string()},
      // What the project's env.py sets on the connection (read statically): the built-in
      // environment sets it too when env.py cannot run.
      {"settings", migration.session_settings}};
  const std::string line = command.dump() + "\n";
  const std::string what =
      std::string(phase == core::Phase::Upgrade ? "upgrade" : "downgrade") + " of " + migration.id;
  if (m_watchdog) {
    m_watchdog->reset();
    m_watchdog->arm();
  }
  if (::write(m_process->stdin_fd(), line.data(), line.size()) < 0) {
    result.ok = false;
    result.error = "the Alembic driver is gone";
    result.fault = "the Alembic driver (" + m_interpreter + ") is gone";
    return result;
  }
  // The statements of the open transaction: they hold their locks until its "end" event.
  std::vector<size_t> holding;
  auto release = [&](const nlohmann::json& event) {
    if (!event.contains("at") || !event["at"].is_number()) {
      return;
    }
    const double at = event["at"].get<double>();
    for (size_t k : holding) {
      result.statements[k].held_ms = at - result.statements[k].started_ms;
    }
    holding.clear();
  };
  while (true) {
    auto text = read_line(m_out);
    if (core::interrupted() != 0) {
      throw Interrupted{core::interrupted()};
    }
    if (m_watchdog) {
      m_watchdog->arm(); // the driver reported something: the clock starts again
    }
    if (!text) {
      if (m_watchdog) {
        m_watchdog->disarm();
      }
      result.ok = false;
      const core::Location last = result.statements.empty() ? locate(migration, phase, {})
                                                            : result.statements.back().location;
      if (m_watchdog && m_watchdog->fired()) {
        // The revision's Python waited past the timeout and the driver was stopped.
        result.last = true;
        result.error = "the " + what + " did not return within the round-trip's statement " +
                       "timeout (" + describe_timeout(m_watchdog->timeout()) +
                       ", --statement-timeout): the revision's Python was still running, and " +
                       "miglint stopped the Alembic driver";
        result.failed = ExecutedStatement{stuck_at(migration, phase, last), "", {}};
        return result;
      }
      // Killed or exited under the step: nothing after it can run.
      for (int waited = 0; waited < 2000 && m_process->running(); waited += 10) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
      m_process->stop(1000);
      result.error = "the Alembic driver exited unexpectedly";
      result.fault = "the Alembic driver (" + m_interpreter + ", pid " +
                     std::to_string(m_process->pid()) + ") " + m_process->exit_description();
      result.failed = ExecutedStatement{last, "", {}};
      return result;
    }
    const auto event = nlohmann::json::parse(*text, nullptr, false);
    if (event.is_discarded()) {
      continue;
    }
    const std::string kind = event.value("event", "");
    if (kind == "statement") {
      ExecutedStatement s{locate(migration, phase, event), event.value("sql", ""), {}};
      s.observation.observed = event.value("observed", false);
      for (const auto& l : event["locks"]) {
        s.observation.locks.push_back({l[0].get<std::string>(),
                                       lock_mode_name(l[1].get<std::string>()),
                                       l.size() > 2 && l[2].is_boolean() && l[2].get<bool>()});
      }
      if (event.contains("lock_timeout") && event["lock_timeout"].is_string()) {
        s.observation.lock_timeout = event["lock_timeout"].get<std::string>();
      }
      for (const auto& r : event["rewritten"]) {
        s.observation.rewritten.push_back(r.get<std::string>());
      }
      if (event.contains("started") && event["started"].is_number() && event.contains("duration") &&
          event["duration"].is_number()) {
        s.started_ms = event["started"].get<double>();
        s.duration_ms = event["duration"].get<double>();
        s.held_ms = s.duration_ms;
        if (s.observation.observed) {
          holding.push_back(result.statements.size());
        }
      }
      result.statements.push_back(std::move(s));
    } else if (kind == "end") {
      release(event);
    } else if (kind == "environment") {
      // Once per run: env.py cannot run; the driver goes on with its built-in environment.
      const std::string env_file = event.contains("file") && event["file"].is_string()
                                       ? event["file"].get<std::string>()
                                       : std::string();
      EnvironmentFailure env;
      env.location =
          env_file.empty() ? locate(migration, phase, {}) : location_in(env_file, event["line"]);
      if (!event.value("missing", false)) { // no env.py at all: only the notice
        env.message =
            "env.py cannot run under " + m_interpreter + ": " + event.value("message", "");
      }
      env.notice = "the revisions ran in miglint's built-in environment (Alembic's generic "
                   "env.py: online, against the scratch database, target_metadata None) instead "
                   "of env.py";
      if (event.value("missing", false)) {
        env.notice += ": " + event.value("message", "");
      }
      if (event.value("env_is_async", false)) {
        env.notice += "; env.py is asynchronous and its async driver did not work here (install "
                      "it, e.g. asyncpg, in the interpreter miglint runs, or pass --python)";
      }
      result.environment = std::move(env);
    } else if (kind == "done") {
      if (m_watchdog) {
        m_watchdog->disarm();
      }
      read_trace(event, result.trace);
      release(event);
      return result;
    } else if (kind == "error") {
      if (m_watchdog) {
        m_watchdog->disarm();
      }
      read_trace(event, result.trace);
      result.ok = false;
      result.error = event.value("message", "");
      result.sqlstate =
          event.contains("sqlstate") && event["sqlstate"].is_string() ? event["sqlstate"] : "";
      if (m_watchdog && m_watchdog->fired() && result.sqlstate == "57014") {
        result.error = "the statement ran longer than the round-trip's statement timeout (" +
                       describe_timeout(m_watchdog->timeout()) +
                       ", --statement-timeout) and was cancelled";
      }
      if (event.value("fatal", false)) {
        result.fatal = true;
        result.error =
            "the revision file cannot be imported under " + m_interpreter + ": " + result.error;
      }
      result.failed = ExecutedStatement{
          locate(migration, phase, event),
          event.contains("sql") && event["sql"].is_string() ? event["sql"].get<std::string>() : "",
          {}};
      return result;
    }
  }
}

} // namespace miglint::roundtrip
