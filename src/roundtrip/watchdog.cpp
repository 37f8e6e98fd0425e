#include "roundtrip/watchdog.hpp"

#include "roundtrip/runner.hpp"

#include <pqxx/pqxx>

namespace miglint::roundtrip {

Watchdog::Watchdog(std::chrono::milliseconds timeout, std::function<void()> cancel,
                   std::function<void()> stuck, std::chrono::milliseconds grace)
    : m_timeout(timeout), m_grace(grace), m_cancel(std::move(cancel)), m_stuck(std::move(stuck)) {
  if (m_timeout.count() > 0) {
    m_thread = std::thread([this] { loop(); });
  }
}

Watchdog::~Watchdog() {
  {
    std::lock_guard lock(m_mutex);
    m_stopping = true;
  }
  m_changed.notify_all();
  if (m_thread.joinable()) {
    m_thread.join();
  }
}

void Watchdog::arm() {
  if (m_timeout.count() <= 0) {
    return;
  }
  {
    std::lock_guard lock(m_mutex);
    m_deadline = Clock::now() + m_timeout;
    m_cancelled = false;
  }
  m_changed.notify_all();
}

void Watchdog::disarm() {
  if (m_timeout.count() <= 0) {
    return;
  }
  {
    std::lock_guard lock(m_mutex);
    m_deadline.reset();
  }
  m_changed.notify_all();
}

void Watchdog::loop() {
  std::unique_lock lock(m_mutex);
  while (!m_stopping) {
    if (!m_deadline) {
      m_changed.wait(lock);
      continue;
    }
    const Clock::time_point deadline = *m_deadline;
    if (m_changed.wait_until(lock, deadline) != std::cv_status::timeout || m_deadline != deadline) {
      continue; // re-armed, disarmed or stopping
    }
    const bool stuck = m_cancelled;
    m_cancelled = true;
    m_deadline = stuck || !m_stuck ? std::nullopt : std::optional(deadline + m_grace);
    // The actions connect to the server or signal a process: not under the lock, so the
    // runner's arm() and disarm() never wait for them.
    lock.unlock();
    if (!stuck) {
      m_fired = true;
      m_cancel();
    } else if (m_stuck) {
      m_stuck();
    }
    lock.lock();
  }
}

void cancel_statements(const std::string& conninfo, int pid) {
  try {
    pqxx::connection c(conninfo + " connect_timeout=5");
    pqxx::nontransaction n(c);
    if (pid != 0) {
      n.exec("SELECT pg_cancel_backend(" + std::to_string(pid) + ")");
    } else {
      n.exec("SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE datname = "
             "current_database() AND pid <> pg_backend_pid() AND state = 'active'");
    }
  } catch (const std::exception&) {
    // The server is gone or full: the step fails on its own, and the engine says why.
  }
}

std::string describe_timeout(std::chrono::milliseconds timeout) {
  const auto ms = timeout.count();
  if (ms % 60000 == 0 && ms >= 60000) {
    return std::to_string(ms / 60000) + " min";
  }
  if (ms % 1000 == 0) {
    return std::to_string(ms / 1000) + " s";
  }
  return std::to_string(ms) + " ms";
}

} // namespace miglint::roundtrip
