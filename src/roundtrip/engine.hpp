#pragma once

#include "core/finding.hpp"
#include "roundtrip/runner.hpp"
#include "roundtrip/server.hpp"
#include "source/migration.hpp"

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace miglint::roundtrip {

struct RoundTripOptions {
  std::string from; // apply migrations before this id without stepping them
  // Called before each migration is stepped: (index from 1, count, migration).
  std::function<void(size_t, size_t, const source::Migration&)> progress;
  // How long one statement may run (Runner::set_statement_timeout); zero: no limit.
  // `--statement-timeout`, `statement-timeout` in the configuration's [round-trip].
  std::chrono::milliseconds statement_timeout = std::chrono::minutes(5);
  // `--with-data[=ROWS]`: before each migration is stepped, every table without rows gets this
  // many generated rows (roundtrip/seed.hpp), and before its downgrade the tables its upgrade
  // created get as many and those it changed a tenth more; 0 runs on empty tables.
  size_t with_data = 0;
  uint64_t data_seed = 0; // the same seed gives the same rows
  // A dangerous lock held at least this long (from its statement's start to the end of its
  // transaction) counts as held across real work (round_trip(), "Locks reported on their own").
  std::chrono::milliseconds lock_held_threshold = std::chrono::seconds(1);
};

// An observation of a statement, to attach to the static findings on its line whose rule doc
// has `tag`: "took ACCESS EXCLUSIVE on orders, rewrote it" (tag "locks"), "values of
// public.users.full_name ... are gone" ("data-loss"). The observation reported on its own for
// the same statement (a round-trip rule with the same tag: dangerous-lock-observed,
// table-rewrite-observed; data-loss-observed) is then dropped.
struct Confirmation {
  core::Location location;
  std::string text;
  std::string tag = "locks";
  std::optional<core::Observed> observed; // tag "locks": the statement's locks and rewrites
};

struct RoundTripResult {
  std::vector<core::Finding> findings; // roundtrip-*, downgrade-leaves-trace, ...
  // What PostgreSQL was seen doing to tables that existed before (dangerous-lock-observed,
  // table-rewrite-observed, data-loss-observed): reported where no static finding of the same
  // statement says it.
  std::vector<core::Finding> observations;
  // dangerous-lock-observed for brief locks taken with no lock_timeout in force, and nothing
  // else against them: reported only when no static finding explains them (no missing-lock-timeout
  // finding in the same migration and phase, which covers the wait; check/round_trip.cpp).
  std::vector<core::Finding> unguarded;
  // Observations of statements, to attach to static findings on the same statement.
  std::vector<Confirmation> confirmations;
  size_t stepped = 0;
  // Non-empty when something outside the migrations ended the round-trip early: the server was
  // killed or stopped, its disk is full, the Alembic driver was killed, the connection broke.
  // The same words are the one `roundtrip-aborted` finding among `findings` (on the statement
  // or migration that was running); nothing after it was stepped. An environment error
  // (exit code 3), though the report is still written.
  std::string aborted;
  // With data: "seeded 6,900 rows into 23 tables in 0.41 s (16,829 rows/s)"; empty without.
  std::string data_summary;
};

// Drops the scratch database and creates it again, empty.
void recreate_database(Server& server);

// For each migration in order: upgrade, snapshot; downgrade, snapshot, compare with the schema
// before the upgrade; upgrade again, compare with the first upgrade. Each statement's locks and
// rewrites are observed. One failing migration does not stop the check of the others; a failure
// the migration does not explain does (RoundTripResult::aborted): after a failed step or an
// exception the engine asks the server (Server::failure) and looks for a full disk (SQLSTATE
// 53100, "No space left on device"; PostgreSQL docs, Appendix A "PostgreSQL Error Codes").
//
// With data (options.with_data > 0), tables are seeded before each step (and before its
// downgrade), each statement's duration and the time its locks were held are reported with
// the table's row count ("held ACCESS EXCLUSIVE on public.orders for 35 ms with 10,000 rows"),
// and these findings come out:
// - roundtrip-fails-with-data: a phase that fails, passes once the seeded rows are deleted (the
//   failure is the rows': "fails on a table with rows: column "status" of relation "orders"
//   contains null values"), on the failing statement's line. The step goes on from the phase
//   applied without rows. A phase that still fails is reported as without data, with the error
//   it had with rows.
// - data-loss-observed: for the tables the migration names, the values before the step are
//   compared after the upgrade, after the downgrade and after the upgrade applied again
//   (roundtrip/values.hpp); a column gone whose values no column holds is reported once per
//   step, on the statement that dropped it, and as a confirmation (tag "data-loss").
// - roundtrip-seed-failed (info): a table that could not be seeded, once per definition.
//
// Locks attributed to a statement. After each statement run in a transaction, the runner reads
// pg_locks for its own backend (granted relation locks; PostgreSQL docs, "pg_locks") and the
// session's lock_timeout (current_setting). A lock stays held until the end of its transaction
// and a transaction never conflicts with itself ("Explicit Locking", 13.3.1 Table-Level Locks):
// a statement that needs a mode the transaction already holds, or a weaker one, takes nothing new
// and runs under the held lock. So a statement is attributed, on each table that existed before
// the migration and that it touched (took any new lock on, rewrote, or names: the effect table's
// locks_taken, lint/effects.hpp), the strongest mode (SHARE UPDATE EXCLUSIVE and up) the
// transaction held there once it ended: what it needed, or the stronger lock it ran under
// ("held ACCESS EXCLUSIVE on public.orders (taken earlier in its transaction)"). An ADD COLUMN
// with a volatile default after another ALTER of its table in the same transaction is thus seen
// holding ACCESS EXCLUSIVE and rewriting. Statements run outside a transaction (CONCURRENTLY)
// release their locks before they can be read: only their rewrites are seen. Each observation
// goes to Confirmation::observed and core::Finding::observed (JSON `observed`, SARIF
// `properties.observed`).
//
// Locks reported on their own (dangerous-lock-observed; rules/dangerous-lock-observed.md): a
// mode that blocks writes (SHARE and up) on such a table, only when the lock
// - was held across real work: the statement rewrote a table (seen), or reads every row under
//   it by the effect table (a validated constraint, an index build, SET NOT NULL, a whole-table
//   UPDATE or DELETE), or it was held at least RoundTripOptions::lock_held_threshold (from the
//   statement's start to its transaction's end; with --with-data, where time means rows); or
// - was taken by the statement with lock_timeout 0 in its session (RoundTripResult::unguarded:
//   dropped when the migration's phase has a missing-lock-timeout finding, which covers it).
// A brief lock under a lock_timeout (ADD COLUMN without a default, DROP COLUMN, CREATE TABLE
// with a foreign key) only hurts while it waits, and the timeout bounds that: not reported. And
// a static finding tagged `locks` on the statement's line takes the observation instead.
RoundTripResult round_trip(const std::vector<source::Migration>& migrations, Server& server,
                           Runner& runner, const RoundTripOptions& options);

} // namespace miglint::roundtrip
