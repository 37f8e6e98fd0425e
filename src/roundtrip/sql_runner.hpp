#pragma once

#include "roundtrip/observer.hpp"
#include "roundtrip/runner.hpp"

#include <pqxx/connection>

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

private:
  StepResult run(const source::Migration& migration, core::Phase phase);

  std::string m_conninfo;
  std::unique_ptr<pqxx::connection> m_connection;
  std::unique_ptr<Observer> m_observer;
};

} // namespace miglint::roundtrip
