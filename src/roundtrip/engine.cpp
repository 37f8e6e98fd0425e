#include "roundtrip/engine.hpp"

#include "core/process.hpp"
#include "roundtrip/observer.hpp"
#include "roundtrip/snapshot.hpp"

#include <pqxx/pqxx>

#include <map>

namespace miglint::roundtrip {
namespace {

core::Finding make(std::string rule, core::Location location, std::string message,
                   const source::Migration& m, core::Phase phase, std::string statement = {}) {
  core::Finding f;
  f.rule = std::move(rule);
  f.location = std::move(location);
  f.message = std::move(message);
  f.migration = m.id;
  f.phase = phase;
  f.statement = std::move(statement);
  return f;
}

core::Location anchor_of(const source::Migration& m, core::Phase phase) {
  const auto& script = m.script(phase);
  return script ? script->anchor : core::Location{};
}

std::string first_line(const std::string& s) {
  return s.substr(0, s.find('\n'));
}

// Something outside the migrations ended the run: thrown inside the engine, reported once.
struct Abort {
  core::Location where;
  std::string cause; // "the local PostgreSQL server (postmaster pid 7) was killed by signal 9"
  std::string error; // what failed in the run: PostgreSQL's error, an exception
  bool disk_full = false;
};

// PostgreSQL's disk_full (PostgreSQL docs, Appendix A "PostgreSQL Error Codes"), or a full disk
// named in a message (a PANIC writing WAL says only errno's words).
bool disk_full(const std::string& sqlstate, const std::string& text) {
  return sqlstate == "53100" || text.find("No space left on device") != std::string::npos;
}

class Engine {
public:
  Engine(const std::vector<source::Migration>& migrations, Server& server, Runner& runner,
         const RoundTripOptions& options)
      : m_migrations(migrations), m_server(server), m_runner(runner), m_options(options),
        m_connection(std::make_unique<pqxx::connection>(server.conninfo())) {}

  RoundTripResult run() {
    if (m_migrations.empty()) {
      return std::move(m_result);
    }
    m_current = &m_migrations.front();
    m_runner.set_statement_timeout(m_options.statement_timeout);
    try {
      steps();
    } catch (const Abort& a) {
      report_abort(a);
    } catch (const std::exception& e) {
      if (core::interrupted() != 0) {
        throw Interrupted{core::interrupted()};
      }
      // A connection or a snapshot failed: the server is gone, or full; else say what broke.
      std::string cause = m_server.failure();
      if (core::interrupted() != 0) {
        throw Interrupted{core::interrupted()};
      }
      const std::string what = first_line(e.what());
      report_abort({anchor_of(*m_current, m_phase),
                    cause.empty() ? "the round-trip's connection failed: " + what : cause, what,
                    disk_full("", cause + what)});
    }
    return std::move(m_result);
  }

private:
  void steps() {
    bool stepping = m_options.from.empty();
    size_t total = 0;
    for (const auto& m : m_migrations) {
      stepping = stepping || m.id == m_options.from;
      total += stepping && m.selected ? 1 : 0;
    }
    stepping = m_options.from.empty();
    size_t index = 0;
    Snapshot before = m_snapshots.take(*m_connection);
    for (const auto& m : m_migrations) {
      stepping = stepping || m.id == m_options.from;
      if (!stepping || !m.selected) {
        // Earlier (or unselected) migrations are applied without being stepped.
        const StepResult up = apply(m, core::Phase::Upgrade);
        if (!up.ok) {
          report_failure(up.fatal ? "roundtrip-import-failed" : "roundtrip-upgrade-failed", m,
                         core::Phase::Upgrade, up);
        }
        if (m_stopped) {
          break;
        }
        before = m_snapshots.take(*m_connection, &up.trace);
        continue;
      }
      if (m_options.progress) {
        m_options.progress(++index, total, m);
      }
      before = step(m, before);
      if (m_stopped) {
        break;
      }
      ++m_result.stepped;
    }
  }

  // The one roundtrip-aborted finding: what happened, during which step, and that the run
  // stopped there.
  void report_abort(const Abort& a) {
    std::string cause = a.cause;
    if (a.disk_full) {
      cause = "the round-trip's PostgreSQL ran out of disk space in " + m_server.data_location() +
              ": " + (a.cause.empty() ? a.error : a.cause);
    }
    const source::Migration& m = *m_current;
    const std::string message = cause + ", during the " + std::string(core::to_string(m_phase)) +
                                " of " + m.id +
                                "; the round-trip stopped there, and the migrations after it "
                                "were not stepped";
    m_result.findings.push_back(make("roundtrip-aborted", a.where, message, m, m_phase));
    m_result.aborted = message;
  }

