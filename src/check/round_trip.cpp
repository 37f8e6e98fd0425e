#include "check/round_trip.hpp"

#include "core/process.hpp"
#include "lint/catalog.hpp"
#include "roundtrip/alembic_runner.hpp"
#include "roundtrip/sql_runner.hpp"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>

namespace miglint::check {
namespace fs = std::filesystem;

namespace {

bool same_line(const core::Location& a, const core::Location& b) {
  return a.file && b.file && a.file->path() == b.file->path() && a.start().line == b.start().line;
}

bool any_selected(const std::vector<source::Migration>& migrations) {
  return std::any_of(migrations.begin(), migrations.end(),
                     [](const source::Migration& m) { return m.selected; });
}

// The Alembic driver of one project. A versions directory without env.py above it runs in the
// driver's built-in environment, with the directory as the script directory.
std::unique_ptr<roundtrip::AlembicRunner> launch(const std::string& python,
                                                 const std::vector<source::Migration>& migrations,
                                                 std::string& error) {
  std::string project = migrations.front().project;
  const auto& first = migrations.front().upgrade;
  if (project.empty() && first && first->anchor.file) {
    project = fs::path(first->anchor.file->path()).parent_path().string();
    project = project.empty() ? "." : project;
  }
  return roundtrip::AlembicRunner::launch(python, project, error);
}

void throw_if_interrupted() {
  if (core::interrupted() != 0) {
    throw roundtrip::Interrupted{core::interrupted()};
  }
}

} // namespace

void merge_round_trip(roundtrip::RoundTripResult result,
                      const std::vector<source::Migration>& history, const lint::Linter& linter,
                      const lint::LintOptions& lint, std::vector<core::Finding>& findings) {
  std::vector<const roundtrip::Confirmation*> confirmed;
  for (auto& f : findings) {
    const lint::RuleDoc* doc = lint::find_rule_doc(f.rule);
    if (doc == nullptr || doc->kind == lint::RuleKind::RoundTrip || !f.phase) {
      continue; // only static findings are confirmed
    }
    for (const auto& c : result.confirmations) {
      // Only rules tagged for an observation take it: locks and rewrites (`locks`), observed
      // data loss (`data-loss`).
      if (doc->has_tag(c.tag) && same_line(f.location, c.location)) {
        f.message += "; confirmed by the round-trip: " + c.text;
        if (c.observed && !f.observed) {
          f.observed = c.observed;
        }
        confirmed.push_back(&c);
      }
    }
  }
  // An observation a static finding took is not reported again on its own: a round-trip finding
  // with the confirmation's tag on the same line.
  auto taken = [&](const core::Finding& f) {
    const lint::RuleDoc* doc = lint::find_rule_doc(f.rule);
    return doc != nullptr &&
           std::any_of(confirmed.begin(), confirmed.end(), [&](const roundtrip::Confirmation* c) {
             return doc->has_tag(c->tag) && same_line(c->location, f.location);
           });
  };
  std::erase_if(result.findings, taken);
  // A brief lock taken with no lock_timeout: the migration's phase's missing-lock-timeout
  // finding already says so.
  auto explained = [&](const core::Finding& f) {
    return std::any_of(findings.begin(), findings.end(), [&](const core::Finding& s) {
      return s.rule == "missing-lock-timeout" && s.migration == f.migration && s.phase == f.phase &&
             s.location.path() == f.location.path();
    });
  };
  std::erase_if(result.unguarded, explained);
  result.observations.insert(result.observations.end(), result.unguarded.begin(),
                             result.unguarded.end());
  // Observations follow the phases linted, like static findings; failures are always shown.
  std::erase_if(result.observations, [&](const core::Finding& f) {
    const bool linted = f.phase == core::Phase::Downgrade ? lint.downgrade : lint.upgrade;
    return !linted || taken(f);
  });
  result.findings.insert(result.findings.end(), result.observations.begin(),
                         result.observations.end());
  lint::Linter::suppress(result.findings, history);
  linter.finish(result.findings);
  findings.insert(findings.end(), result.findings.begin(), result.findings.end());
}

Status run_round_trip(const Options& o, const discover::Discovery& discovery,
                      const lint::Linter& linter, report::Report& report) {
  std::ostream& log = *o.log;
  // One history at a time: the Alembic projects, then the SQL migrations. A history none of whose
  // migrations is reported (--diff-base, exclude) is not run at all.
  std::map<std::string, std::vector<source::Migration>> groups;
  for (const auto& m : discovery.migrations) {
    groups[m.layout == "alembic" ? "alembic:" + m.project : "sql"].push_back(m);
  }
  std::erase_if(groups, [](const auto& group) { return !any_selected(group.second); });
  if (groups.empty()) {
    log << "miglint: round-trip: no migration to step\n";
    return Status::Ok;
  }
  core::install_signal_handlers();
  roundtrip::ServerOptions server_options = o.round_trip.server;
  server_options.pg_version = o.lint.pg_version; // docker: the image postgres:<major>
  if (server_options.provider == "url" && server_options.database_url.empty()) {
    if (const char* env = std::getenv(o.round_trip.database_url_env.c_str())) {
      server_options.database_url = env;
    }
  }
  // The first Alembic driver imports Alembic and reads the project while the server starts.
  std::unique_ptr<roundtrip::AlembicRunner> early;
  std::string early_error;
  if (groups.begin()->first != "sql") {
    early = launch(o.round_trip.python, groups.begin()->second, early_error);
  }
  roundtrip::Started started = roundtrip::start_server(server_options);
  throw_if_interrupted(); // the start was cut short, not refused
  if (!started.server) {
    log << "miglint: cannot start the round-trip's PostgreSQL: " << started.error << '\n';
    return Status::Environment;
  }
  log << "miglint: round-trip on " << started.server->description() << '\n';
  if (!started.server->note().empty()) {
    log << "miglint: note: " << started.server->note() << '\n';
  }
  bool first = true;
  for (const auto& [key, migrations] : groups) {
    if (!first) {
      roundtrip::recreate_database(*started.server);
    }
    std::unique_ptr<roundtrip::Runner> runner;
    if (key != "sql") {
      std::string error;
      auto alembic = first ? std::move(early) : launch(o.round_trip.python, migrations, error);
      error = first ? early_error : error;
      const bool ok = alembic && alembic->connect(*started.server, error);
      throw_if_interrupted();
      if (!ok) {
        log << "miglint: " << error << '\n';
        return Status::Environment;
      }
      log << "miglint: running " << alembic->versions() << '\n';
      runner = std::move(alembic);
    } else {
      runner = std::make_unique<roundtrip::SqlRunner>(started.server->conninfo());
    }
    first = false;
    roundtrip::RoundTripOptions options;
    options.from = o.round_trip.from;
    options.statement_timeout = o.round_trip.statement_timeout;
    options.with_data = o.round_trip.with_data;
    options.lock_held_threshold = o.round_trip.lock_held_threshold;
    const bool tty = o.log_is_terminal;
    options.progress = [tty, &log](size_t n, size_t total, const source::Migration& m) {
      if (tty) {
        log << "\r\033[K[" << n << '/' << total << "] " << m.name << std::flush;
      } else {
        log << "round-trip " << n << '/' << total << ": " << m.id << " (" << m.name << ")\n";
      }
    };
    auto result = roundtrip::round_trip(migrations, *started.server, *runner, options);
    report.round_trip_stepped += result.stepped;
    if (tty) {
      log << "\r\033[K";
    }
    log << "miglint: round-trip stepped " << result.stepped << " migration"
        << (result.stepped == 1 ? "" : "s") << '\n';
    if (!result.data_summary.empty()) {
      log << "miglint: " << result.data_summary << '\n';
    }
    const std::string aborted = result.aborted;
    merge_round_trip(std::move(result), migrations, linter, o.lint, report.findings);
    if (!aborted.empty()) {
      log << "miglint: the round-trip stopped early: " << aborted << '\n';
      return Status::Aborted;
    }
  }
  return Status::Ok;
}

} // namespace miglint::check
