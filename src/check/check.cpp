#include "check/check.hpp"

#include "check/git.hpp"
#include "check/round_trip.hpp"
#include "config/diesel_guard.hpp"
#include "core/parallel.hpp"
#include "core/process.hpp"
#include "discover/discover.hpp"
#include "lint/catalog.hpp"
#include "roundtrip/runner.hpp"

#include <algorithm>
#include <filesystem>
#include <fnmatch.h>
#include <map>
#include <set>

namespace miglint::check {
namespace fs = std::filesystem;

namespace {

// Whether `file` matches `glob` taken relative to `base`: a glob without a slash matches a file
// or directory name anywhere, one with a slash the path from `base` or one of its parents.
bool excluded_by(const std::string& file, const std::string& base, const std::string& glob) {
  const fs::path rel = fs::absolute(fs::path(file))
                           .lexically_normal()
                           .lexically_relative(fs::absolute(fs::path(base)).lexically_normal());
  const bool by_name = glob.find('/') == std::string::npos;
  fs::path prefix;
  for (const auto& part : rel) {
    prefix /= part;
    const std::string subject = by_name ? part.string() : prefix.string();
    if (::fnmatch(glob.c_str(), subject.c_str(), 0) == 0) {
      return true;
    }
  }
  return false;
}

// A directory with no migrations (a repository's root, say): a note naming the Alembic projects
// a few levels below it, so the run that found nothing does not pass silently. Files named
// alone (what pre-commit passes) are not migrations to say anything about.
void say_where_migrations_are(const std::vector<std::string>& paths, std::ostream& log) {
  for (const auto& path : paths) {
    std::error_code ec;
    if (!fs::is_directory(path, ec)) {
      continue;
    }
    std::vector<std::string> found;
    for (auto it = fs::recursive_directory_iterator(
             path, fs::directory_options::skip_permission_denied, ec);
         it != fs::recursive_directory_iterator() && found.size() < 3; it.increment(ec)) {
      if (ec) {
        break;
      }
      const std::string name = it->path().filename().string();
      if (it->is_directory(ec) &&
          (it.depth() >= 3 || name.starts_with(".") || name == "node_modules" || name == "venv" ||
           name == "site-packages" || name == "__pycache__")) {
        it.disable_recursion_pending();
        continue;
      }
      const fs::path parent = it->path().parent_path();
      if (name == "alembic.ini") {
        found.push_back(it->path().string());
      } else if (name == "env.py" && fs::is_directory(parent / "versions", ec) &&
                 !fs::exists(parent / "alembic.ini", ec)) {
        // A script directory whose alembic.ini lives elsewhere (or whose tool runs Alembic
        // itself, as warehouse's does): the directory is what to pass.
        found.push_back(parent.string());
      }
    }
    std::string message = "no migrations found in " + path;
    if (!found.empty()) {
      message += "; Alembic projects below it: ";
      for (size_t k = 0; k < found.size(); ++k) {
        message += (k ? ", " : "") + found[k];
      }
      message += " (pass one of them)";
    } else {
      message += " (give an alembic.ini, a directory holding one or env.py and versions/, or a "
                 "directory of SQL migrations)";
    }
    log << "miglint: note: " << message << '\n';
  }
}

// Discovers the migrations and narrows the reported ones to those not excluded and, with a diff
// base, changed. Status::Usage (said on the log) for paths that do not exist or a bad ref.
Status discover_reported(const Options& o, discover::Discovery& discovery) {
  std::ostream& log = *o.log;
  discovery = discover::discover(o.paths);
  for (const auto& e : discovery.usage_errors) {
    log << "miglint: " << e << '\n';
  }
  if (!discovery.usage_errors.empty()) {
    return Status::Usage;
  }
  for (const auto& note : discovery.notes) {
    log << "miglint: note: " << note << '\n';
  }
  if (discovery.migrations.empty() && discovery.findings.empty()) {
    say_where_migrations_are(o.paths, log);
  }
  if (!o.exclude.empty()) {
    const std::string cwd = fs::current_path().string();
    discover::narrow(discovery, [&](const std::vector<std::string>& files) {
      return std::none_of(files.begin(), files.end(), [&](const std::string& file) {
        return std::any_of(o.exclude.begin(), o.exclude.end(), [&](const Exclude& e) {
          return excluded_by(file, e.base.empty() ? cwd : e.base, e.glob);
        });
      });
    });
  }
  if (!o.diff_base.empty()) {
    const ChangedFiles changed = changed_files(o.diff_base);
    if (!changed.error.empty()) {
      log << "miglint: --diff-base " << o.diff_base << ": " << changed.error << '\n';
      return Status::Usage;
    }
    discover::narrow(discovery, [&](const std::vector<std::string>& files) {
      return std::any_of(files.begin(), files.end(), [&](const std::string& file) {
        std::error_code ec;
        return changed.paths.contains(fs::weakly_canonical(file, ec).string());
      });
    });
  }
  return Status::Ok;
}

// diesel-guard's `start_after`: the team lints only migrations after it (older ones were reviewed
// before the linter came in), so they are read as context, like findings under its markers.
// Off with foreign-markers = false.
void honour_start_after(const Options& o, discover::Discovery& discovery) {
  if (!o.lint.foreign_markers) {
    return;
  }
  std::map<std::string, std::optional<config::StartAfter>> by_directory;
  // diesel-guard.toml -> start_after as written there, migrations read as context
  std::map<std::string, std::pair<std::string, size_t>> skipped;
  for (auto& m : discovery.migrations) {
    const auto files = m.files();
    if (!m.selected || m.layout == "alembic" || files.empty()) {
      continue;
    }
    const std::string directory = fs::path(files.front()).parent_path().string();
    auto it = by_directory.find(directory);
    if (it == by_directory.end()) {
      it = by_directory.emplace(directory, config::diesel_guard_start_after(directory)).first;
    }
    if (it->second && config::at_or_before(m.id, *it->second)) {
      m.selected = false;
      auto& [text, count] = skipped[it->second->file];
      text = it->second->text;
      ++count;
    }
  }
  for (const auto& [file, said] : skipped) {
    const auto& [text, count] = said;
    *o.log << "miglint: note: " << file << " has start_after = \"" << text << "\": " << count
           << " migration" << (count == 1 ? "" : "s")
           << " at or before it read as context only (foreign-markers = false checks them)\n";
  }
}

// A commit (or the uncommitted files) adding more migrations than this to one history brings a
// history in (a first import, a squash, a copy to try miglint on), not one deploy: on the real
// histories measured, commits of the main line added 1 to 4 migrations, and imports 100 or more.
constexpr size_t k_largest_deploy = 4;

// git is asked about the newest migrations reported (and the ones before them) only: what a
// change under review or a pre-commit run names, and the recent end of a whole history. Older
// ones were deployed long ago, and placing them would walk the history to its root.
constexpr size_t k_newest_asked = 32;

// Marks the migrations deployed with the one before them: consecutive migrations of the change
// under review (--diff-base), and those git says arrived together (deploy_batches). Only the
// reported migrations and the ones before them are asked about.
void mark_deploy_batches(const Options& o, discover::Discovery& discovery) {
  auto& migrations = discovery.migrations;
  if (!o.deploy_batches || migrations.size() < 2) {
    return;
  }
  auto same_project = [&](size_t i) { return migrations[i].project == migrations[i - 1].project; };
  std::vector<char> ask(migrations.size(), 0);
  size_t asked = 0;
  for (size_t i = migrations.size() - 1; i >= 1; --i) { // the newest first
    if (!migrations[i].selected || !same_project(i)) {
      continue;
    }
    if (!o.diff_base.empty() && migrations[i - 1].selected) {
      migrations[i].deployed_with_previous = true; // one change, one deploy
    } else if (asked < k_newest_asked) {
      ask[i] = ask[i - 1] = 1;
      ++asked;
    }
  }
  // Each migration's first file (its upgrade), computed once.
  std::vector<std::string> first(migrations.size());
  std::vector<std::string> files;
  for (size_t i = 0; i < migrations.size(); ++i) {
    const auto f = migrations[i].files();
    first[i] = f.empty() ? std::string() : f.front();
    if (ask[i] != 0 && !first[i].empty()) {
      files.push_back(first[i]);
    }
  }
  if (files.empty()) {
    return;
  }
  const DeployBatches batches = deploy_batches(files);
  std::map<std::string, const std::string*> added_by; // absolute path -> its batch
  for (const auto& [batch, added] : batches.added) {
    for (const auto& path : added) {
      added_by.emplace(path, &batch);
    }
  }
  // How many migrations of each project each batch added.
  std::map<std::pair<std::string, std::string>, size_t> sizes;
  for (size_t i = 0; i < migrations.size(); ++i) {
    std::error_code ec;
    const auto it = added_by.find(fs::weakly_canonical(first[i], ec).string());
    if (it != added_by.end()) {
      ++sizes[{migrations[i].project, *it->second}];
    }
  }
  auto batch_of = [&](size_t i) {
    const auto it = batches.batch_of.find(first[i]);
    return it == batches.batch_of.end() ? std::string() : it->second;
  };
  for (size_t i = 1; i < migrations.size(); ++i) {
    if (ask[i] == 0 || !migrations[i].selected || migrations[i].deployed_with_previous) {
      continue;
    }
    const std::string batch = batch_of(i);
    migrations[i].deployed_with_previous =
        !batch.empty() && batch == batch_of(i - 1) &&
        sizes[{migrations[i].project, batch}] <= k_largest_deploy;
  }
}

// The run's facts: migrations reported, and the files their linted scripts come from.
void count_checked(const discover::Discovery& discovery, const lint::LintOptions& lint,
                   report::Report& report) {
  std::set<std::string> files;
  for (const auto& m : discovery.migrations) {
    if (!m.selected) {
      continue;
    }
    ++report.migrations;
    for (const auto phase : {core::Phase::Upgrade, core::Phase::Downgrade}) {
      const auto& script = m.script(phase);
      const bool linted = phase == core::Phase::Upgrade ? lint.upgrade : lint.downgrade;
      if (linted && script && script->origin.file()) {
        files.insert(script->origin.file()->path());
      }
    }
  }
  report.files = files.size();
}

} // namespace

std::vector<report::RuleInfo>
rule_infos(const std::map<std::string, core::Severity, std::less<>>& severity) {
  std::vector<report::RuleInfo> out;
  for (const auto& d : lint::rule_docs()) {
    const auto configured = severity.find(d.id);
    out.push_back({.id = d.id,
                   .severity = configured == severity.end() ? d.severity : configured->second,
                   .summary = d.summary,
                   .help = d.help,
                   .markdown = d.body,
                   .kind = std::string(lint::to_string(d.kind)),
                   .tags = d.tags,
                   .enabled = d.enabled,
                   .rationale = d.rationale});
  }
  return out;
}

Outcome run(const Options& o) {
  Outcome out;
  std::ostream& log = *o.log;
  const auto& selection = o.lint.selection;
  for (const auto* ids : {&selection.select, &selection.extend, &selection.ignore}) {
    for (const auto& id : *ids) {
      if (!lint::is_rule_or_group(id)) {
        log << "miglint: unknown rule or group `" << id << "` (see `miglint rules`)\n";
        out.status = Status::Usage;
        return out;
      }
    }
  }
  core::set_default_jobs(o.lint.jobs); // reading Alembic revisions runs on these threads too
  discover::Discovery discovery;
  if (out.status = discover_reported(o, discovery); out.status != Status::Ok) {
    return out;
  }
  honour_start_after(o, discovery);
  mark_deploy_batches(o, discovery);

  report::Report& report = out.report;
  const lint::Linter linter(o.lint);
  lint::LintStats lint_stats;
  report.findings = linter.lint(discovery.migrations, &lint_stats);
  report.honoured_markers = lint_stats.honoured_markers;
  if (o.lint.selection.enabled("empty-downgrade")) {
    for (const auto& [project, empty] : lint_stats.forward_only) {
      log << "miglint: note: no migration of " << (project.empty() ? "the history" : project)
          << " has a downgrade (" << empty
          << " empty): it is forward-only by choice, so empty-downgrade is left out\n";
    }
  }
  linter.finish(discovery.findings);
  report.findings.insert(report.findings.end(), discovery.findings.begin(),
                         discovery.findings.end());
  if (o.round_trip.enabled) {
    report.round_trip = true;
    try {
      out.status = run_round_trip(o, discovery, linter, report);
    } catch (const roundtrip::Interrupted& i) {
      out.status = Status::Interrupted;
      out.signal = i.signal;
    } catch (const std::exception& e) {
      if (core::interrupted() != 0) {
        out.status = Status::Interrupted;
        out.signal = core::interrupted();
      } else {
        log << "miglint: the round-trip failed: " << e.what() << '\n';
        out.status = Status::Environment;
      }
    }
    if (out.status == Status::Interrupted) {
      log << "\nmiglint: interrupted; everything the round-trip started was removed\n";
    }
    if (out.status != Status::Ok && out.status != Status::Aborted) {
      return out;
    }
  }
  if (!o.stats.url.empty()) {
    const auto sized = stats::enrich(report.findings, o.stats);
    if (!sized.error.empty()) {
      log << "miglint: note: no production statistics (" << sized.error << ")\n";
    } else {
      log << "miglint: note: production statistics for " << sized.tables_read << " table"
          << (sized.tables_read == 1 ? "" : "s") << " added to " << sized.findings_enriched
          << " finding" << (sized.findings_enriched == 1 ? "" : "s");
      if (sized.lowered > 0) {
        log << "; " << sized.lowered << " lowered to info on small tables";
      }
      if (sized.estimated > 0) {
        log << "; " << sized.estimated << " estimated at production size";
      }
      if (sized.raised > 0) {
        log << "; " << sized.raised << " raised to error by the estimated-lock-error threshold";
      }
      log << '\n';
    }
  }
  core::sort_findings(report.findings);
  report.base_dir = fs::current_path().string();
  report.rules = rule_infos(o.lint.severity);
  count_checked(discovery, o.lint, report);
  return out;
}

} // namespace miglint::check