  // A step failed: when the migration does not explain it (the driver or the server is gone,
  // the disk is full), the run ends here.
  void check_environment(const source::Migration& m, core::Phase phase, const StepResult& r) {
    if (core::interrupted() != 0) {
      throw Interrupted{core::interrupted()}; // the handler stopped the server and the driver
    }
    std::string cause = r.fault;
    if (cause.empty()) {
      cause = m_server.failure();
    }
    if (core::interrupted() != 0) {
      throw Interrupted{core::interrupted()};
    }
    const bool full = disk_full(r.sqlstate, r.error + cause);
    if (cause.empty() && !full) {
      return; // the migration's own failure
    }
    const core::Location where =
        r.failed && r.failed->location.file ? r.failed->location : anchor_of(m, phase);
    throw Abort{where, cause, first_line(r.error), full};
  }

  // Applies one script; says once that the project's environment could not run, and stops the
  // history at a migration that cannot run at all (what comes after it depends on it).
  StepResult apply(const source::Migration& m, core::Phase phase) {
    m_current = &m;
    m_phase = phase;
    StepResult r = m_runner.apply(m, phase);
    if (r.environment) {
      core::Finding failed;
      failed.rule = "roundtrip-env-failed";
      failed.location = r.environment->location;
      failed.message = r.environment->message;
      if (!failed.message.empty()) {
        m_result.findings.push_back(failed);
      }
      core::Finding notice = failed;
      notice.rule = "roundtrip-builtin-env";
      notice.message = r.environment->notice;
      m_result.findings.push_back(std::move(notice));
    }
    if (!r.ok) {
      check_environment(m, phase, r);
    }
    if (r.fatal || r.last) {
      m_stopped = true;
      const std::string what = m.selected ? "" : " (applied as context for the migrations named)";
      r.error += "; the migrations after " + m.id + what + " were not run";
    }
    return r;
  }

  // Steps one migration; returns the snapshot the next migration starts from.
  Snapshot step(const source::Migration& m, const Snapshot& before) {
    const StepResult up = apply(m, core::Phase::Upgrade);
    observe(m, core::Phase::Upgrade, up, before);
    if (!up.ok) {
      report_failure(up.fatal ? "roundtrip-import-failed" : "roundtrip-upgrade-failed", m,
                     core::Phase::Upgrade, up);
      return m_snapshots.take(*m_connection, &up.trace);
    }
    const Snapshot upgraded = m_snapshots.take(*m_connection, &up.trace);
    const auto& down = m.downgrade;
    if (!down || down->sql.find_first_not_of(" \t\r\n;") == std::string::npos) {
      // Reported once, as info: the run goes on from the upgraded schema.
      const std::string why = !down                     ? "has no downgrade"
                              : down->body_note.empty() ? "has an empty downgrade"
                                                        : "has a downgrade that " + down->body_note;
      m_result.findings.push_back(
          make("roundtrip-downgrade-skipped", anchor_of(m, core::Phase::Downgrade),
               "migration " + m.id + " " + why + ": its round-trip stops after the upgrade", m,
               core::Phase::Downgrade));
      return upgraded;
    }
    const StepResult back = apply(m, core::Phase::Downgrade);
    observe(m, core::Phase::Downgrade, back, upgraded, &before);
    if (!back.ok) {
      report_failure("roundtrip-downgrade-failed", m, core::Phase::Downgrade, back);
      return m_snapshots.take(*m_connection, &back.trace);
    }
    const Snapshot downgraded = m_snapshots.take(*m_connection, &back.trace);
    if (const auto d = diff(before, downgraded); !d.empty()) {
      m_result.findings.push_back(make("downgrade-leaves-trace",
                                       anchor_of(m, core::Phase::Downgrade),
                                       "after upgrade and downgrade of " + m.id +
                                           " the schema differs from before: " + describe(d),
                                       m, core::Phase::Downgrade));
    }
    const StepResult again = apply(m, core::Phase::Upgrade);
    if (!again.ok) {
      report_failure("upgrade-not-repeatable", m, core::Phase::Upgrade, again,
                     "the upgrade fails when applied again after its downgrade: ");
      if (m_stopped) {
        return m_snapshots.take(*m_connection); // nothing runs after it
      }
      // Continue from a clean copy of the history up to this migration.
      rebuild_through(m);
      return m_snapshots.take(*m_connection);
    }
    const Snapshot reupgraded = m_snapshots.take(*m_connection, &again.trace);
    if (const auto d = diff(upgraded, reupgraded); !d.empty()) {
      m_result.findings.push_back(make("upgrade-not-repeatable", anchor_of(m, core::Phase::Upgrade),
                                       "applied again after its downgrade, the upgrade of " + m.id +
                                           " leaves a different schema: " + describe(d),
                                       m, core::Phase::Upgrade));
    }
    return reupgraded;
  }

