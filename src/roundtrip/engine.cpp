#include "roundtrip/engine.hpp"

#include "core/process.hpp"
#include "lint/effects.hpp"
#include "lint/schema_state.hpp"
#include "roundtrip/observer.hpp"
#include "roundtrip/seed.hpp"
#include "roundtrip/snapshot.hpp"
#include "roundtrip/values.hpp"
#include "sql/parser.hpp"

#include <pqxx/pqxx>

#include <algorithm>
#include <cstdio>
#include <map>
#include <optional>

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

// "35 ms", "3.2 ms", "1.24 s"
std::string duration(double ms) {
  char buf[32];
  if (ms >= 1000) {
    std::snprintf(buf, sizeof buf, "%.2f s", ms / 1000);
  } else if (ms >= 10) {
    std::snprintf(buf, sizeof buf, "%.0f ms", ms);
  } else {
    std::snprintf(buf, sizeof buf, "%.1f ms", ms);
  }
  return buf;
}

std::string rows_text(uint64_t n) {
  return with_separators(n) + (n == 1 ? " row" : " rows");
}

std::string lower(std::string s) {
  for (auto& c : s) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return s;
}

// Whether a statement's name of a relation is the table `qualified` ("public.users").
bool same_table(const sql::QualifiedName& name, const std::string& qualified) {
  const std::string key = lower(name.key());
  return key == lower(qualified) ||
         (name.schema.empty() &&
          lower(name.name) == lower(qualified.substr(qualified.find('.') + 1)));
}

// The statement of a phase that lost the values of `lost`: the one dropping its table or one of
// its columns (the lost one first), else one naming the table, else none.
const ExecutedStatement* losing_statement(const std::vector<ExecutedStatement>& statements,
                                          const LostValues& lost) {
  const ExecutedStatement* best = nullptr;
  int best_rank = 99;
  const std::string relname = lower(lost.table.substr(lost.table.find('.') + 1));
  for (const auto& s : statements) {
    int rank = 99;
    const sql::ParsedScript parsed = sql::parse(s.sql);
    for (const auto& st : parsed.statements) {
      if (const auto* drop = st.as<sql::Drop>()) {
        for (const auto& o : drop->objects) {
          if (drop->kind == sql::ObjectKind::Table && same_table(o, lost.table)) {
            rank = std::min(rank, 1);
          }
        }
        if (drop->cascade) {
          rank = std::min(rank, 3);
        }
      } else if (const auto* alter = st.as<sql::AlterTable>();
                 alter != nullptr && same_table(alter->table, lost.table)) {
        for (const auto& cmd : alter->cmds) {
          if (cmd.kind == sql::AlterKind::DropColumn) {
            const bool mine = std::find(lost.columns.begin(), lost.columns.end(), cmd.column) !=
                              lost.columns.end();
            rank = std::min(rank, mine ? 1 : 2);
          }
        }
      }
    }
    if (rank == 99 && lower(s.sql).find(relname) != std::string::npos) {
      rank = 4;
    }
    if (rank < best_rank) {
      best_rank = rank;
      best = &s;
    }
  }
  return best;
}

