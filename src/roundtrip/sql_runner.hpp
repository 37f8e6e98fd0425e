#pragma once

#include "roundtrip/observer.hpp"
#include "roundtrip/runner.hpp"
#include "roundtrip/watchdog.hpp"

#include <pqxx/connection>

#include <atomic>
#include <memory>
#include <string>

namespace miglint::roundtrip {

// Runs SQL migrations itself, statement by statement, with the transaction semantics of the tool
// that owns the layout (source::TxMode; explicit BEGIN/COMMIT honoured), observing each statement.
class SqlRunner final : public Runner {
public:
  explicit SqlRunner(std::string conninfo);
  ~SqlRunner() override;
  StepResult apply(const source::Migration& migration, core::Phase phase) override;
  void reconnect() override;
  // A statement past it is cancelled (pg_cancel_backend of the runner's backend): the step fails
  // on that statement, and the next migrations run.
  void set_statement_timeout(std::chrono::milliseconds timeout) override;

private:
  StepResult run(const source::Migration& migration, core::Phase phase);

  std::string m_conninfo;
  std::unique_ptr<pqxx::connection> m_connection;
  std::unique_ptr<Observer> m_observer;
  std::atomic<int> m_backend_pid{0}; // of m_connection, read by the watchdog's thread
  std::unique_ptr<Watchdog> m_watchdog;
};

} // namespace miglint::roundtrip