  void report_failure(const std::string& rule, const source::Migration& m, core::Phase phase,
                      const StepResult& r, const std::string& prefix = {}) {
    const core::Location where =
        r.failed && r.failed->location.file ? r.failed->location : anchor_of(m, phase);
    const std::string sql = r.failed ? r.failed->sql : std::string();
    m_result.findings.push_back(
        make(rule, where,
             prefix + first_line(r.error) + (sql.empty() ? "" : " (in: " + first_line(sql) + ")"),
             m, phase, sql));
  }

  // Observations: attached to static findings of the same statement, and reported on their own
  // for statements no static finding covers (check/round_trip.cpp merges them).
  // `start`: the schema when the step began, which names the relations observed by OID (only
  // tables and materialized views that existed then count). `existed`: for a downgrade, the
  // schema before the upgrade (tables the upgrade created did not exist before the migration).
  void observe(const source::Migration& m, core::Phase phase, const StepResult& r,
               const Snapshot& start, const Snapshot* existed = nullptr) {
    auto old = [&](const std::string& rel) {
      return existed == nullptr || existed->contains({"table", rel}) ||
             existed->contains({"materialized view", rel});
    };
    for (const auto& s : r.statements) {
      std::string confirmation;
      std::vector<std::string> dangerous;
      std::vector<std::string> rewritten;
      std::map<std::string, std::string> strongest; // per relation: the strongest new lock
      for (const auto& [oid, mode] : s.observation.locks) {
        const std::string* rel = start.table(oid);
        if (rel != nullptr && is_dangerous(mode) && old(*rel) &&
            lock_strength(mode) > lock_strength(strongest[*rel])) {
          strongest[*rel] = mode;
        }
      }
      for (const auto& [rel, mode] : strongest) {
        dangerous.push_back(mode + " on " + rel);
      }
      for (const auto& oid : s.observation.rewritten) {
        if (const std::string* rel = start.table(oid); rel != nullptr && old(*rel)) {
          rewritten.push_back(*rel);
        }
      }
      for (const auto& d : dangerous) {
        confirmation += (confirmation.empty() ? "took " : ", ") + d;
      }
      for (const auto& rel : rewritten) {
        confirmation += (confirmation.empty() ? "rewrote " : ", rewrote ") + rel;
      }
      if (confirmation.empty()) {
        continue;
      }
      m_result.confirmations.emplace_back(s.location, confirmation);
      for (const auto& d : dangerous) {
        const bool reads = d.rfind("ACCESS EXCLUSIVE", 0) == 0;
        m_result.observations.push_back(
            make("dangerous-lock-observed", s.location,
                 "PostgreSQL took " + d + " here, blocking " +
                     (reads ? std::string("reads and writes") : std::string("writes")) +
                     " of a table that existed before the migration",
                 m, phase, s.sql));
      }
      for (const auto& rel : rewritten) {
        m_result.observations.push_back(make("table-rewrite-observed", s.location,
                                             "PostgreSQL rewrote " + rel +
                                                 " here (its relfilenode changed): the whole table "
                                                 "was copied under an exclusive lock",
                                             m, phase, s.sql));
      }
    }
  }

  // After an upgrade that cannot be repeated the database is in between: start again from an
  // empty scratch database and apply every upgrade through `m`.
  void rebuild_through(const source::Migration& m) {
    m_connection.reset();
    recreate_database(m_server);
    m_runner.reconnect();
    for (const auto& earlier : m_migrations) {
      m_runner.apply(earlier, core::Phase::Upgrade);
      if (&earlier == &m) {
        break;
      }
    }
    m_connection = std::make_unique<pqxx::connection>(m_server.conninfo());
    m_snapshots = Snapshotter(); // a new database: nothing known
  }

  const std::vector<source::Migration>& m_migrations;
  Server& m_server;
  Runner& m_runner;
  const RoundTripOptions& m_options;
  std::unique_ptr<pqxx::connection> m_connection;
  Snapshotter m_snapshots;
  RoundTripResult m_result;
  bool m_stopped = false; // a migration that cannot run ended the history
  // The step running (for a failure outside the steps' results: an exception).
  const source::Migration* m_current = nullptr;
  core::Phase m_phase = core::Phase::Upgrade;
};

} // namespace

void recreate_database(Server& server) {
  pqxx::connection admin(server.maintenance_conninfo());
  pqxx::nontransaction n(admin);
  n.exec("DROP DATABASE IF EXISTS " + admin.quote_name(server.database()) + " WITH (FORCE)");
  n.exec("CREATE DATABASE " + admin.quote_name(server.database()));
}

RoundTripResult round_trip(const std::vector<source::Migration>& migrations, Server& server,
                           Runner& runner, const RoundTripOptions& options) {
  return Engine(migrations, server, runner, options).run();
}

} // namespace miglint::roundtrip