class Engine {
public:
  Engine(const std::vector<source::Migration>& migrations, Server& server, Runner& runner,
         const RoundTripOptions& options)
      : m_migrations(migrations), m_server(server), m_runner(runner), m_options(options),
        m_connection(std::make_unique<pqxx::connection>(server.conninfo())) {
    if (options.with_data > 0) {
      m_seeder.emplace(SeedOptions{options.with_data, options.data_seed});
    }
  }

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
    if (m_seeder) {
      const double rate = m_seed_ms > 0 ? static_cast<double>(m_seed_rows) * 1000 / m_seed_ms : 0;
      char seconds[32];
      std::snprintf(seconds, sizeof seconds, "%.2f s", m_seed_ms / 1000);
      m_result.data_summary = "seeded " + rows_text(m_seed_rows) + " into " +
                              std::to_string(m_seed_tables.size()) + " table" +
                              (m_seed_tables.size() == 1 ? "" : "s") + " in " + seconds + " (" +
                              with_separators(static_cast<uint64_t>(rate)) + " rows/s)";
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
    Snapshot before = snapshot(nullptr);
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
        before = snapshot(&up.trace);
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

  // A snapshot after a step: the transactions miglint ran itself since the last one (seeding,
  // deleting seeded rows) change no catalog row, so the step's trace may count them as seen.
  Snapshot snapshot(const StepTrace* trace) {
    if (trace == nullptr) {
      m_own_xids.clear();
      return m_snapshots.take(*m_connection);
    }
    StepTrace t = *trace;
    t.xids.insert(m_own_xids.begin(), m_own_xids.end());
    m_own_xids.clear();
    return m_snapshots.take(*m_connection, &t);
  }

  // With data: seeds the tables without rows (and grows `grow`), and says which could not be.
  void seed(const source::Migration& m, core::Phase phase, const std::set<std::string>& grow) {
    const SeedReport r = m_seeder->seed(*m_connection, grow);
    m_own_xids.insert(r.xids.begin(), r.xids.end());
    m_seed_rows += r.rows;
    m_seed_tables.insert(r.tables.begin(), r.tables.end());
    m_seed_ms += r.ms;
    const std::string when = phase == core::Phase::Upgrade ? "before migration " + m.id
                                                           : "before the downgrade of " + m.id;
    for (const auto& p : r.problems) {
      m_result.findings.push_back(
          make("roundtrip-seed-failed", anchor_of(m, core::Phase::Upgrade),
               "miglint could not give " + p.table + " rows " + when +
                   " (the round-trip goes on with the table empty): " + p.reason,
               m, core::Phase::Upgrade));
    }
  }

  // After a phase failed with data: deletes the seeded rows of the tables the migration names
  // (and of their children) and applies the phase again. Its trace is added to `trace`.
  std::optional<StepResult> again_without_rows(const source::Migration& m, core::Phase phase,
                                               StepTrace& trace) {
    if (!m_seeder || !m_seeder->seeded_any()) {
      return std::nullopt;
    }
    const auto [text, all] = named(m);
    if (!m_seeder->clear(*m_connection, text, all, m_own_xids)) {
      return std::nullopt; // no rows of its tables: the failure is not theirs
    }
    StepResult r = apply(m, phase);
    trace.xids.insert(r.trace.xids.begin(), r.trace.xids.end());
    trace.relations.insert(r.trace.relations.begin(), r.trace.relations.end());
    return r;
  }

  // The migration's SQL, lower-cased, for the tables it names; `all` when that SQL is not all
  // that runs (code miglint could not read) or a CASCADE may reach other tables.
  std::pair<std::string, bool> named(const source::Migration& m) const {
    std::string text;
    for (const auto* script : {&m.upgrade, &m.downgrade}) {
      if (*script) {
        text += lower((*script)->sql) + "\n";
      }
    }
    const bool all = text.find("cascade") != std::string::npos ||
                     std::any_of(m.findings.begin(), m.findings.end(), [](const core::Finding& f) {
                       return f.rule == "unanalyzable-code";
                     });
    return {std::move(text), all};
  }

  // Data loss since the capture before the step: reported on the statement that lost it.
  void check_loss(const source::Migration& m, core::Phase phase, const StepResult& r,
                  const std::string& when, const Snapshot* before, const Snapshot* after) {
    if (!m_seeder || m_values.empty()) {
      return;
    }
    const auto [text, all] = named(m);
    // When every statement's locks were seen, the trace names every table the phase could have
    // dropped a column of.
    const bool complete =
        std::all_of(r.statements.begin(), r.statements.end(),
                    [](const ExecutedStatement& s) { return s.observation.observed; });
    for (const auto& lost :
         m_values.lost(*m_connection, text, all, complete ? &r.trace.relations : nullptr)) {
      const ExecutedStatement* s = losing_statement(r.statements, lost);
      const core::Location where = s != nullptr ? s->location : anchor_of(m, phase);
      std::string what;
      if (lost.table_gone && lost.columns.size() > 1) {
        what = "values of " + lost.table + " (" + rows_text(lost.rows) + ")";
      } else {
        std::string columns;
        for (const auto& c : lost.columns) {
          columns += (columns.empty() ? "" : ", ") + lost.table + "." + c;
        }
        what = "values of " + columns + " (" + rows_text(lost.rows) + ")";
      }
      // A column of the table added in the same phase: a rename written as drop and add.
      bool drop_add = false;
      if (!lost.table_gone && before != nullptr && after != nullptr) {
        for (const auto& d : diff(*before, *after)) {
          drop_add = drop_add || (d.change == Difference::Kind::Added && d.kind == "column" &&
                                  d.name.rfind(lost.table + ".", 0) == 0);
        }
      }
      const std::string reason =
          drop_add ? "the drop+add loses data (a column dropped and another added: a rename "
                     "written as a drop and an add)"
          : lost.table_gone ? "the table is dropped and no table holds them now"
                            : "the column is dropped and no column holds them now";
      m_result.findings.push_back(make("data-loss-observed", where,
                                       what + " are gone " + when + ": " + reason, m, phase,
                                       s != nullptr ? s->sql : std::string()));
      if (s != nullptr) {
        if (auto it = m_observed.find({s->location.path(), s->location.begin});
            it != m_observed.end()) {
          m_result.findings.back().observed = it->second;
        }
      }
      m_result.confirmations.push_back(
          {where, what + " are gone " + when + (drop_add ? ": the drop+add loses data" : ""),
           "data-loss", std::nullopt});
    }
  }

  // Steps one migration; returns the snapshot the next migration starts from.
  Snapshot step(const source::Migration& m, const Snapshot& before) {
    m_observed.clear();
    if (m_seeder) {
      seed(m, core::Phase::Upgrade, {});
      const auto [text, all] = named(m);
      m_values.capture(*m_connection, text, all);
    }
    StepResult up = apply(m, core::Phase::Upgrade);
    observe(m, core::Phase::Upgrade, up, before);
    StepTrace up_trace = up.trace;
    bool rows_deleted = false; // the seeded rows are gone: nothing to compare
    bool failed_rows = false;  // the upgrade failed on rows: its second application will too
    if (!up.ok && !up.fatal) {
      if (auto retry = again_without_rows(m, core::Phase::Upgrade, up_trace)) {
        rows_deleted = true;
        if (retry->ok) {
          report_failure("roundtrip-fails-with-data", m, core::Phase::Upgrade, up,
                         "fails on a table with rows: ");
          up = std::move(*retry);
          failed_rows = true;
        }
      }
    }
    if (!up.ok) {
      report_failure(up.fatal ? "roundtrip-import-failed" : "roundtrip-upgrade-failed", m,
                     core::Phase::Upgrade, up);
      return snapshot(&up_trace);
    }
    const Snapshot upgraded = snapshot(&up_trace);
    if (!rows_deleted) {
      check_loss(m, core::Phase::Upgrade, up, "after the upgrade", &before, &upgraded);
    }
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
    if (m_seeder) {
      // Rows the new release would write: the tables the upgrade created, and a tenth more in
      // those whose columns or constraints it changed (not those it only indexed).
      std::set<std::string> changed;
      std::set<std::string> grow;
      for (const auto& d : diff(before, upgraded)) {
        if (d.kind == "column" || d.kind == "constraint") {
          changed.insert(d.name.substr(0, d.name.rfind('.')));
        }
      }
      for (const auto& oid : up_trace.relations) {
        if (const std::string* t = upgraded.table(oid); t != nullptr && changed.contains(*t)) {
          grow.insert(oid);
        }
      }
      seed(m, core::Phase::Downgrade, grow);
    }
    StepResult back = apply(m, core::Phase::Downgrade);
    observe(m, core::Phase::Downgrade, back, upgraded, &before);
    StepTrace back_trace = back.trace;
    if (!back.ok) {
      if (auto retry = again_without_rows(m, core::Phase::Downgrade, back_trace)) {
        rows_deleted = true;
        if (retry->ok) {
          report_failure("roundtrip-fails-with-data", m, core::Phase::Downgrade, back,
                         "the downgrade fails on a table with rows: ");
          back = std::move(*retry);
        }
      }
    }
    if (!back.ok) {
      report_failure("roundtrip-downgrade-failed", m, core::Phase::Downgrade, back);
      return snapshot(&back_trace);
    }
    const Snapshot downgraded = snapshot(&back_trace);
    if (const auto d = diff(before, downgraded); !d.empty()) {
      m_result.findings.push_back(make("downgrade-leaves-trace",
                                       anchor_of(m, core::Phase::Downgrade),
                                       "after upgrade and downgrade of " + m.id +
                                           " the schema differs from before: " + describe(d),
                                       m, core::Phase::Downgrade));
    }
    if (!rows_deleted) {
      check_loss(m, core::Phase::Downgrade, back, "after the downgrade", nullptr, nullptr);
    }
    StepResult again = apply(m, core::Phase::Upgrade);
    StepTrace again_trace = again.trace;
    if (!again.ok) {
      if (auto retry = again_without_rows(m, core::Phase::Upgrade, again_trace)) {
        rows_deleted = true;
        if (retry->ok) {
          if (!failed_rows) {
            report_failure("roundtrip-fails-with-data", m, core::Phase::Upgrade, again,
                           "applied again after its downgrade, the upgrade fails on a table "
                           "with rows: ");
          }
          again = std::move(*retry);
        }
      }
    }
    if (!again.ok) {
      report_failure("upgrade-not-repeatable", m, core::Phase::Upgrade, again,
                     "the upgrade fails when applied again after its downgrade: ");
      if (m_stopped) {
        return m_snapshots.take(*m_connection); // nothing runs after it
      }
      // Continue from a clean copy of the history up to this migration.
      rebuild_through(m);
      return snapshot(nullptr);
    }
    const Snapshot reupgraded = snapshot(&again_trace);
    if (const auto d = diff(upgraded, reupgraded); !d.empty()) {
      m_result.findings.push_back(make("upgrade-not-repeatable", anchor_of(m, core::Phase::Upgrade),
                                       "applied again after its downgrade, the upgrade of " + m.id +
                                           " leaves a different schema: " + describe(d),
                                       m, core::Phase::Upgrade));
    }
    if (!rows_deleted) {
      check_loss(m, core::Phase::Upgrade, again, "after the downgrade and the upgrade again",
                 &downgraded, &reupgraded);
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

  // The server's major, for the effect table (lint/effects.hpp).
  int major() {
    if (m_major == 0) {
      m_major = m_connection->server_version() / 10000;
    }
    return m_major;
  }

  // Observations: attached to static findings of the same statement, and reported on their own
  // for statements no static finding covers (check/round_trip.cpp merges them). How a lock is
  // attributed and when it is reported on its own: engine.hpp, round_trip().
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
      const bool locked_old = std::any_of(
          s.observation.locks.begin(), s.observation.locks.end(), [&](const HeldLock& l) {
            const std::string* rel = start.table(l.oid);
            return rel != nullptr && old(*rel) &&
                   lock_strength(l.mode) >= lock_strength("SHARE UPDATE EXCLUSIVE");
          });
      if (!locked_old && s.observation.rewritten.empty()) {
        continue; // nothing on a table that existed before: no need to read the statement
      }
      const StatementFacts facts = statement_facts(s.sql);
      // The relations the statement touched: a lock it took, a file it replaced, a table it
      // names. Of each, the strongest lock its transaction held once it ended.
      std::set<std::string> touched;
      for (const auto& l : s.observation.locks) {
        if (l.taken) {
          touched.insert(l.oid);
        }
      }
      touched.insert(s.observation.rewritten.begin(), s.observation.rewritten.end());
      struct Held {
        std::string mode;
        bool taken = false;
      };
      std::map<std::string, Held> strongest; // by relation name
      for (const auto& l : s.observation.locks) {
        const std::string* rel = start.table(l.oid);
        if (rel == nullptr || !old(*rel) ||
            lock_strength(l.mode) < lock_strength("SHARE UPDATE EXCLUSIVE")) {
          continue;
        }
        const bool named = std::any_of(facts.tables.begin(), facts.tables.end(),
                                       [&](const auto& t) { return same_table(t, *rel); });
        if (!touched.contains(l.oid) && !named) {
          continue;
        }
        Held& h = strongest[*rel];
        if (lock_strength(l.mode) > lock_strength(h.mode)) {
          h = {l.mode, l.taken};
        }
      }
      std::vector<std::string> rewritten;
      for (const auto& oid : s.observation.rewritten) {
        if (const std::string* rel = start.table(oid); rel != nullptr && old(*rel)) {
          rewritten.push_back(*rel);
        }
      }
      if (strongest.empty() && rewritten.empty()) {
        continue;
      }
      core::Observed observed;
      for (const auto& [rel, h] : strongest) {
        observed.locks.push_back({rel, h.mode});
      }
      observed.rewrites = rewritten;
      observed.duration_ms = s.duration_ms;
      observed.held_ms = s.held_ms;
      // What grows with rows, for an estimate at production size (stats/stats.hpp): the rewrite
      // seen, else the scan the effect table names. Anything else only changes the catalog.
      observed.grows = !rewritten.empty() ? std::string("a rewrite")
                       : facts.scans      ? facts.scan_what
                                          : std::string();
      if (m_seeder) {
        auto count = [&](const std::string& rel) {
          const TableValues* t = m_values.table(rel);
          const bool listed = std::any_of(observed.rows.begin(), observed.rows.end(),
                                          [&](const auto& seen) { return seen.first == rel; });
          if (!listed) { // 0: none counted (the table had none, or the migration names it not)
            observed.rows.emplace_back(rel, t != nullptr ? t->rows : 0);
          }
        };
        for (const auto& [rel, h] : strongest) {
          count(rel);
        }
        for (const auto& rel : rewritten) {
          count(rel);
        }
      }
      // With data: how long, on how many rows.
      auto with_rows = [&](const std::string& rel) {
        const TableValues* t = m_seeder ? m_values.table(rel) : nullptr;
        return t != nullptr ? " with " + rows_text(t->rows) : std::string();
      };
      const bool timed = m_seeder && s.held_ms >= 0;
      auto earlier = [](const Held& h) {
        return h.taken ? std::string() : std::string(" (taken earlier in its transaction)");
      };
      std::string confirmation;
      for (const auto& [rel, h] : strongest) {
        confirmation += (confirmation.empty() ? "" : ", ") +
                        (timed ? "held " + h.mode + " on " + rel + earlier(h) + " for " +
                                     duration(s.held_ms) + with_rows(rel)
                               : (confirmation.empty() ? (h.taken ? "took " : "held ") : "") +
                                     h.mode + " on " + rel + earlier(h));
      }
      for (const auto& rel : rewritten) {
        confirmation += (confirmation.empty() ? "rewrote " : ", rewrote ") + rel +
                        (timed ? " in " + duration(s.duration_ms) + with_rows(rel) : "");
      }
      m_result.confirmations.push_back({s.location, confirmation, "locks", observed});
      m_observed[{s.location.path(), s.location.begin}] = observed;

      // Reported on its own (when no static finding on the line takes it): a lock that blocks
      // reads or writes, held across real work, or taken with no lock_timeout in force.
      const double held = s.held_ms >= 0 ? s.held_ms : s.duration_ms;
      const bool long_held =
          held >= 0 && held >= static_cast<double>(m_options.lock_held_threshold.count());
      const bool unguarded = s.observation.lock_timeout == "0";
      for (const auto& [rel, h] : strongest) {
        if (!is_dangerous(h.mode)) {
          continue;
        }
        std::string why;
        if (!rewritten.empty()) {
          why = "while it rewrote " + rewritten.front();
        } else if (facts.scans) {
          why = "while it read every row (" + facts.scan_what + ")";
        } else if (long_held) {
          why = "for " + duration(held) + " (at least the round-trip's lock threshold of " +
                duration(static_cast<double>(m_options.lock_held_threshold.count())) + ")";
        } else if (unguarded && h.taken) {
          why = "with no lock_timeout in force in the migration's session: while it waits "
                "behind a long query, every query on the table queues behind it";
        } else {
          continue; // brief, with a lock_timeout: it hurts only while waiting, and gives up
        }
        const std::string blocking =
            h.mode == "ACCESS EXCLUSIVE" ? std::string("reads and writes") : std::string("writes");
        core::Finding f =
            make("dangerous-lock-observed", s.location,
                 "PostgreSQL held " + h.mode + " on " + rel + earlier(h) + " here " + why +
                     (timed && !long_held ? " (held " + duration(s.held_ms) + with_rows(rel) + ")"
                                          : "") +
                     ", blocking " + blocking + " of a table that existed before the migration",
                 m, phase, s.sql);
        f.observed = observed;
        const bool work = !rewritten.empty() || facts.scans || long_held;
        (work ? m_result.observations : m_result.unguarded).push_back(std::move(f));
      }
      for (const auto& rel : rewritten) {
        core::Finding f =
            make("table-rewrite-observed", s.location,
                 "PostgreSQL rewrote " + rel + " here" +
                     (timed ? " in " + duration(s.duration_ms) + with_rows(rel) : "") +
                     " (its relfilenode changed): the whole table was copied under an exclusive "
                     "lock",
                 m, phase, s.sql);
        f.observed = observed;
        m_result.observations.push_back(std::move(f));
      }
    }
  }

  // What the statement's SQL says, by the effect table on the server's major: the tables it
  // names and whether it reads every row under its lock.
  struct StatementFacts {
    std::vector<sql::QualifiedName> tables;
    bool scans = false;
    std::string scan_what; // "VALIDATE CONSTRAINT": the effect table row's statement
  };
  StatementFacts statement_facts(const std::string& text) {
    StatementFacts out;
    const sql::ParsedScript parsed = sql::parse(text);
    const lint::SchemaState schema;
    const lint::SessionFacts session;
    for (const auto& st : parsed.statements) {
      for (const auto& t : lint::locks_taken(st, schema, session, major())) {
        out.tables.push_back(t.table);
      }
      if (const auto* dml = st.as<sql::Dml>()) {
        out.tables.push_back(dml->table);
        if (dml->kind != sql::DmlKind::Insert && dml->whole_table() && !out.scans) {
          out.scans = true;
          out.scan_what = "an UPDATE or DELETE of every row";
        }
      }
      if (const auto* domain = st.as<sql::AlterDomain>();
          domain != nullptr && lint::works_under_lock(st, schema, session, major()) && !out.scans) {
        out.scans = true;
        out.scan_what = "ALTER DOMAIN checks every column of the domain";
      }
      // Rewrites are seen, not predicted: with no schema, a type change counts as one.
      for (const lint::Op op : lint::operations_of(st, schema, session)) {
        if (const auto e = lint::effect_of(op, major());
            e && e->scan && !e->rewrite && !out.scans) {
          out.scans = true;
          out.scan_what = std::string(lint::effect_row(op).statement);
        }
      }
    }
    return out;
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
    m_own_xids.clear();
    if (m_seeder) {
      m_seeder->reset();
    }
  }

  const std::vector<source::Migration>& m_migrations;
  Server& m_server;
  Runner& m_runner;
  const RoundTripOptions& m_options;
  std::unique_ptr<pqxx::connection> m_connection;
  int m_major = 0; // of the server, once asked
  // The observations of the statements of the step, by location (for data-loss-observed).
  std::map<std::pair<std::string, uint32_t>, core::Observed> m_observed;
  Snapshotter m_snapshots;
  RoundTripResult m_result;
  bool m_stopped = false; // a migration that cannot run ended the history
  // The step running (for a failure outside the steps' results: an exception).
  const source::Migration* m_current = nullptr;
  core::Phase m_phase = core::Phase::Upgrade;
  // With data:
  std::optional<Seeder> m_seeder;
  ValueTracker m_values;         // the tables the stepped migration names, before it
  std::set<uint64_t> m_own_xids; // miglint's own transactions since the last snapshot
  size_t m_seed_rows = 0;
  std::set<std::string> m_seed_tables; // names: a table seeded again counts once
  double m_seed_ms = 0;
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
