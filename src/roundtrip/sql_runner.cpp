#include "roundtrip/sql_runner.hpp"

#include "core/process.hpp"
#include "sql/parser.hpp"

#include <pqxx/pqxx>

#include <chrono>

namespace miglint::roundtrip {
namespace {

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) {
    s.pop_back();
  }
  return s;
}

// Statements that may run inside a transaction block: outside the migration's transaction,
// miglint wraps them in one of their own, so their locks can be seen before they are released.
bool wrappable(const sql::Statement& s) {
  if (const auto* index = s.as<sql::CreateIndex>()) {
    return !index->concurrent;
  }
  if (const auto* drop = s.as<sql::Drop>()) {
    return !drop->concurrent;
  }
  if (const auto* alter = s.as<sql::AlterTable>()) {
    for (const auto& cmd : alter->cmds) {
      if (cmd.kind == sql::AlterKind::DetachPartitionConcurrently) {
        return false;
      }
    }
    return true;
  }
  return s.as<sql::Rename>() || s.as<sql::Truncate>() || s.as<sql::CreateTrigger>() ||
         s.as<sql::LockTable>() || s.as<sql::CreateTable>() || s.as<sql::CreateTableAs>();
}

} // namespace

SqlRunner::SqlRunner(std::string conninfo) : m_conninfo(std::move(conninfo)) {
  reconnect();
}

SqlRunner::~SqlRunner() = default;

void SqlRunner::reconnect() {
  m_observer.reset();
  m_connection = std::make_unique<pqxx::connection>(m_conninfo);
  m_backend_pid = m_connection->backendpid();
  m_observer = std::make_unique<Observer>();
}

void SqlRunner::set_statement_timeout(std::chrono::milliseconds timeout) {
  m_watchdog =
      std::make_unique<Watchdog>(timeout, [this] { cancel_statements(m_conninfo, m_backend_pid); });
}

StepResult SqlRunner::apply(const source::Migration& migration, core::Phase phase) {
  StepResult result = run(migration, phase);
  result.trace = m_observer->trace();
  return result;
}

// Round trips to the server are most of what a step costs beyond its own statements: the step
// opens with its first BEGIN and the observer's starting point in one, each statement in a
// transaction runs with its observation in one, and the last COMMIT goes with RESET ALL.
StepResult SqlRunner::run(const source::Migration& migration, core::Phase phase) {
  StepResult result;
  const auto& script = migration.script(phase);
  if (!m_connection->is_open()) {
    reconnect(); // the last step's statement ended its own session (pg_terminate_backend)
  }
  pqxx::nontransaction n(*m_connection);
  if (m_watchdog) {
    m_watchdog->reset();
  }
  if (!script) {
    m_observer->begin_step(n);
    return result;
  }
  const sql::ParsedScript parsed = sql::parse(script->sql);
  if (!parsed.errors.empty()) {
    m_observer->begin_step(n);
    result.ok = false;
    result.error = "the script does not parse: " + parsed.errors[0].message;
    result.failed = ExecutedStatement{
        script->origin.locate(parsed.errors[0].offset, parsed.errors[0].statement.end), "", {}};
    return result;
  }
  const size_t count = parsed.statements.size();
  bool in_tx = script->tx == source::TxMode::PerScript ||
               (script->tx == source::TxMode::Implicit && count > 1);
  // A transaction already open for the first statement: the script's, or its own wrapping.
  bool open = in_tx || (count > 0 && wrappable(parsed.statements.front()));
  m_observer->begin_step(n, open);
  bool reset = false; // RESET ALL already sent with the last COMMIT
  // Times: from the step's start; the statements of the open transaction hold their locks until
  // it ends.
  const auto t0 = std::chrono::steady_clock::now();
  auto now_ms = [&] {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  };
  std::vector<size_t> holding; // indices into result.statements
  auto release = [&] {
    const double end = now_ms();
    for (size_t k : holding) {
      result.statements[k].held_ms = end - result.statements[k].started_ms;
    }
    holding.clear();
  };
  for (size_t i = 0; i < count; ++i) {
    const auto& s = parsed.statements[i];
    if (core::interrupted() != 0) {
      throw Interrupted{core::interrupted()};
    }
    ExecutedStatement executed{script->origin.locate(s.span.begin, s.span.end),
                               script->sql.substr(s.span.begin, s.span.end - s.span.begin),
                               {}};
    const bool wrap = !in_tx && wrappable(s);
    try {
      if (wrap && !open) {
        n.exec("BEGIN");
      }
      open = false;
      executed.started_ms = now_ms();
      if (m_watchdog) {
        m_watchdog->arm();
      }
      if (in_tx || wrap) {
        executed.observation = m_observer->observe(n, executed.sql);
      } else {
        n.exec(executed.sql);
        executed.observation = m_observer->rewrites(n);
      }
      if (m_watchdog) {
        m_watchdog->disarm();
      }
      executed.duration_ms = now_ms() - executed.started_ms;
      executed.held_ms = executed.duration_ms;
      if (wrap) {
        reset = i + 1 == count;
        n.exec(reset ? "COMMIT; RESET ALL" : "COMMIT");
        executed.held_ms = now_ms() - executed.started_ms;
      }
    } catch (const pqxx::sql_error& e) {
      if (m_watchdog) {
        m_watchdog->disarm();
      }
      if (in_tx || wrap) {
        n.exec("ROLLBACK");
      }
      result.ok = false;
      result.error = trim(e.what());
      result.sqlstate = e.sqlstate();
      if (m_watchdog && m_watchdog->fired() && e.sqlstate() == "57014") {
        result.error = "the statement ran longer than the round-trip's statement timeout (" +
                       describe_timeout(m_watchdog->timeout()) +
                       ", --statement-timeout) and was cancelled";
      }
      result.failed = std::move(executed);
      n.exec("RESET ALL");
      return result;
    } catch (const pqxx::broken_connection& e) {
      // The server is gone (the engine asks it why) or the statement ended its own session.
      if (m_watchdog) {
        m_watchdog->disarm();
      }
      result.ok = false;
      result.error = trim(e.what());
      result.failed = std::move(executed);
      return result;
    }
    bool ended = false;
    if (const auto* tx = s.as<sql::Transaction>()) {
      if (tx->kind == sql::TxKind::Begin) {
        in_tx = true;
      } else if (tx->kind == sql::TxKind::Commit || tx->kind == sql::TxKind::Rollback) {
        in_tx = false;
        ended = true;
      }
    }
    if (in_tx) {
      holding.push_back(result.statements.size());
    }
    result.statements.push_back(std::move(executed));
    if (ended) {
      release();
    }
  }
  if (in_tx) {
    try {
      n.exec("COMMIT; RESET ALL");
      release();
      reset = true;
    } catch (const pqxx::sql_error& e) {
      result.ok = false;
      result.error = trim(e.what()); // e.g. a deferred constraint
      result.sqlstate = e.sqlstate();
    }
  }
  if (!reset) {
    n.exec("RESET ALL"); // settings of one migration do not leak into the next
  }
  return result;
}

} // namespace miglint::roundtrip
