#pragma once

#include "core/process.hpp"
#include "roundtrip/runner.hpp"
#include "roundtrip/server.hpp"
#include "roundtrip/watchdog.hpp"

#include <nlohmann/json.hpp>

#include <atomic>
#include <cstdio>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace miglint::roundtrip {

// Runs Alembic revisions online with the project's own Alembic and env.py, through the embedded
// driver (alembic_driver.py), one process for the whole run.
class AlembicRunner final : public Runner {
public:
  // Starts the driver, which imports Alembic while the caller starts the server: `python`, or
  // when empty $VIRTUAL_ENV/bin/python, python3, /usr/bin/python3, the first that imports
  // alembic and sqlalchemy. nullptr with `error` set when nothing can be started.
  static std::unique_ptr<AlembicRunner> launch(const std::string& python,
                                               const std::string& project, std::string& error);
  // Waits for the driver (trying the next interpreter while one cannot import Alembic) and
  // points it at the scratch database. false with `error` set when none works.
  bool connect(const Server& server, std::string& error);
  ~AlembicRunner() override;
  StepResult apply(const source::Migration& migration, core::Phase phase) override;
  void reconnect() override; // the driver drops its kept connections to the old database
  // Counted from the driver's last report (a statement, or the step's start): past it the
  // scratch database's running statements are cancelled; a driver that still reports nothing
  // 5 s later (the revision's Python waits) dumps its Python stack, which names the line, and
  // is stopped, and the history ends there (StepResult::last).
  void set_statement_timeout(std::chrono::milliseconds timeout) override;

  const std::string& versions() const { return m_versions; } // "Alembic 1.8.1, Python 3.11.2"

private:
  AlembicRunner() = default;
  std::string driver_path() const;
  bool spawn_next(std::string& error);
  void probe(); // on m_prober: the first line of each candidate until one has loaded Alembic
  void stop_stuck_driver(); // on the watchdog's thread
  // The line of the revision file where the driver's last Python stack dump (faulthandler, on
  // SIGUSR1) shows it waiting, else `fallback`.
  core::Location stuck_at(const source::Migration& migration, core::Phase phase,
                          const core::Location& fallback) const;

  std::string m_project;
  std::vector<std::string> m_candidates;
  std::vector<std::string> m_tried;
  std::thread m_prober;
  std::mutex m_mutex; // m_process while the prober may replace it
  std::atomic<bool> m_stopping{false};
  std::optional<nlohmann::json> m_loaded; // the "loaded" event, once the prober is done
  std::string m_probe_error;

  core::TempDir m_dir{"miglint-driver-"};
  std::optional<core::Process> m_process;
  FILE* m_out = nullptr;
  std::string m_versions;
  std::string m_interpreter; // "Python 3.11.2 (/usr/bin/python3)"
  std::string m_conninfo;    // the scratch database, for cancelling its statements
  std::unique_ptr<Watchdog> m_watchdog;
};

} // namespace miglint::roundtrip
