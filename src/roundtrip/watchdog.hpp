#pragma once

// The round-trip's statement timeout, enforced from outside the migration: a clock the runner
// arms when a statement (or, for Alembic, the revision's Python up to its next statement) starts,
// and a thread that cancels what runs once the clock passes the timeout.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

namespace miglint::roundtrip {

class Watchdog {
public:
  using Clock = std::chrono::steady_clock;

  // `cancel` runs on the watchdog's thread when the clock armed by arm() passes `timeout`;
  // `stuck` (when given) `grace` after that, when the clock was neither re-armed nor disarmed
  // meanwhile. A zero timeout never fires and starts no thread.
  Watchdog(std::chrono::milliseconds timeout, std::function<void()> cancel,
           std::function<void()> stuck = {},
           std::chrono::milliseconds grace = std::chrono::seconds(5));
  ~Watchdog();
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;

  void arm();    // a statement starts now (the clock restarts)
  void disarm(); // it ended
  // Whether `cancel` ran since the last reset(): a statement that fails now was cancelled by
  // the watchdog (a cancellation reaches the server a moment later, possibly during the next
  // statement of the same step).
  bool fired() const { return m_fired; }
  void reset() { m_fired = false; }
  std::chrono::milliseconds timeout() const { return m_timeout; }

private:
  void loop();

  std::chrono::milliseconds m_timeout;
  std::chrono::milliseconds m_grace;
  std::function<void()> m_cancel;
  std::function<void()> m_stuck;
  std::mutex m_mutex;
  std::condition_variable m_changed;
  std::optional<Clock::time_point> m_deadline; // of the next action, when armed
  bool m_cancelled = false;                    // since the last arm(): the next action is stuck
  bool m_stopping = false;
  std::atomic<bool> m_fired{false};
  std::thread m_thread;
};

// Cancels, through a connection of its own to `conninfo`'s database, the statements running
// there (pg_cancel_backend): of backend `pid` only, or when `pid` is 0 every active backend of
// that database but its own. Errors are ignored (the server may be gone).
void cancel_statements(const std::string& conninfo, int pid = 0);

} // namespace miglint::roundtrip
