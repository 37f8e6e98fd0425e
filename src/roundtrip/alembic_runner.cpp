#include "roundtrip/alembic_runner.hpp"

#include "roundtrip/observer.hpp"

#include <nlohmann/json.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
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

} // namespace

std::string find_python(const std::string& requested, std::string& tried) {
  std::vector<std::string> candidates;
  if (!requested.empty()) {
    candidates.push_back(requested);
  } else {
    if (const char* venv = std::getenv("VIRTUAL_ENV"); venv != nullptr && *venv != '\0') {
      candidates.push_back(std::string(venv) + "/bin/python");
    }
    candidates.insert(candidates.end(), {"python3", "/usr/bin/python3"});
  }
  for (const auto& py : candidates) {
    std::string out;
    tried += (tried.empty() ? "" : ", ") + py;
    if (core::run_command({py, "-c", "import alembic, sqlalchemy"}, out) == 0) {
      return py;
    }
  }
  return {};
}

std::unique_ptr<AlembicRunner> AlembicRunner::start(const std::string& python,
                                                    const std::string& project,
                                                    const Server& server, std::string& error) {
  std::string tried;
  const std::string py = find_python(python, tried);
  if (py.empty()) {
    error = "no Python interpreter that imports alembic and sqlalchemy (tried " + tried +
            "); pass --python PATH (the project's virtualenv)";
    return nullptr;
  }
  auto runner = std::unique_ptr<AlembicRunner>(new AlembicRunner());
  if (!runner->m_dir.ok()) {
    error = "cannot create a temporary directory for the Alembic driver";
    return nullptr;
  }
  const std::string driver = runner->m_dir.path() + "/miglint_alembic_driver.py";
  {
    std::ofstream out(driver);
    out << embedded_alembic_driver();
  }
  core::SpawnOptions options;
  options.pipe_stdin = true;
  options.pipe_stdout = true;
  options.log_file = runner->m_dir.path() + "/driver.log";
  // The project's Alembic resolves script_location relative to where it runs, as `alembic` does.
  std::string config = project;
  std::filesystem::path cwd = std::filesystem::path(project).parent_path();
  if (std::filesystem::path(project).extension() != ".ini") {
    cwd = project; // a script directory: the driver builds the config from it
  }
  auto child = core::Process::spawn(
      {"sh", "-c", "cd \"$0\" && exec \"$1\" \"$2\" \"$3\" \"$4\" \"$5\"",
       cwd.empty() ? "." : cwd.string(), py, driver, std::filesystem::absolute(config).string(),
       server.sqlalchemy_url(), server.database()},
      options, error);
  if (!child) {
    return nullptr;
  }
  runner->m_process = std::move(*child);
  runner->m_out = ::fdopen(::dup(runner->m_process->stdout_fd()), "r");
  auto ready = read_line(runner->m_out);
  nlohmann::json event;
  if (ready) {
    event = nlohmann::json::parse(*ready, nullptr, false);
  }
  if (!ready || event.is_discarded() || event.value("event", "") != "ready") {
    std::ifstream log(runner->m_dir.path() + "/driver.log");
    std::string text((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
    error = "the Alembic driver did not start under " + py + ":\n" + text;
    return nullptr;
  }
  runner->m_versions = "Alembic " + event.value("alembic", "?") + ", Python " +
                       event.value("python", "?") + " (" + py + ")";
  return runner;
}

AlembicRunner::~AlembicRunner() {
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

StepResult AlembicRunner::apply(const source::Migration& migration, core::Phase phase) {
  StepResult result;
  const nlohmann::json command = {{"op", phase == core::Phase::Upgrade ? "upgrade" : "downgrade"},
                                  {"revision", migration.id}};
  const std::string line = command.dump() + "\n";
  if (::write(m_process->stdin_fd(), line.data(), line.size()) < 0) {
    result.ok = false;
    result.error = "the Alembic driver is gone";
    return result;
  }
  while (true) {
    auto text = read_line(m_out);
    if (core::interrupted() != 0) {
      throw Interrupted{core::interrupted()};
    }
    if (!text) {
      result.ok = false;
      result.error = "the Alembic driver exited unexpectedly";
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
        s.observation.locks.emplace_back(l[0].get<std::string>(),
                                         lock_mode_name(l[1].get<std::string>()));
      }
      for (const auto& r : event["rewritten"]) {
        s.observation.rewritten.push_back(r.get<std::string>());
      }
      result.statements.push_back(std::move(s));
    } else if (kind == "done") {
      return result;
    } else if (kind == "error") {
      result.ok = false;
      result.error = event.value("message", "");
      result.failed = ExecutedStatement{
          locate(migration, phase, event),
          event.contains("sql") && event["sql"].is_string() ? event["sql"].get<std::string>() : "",
          {}};
      return result;
    }
  }
}

} // namespace miglint::roundtrip
