#pragma once

// The round-trip as part of the check: runs each history on a server and merges what it found
// into the static findings.

#include "check/check.hpp"
#include "discover/discover.hpp"
#include "lint/linter.hpp"
#include "roundtrip/engine.hpp"
#include "source/migration.hpp"

#include <vector>

namespace miglint::check {

// Merges one history's round-trip result into `findings` (the static findings, and those of the
// histories merged before). A confirmation (file, line -> "took ACCESS EXCLUSIVE on orders")
// extends the message of each static finding of a rule tagged `locks` on that file and line, and
// the observations of that statement are then dropped: the static finding says it all. The other
// observations are kept for the phases `lint` lints; an unguarded one (a brief lock taken with no
// lock_timeout) only when no missing-lock-timeout finding of the same migration and phase is
// among `findings`. A static finding that takes a confirmation also takes its `observed`. Every
// round-trip finding then goes through the ignore comments of `history` and the linter's selection
// and severities.
void merge_round_trip(roundtrip::RoundTripResult result,
                      const std::vector<source::Migration>& history, const lint::Linter& linter,
                      const lint::LintOptions& lint, std::vector<core::Finding>& findings);

// Runs the round-trip over the discovered histories that have a reported migration (each Alembic
// project, then the SQL migrations, on a fresh scratch database each) and merges the results into
// report.findings; sets report.round_trip_stepped. Status::Environment (said on options.log) when
// the server or the Alembic driver cannot start. Throws roundtrip::Interrupted on a signal, and
// whatever the round-trip throws when the server fails under it.
Status run_round_trip(const Options& options, const discover::Discovery& discovery,
                      const lint::Linter& linter, report::Report& report);

} // namespace miglint::check
