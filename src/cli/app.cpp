#include "cli/app.hpp"

#include "cli/config.hpp"
#include "cli/git.hpp"
#include "core/process.hpp"
#include "lint/catalog.hpp"
#include "lint/linter.hpp"
#include "report/reporter.hpp"
#include "roundtrip/alembic_runner.hpp"
#include "roundtrip/engine.hpp"
#include "roundtrip/sql_runner.hpp"
#include "source/discover.hpp"
#include "sql/parser.hpp"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fnmatch.h>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <unistd.h>

namespace miglint::cli {
namespace {

struct CheckOptions {
  std::vector<std::string> paths;
  std::string format = "text";
  std::string output;
  std::string sarif_output; // also write SARIF here (one run, several reports: the Action)
  std::string phase = "upgrade";
  int pg_version = 15;
  std::vector<std::string> select;
  std::vector<std::string> ignore;
  std::string fail_on = "error";
  std::string color = "auto";
  bool round_trip = false;
  roundtrip::ServerOptions server;
  std::string python;
  std::string from;
  std::string summary; // Markdown job summary file ("" = $GITHUB_STEP_SUMMARY when set)
  std::string config;  // configuration file ("" = the nearest miglint.toml or pyproject.toml)
  bool no_config = false;
  std::vector<std::string> exclude; // globs, relative to the current directory
  std::vector<std::pair<std::string, std::string>> config_exclude; // (config dir, glob)
  std::string diff_base;
  std::string database_url_env = "DATABASE_URL";
  std::map<std::string, core::Severity, std::less<>> severity;
  std::map<std::string, std::string> session_settings; // from the configuration
  bool foreign_markers = true; // honour other linters' reviewed markers (configuration)
};

namespace fs = std::filesystem;

// Fills what the command line left unset from the configuration file; the command line wins.
void apply_config(const Config& c, const CLI::App& cmd, CheckOptions& o) {
  auto unset = [&](const char* option) { return cmd.count(option) == 0; };
  // The file's paths and globs are relative to the file's directory.
  const fs::path dir = fs::absolute(fs::path(c.file)).parent_path();
  if (c.paths && unset("paths")) {
    for (const auto& p : *c.paths) {
      o.paths.push_back(fs::proximate((dir / p).lexically_normal()).string());
    }
  }
  for (const auto& glob : c.exclude) {
    o.config_exclude.emplace_back(dir.string(), glob);
  }
  if (c.select && unset("--select")) {
    o.select = *c.select;
  }
  if (c.ignore && unset("--ignore")) {
    o.ignore = *c.ignore;
  }
  if (c.pg_version && unset("--pg-version")) {
    o.pg_version = *c.pg_version;
  }
  if (c.fail_on && unset("--fail-on")) {
    o.fail_on = *c.fail_on;
  }
  if (c.phase && unset("--phase")) {
    o.phase = *c.phase;
  }
  if (c.postgres && unset("--postgres")) {
    o.server.provider = *c.postgres;
  }
  if (c.python && unset("--python")) {
    // A path with a slash is relative to the configuration; a bare name is looked up on PATH.
    o.python = c.python->find('/') == std::string::npos
                   ? *c.python
                   : (dir / *c.python).lexically_normal().string();
  }
  if (c.database_url_env) {
    o.database_url_env = *c.database_url_env;
  }
  o.severity.insert(c.severity.begin(), c.severity.end());
  o.session_settings = c.session_settings;
  o.foreign_markers = c.foreign_markers.value_or(true);
}

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

// Runs the round-trip and merges its findings into the report: observations confirm the static
// finding of the same statement, or stand on their own where no static rule spoke.
int run_round_trip(const CheckOptions& o, const source::Discovery& discovery,
                   const lint::Linter& linter, std::vector<core::Finding>& findings,
                   size_t& stepped) {
  if (std::none_of(discovery.migrations.begin(), discovery.migrations.end(),
                   [](const source::Migration& m) { return m.selected; })) {
    std::cerr << "miglint: round-trip: no migration to step\n";
    return k_exit_ok;
  }
  core::install_signal_handlers();
  roundtrip::ServerOptions server_options = o.server;
  if (server_options.provider == "url" && server_options.database_url.empty()) {
    if (const char* env = std::getenv(o.database_url_env.c_str())) {
      server_options.database_url = env;
    }
  }
  // One history at a time: the Alembic projects, then the SQL migrations.
  std::map<std::string, std::vector<source::Migration>> groups;
  for (const auto& m : discovery.migrations) {
    groups[m.layout == "alembic" ? "alembic:" + m.project : "sql"].push_back(m);
  }
  // A history none of whose migrations is reported (--diff-base, exclude) is not run at all.
  std::erase_if(groups, [](const auto& group) {
    return std::none_of(group.second.begin(), group.second.end(),
                        [](const source::Migration& m) { return m.selected; });
  });
  // The first Alembic driver imports Alembic and reads the project while the server starts.
  auto launch = [&](const std::vector<source::Migration>& migrations, std::string& error) {
    // A versions directory without env.py above it: the driver runs it in its built-in
    // environment, with the directory as the script directory.
    std::string project = migrations.front().project;
    const auto& first = migrations.front().upgrade;
    if (project.empty() && first && first->anchor.file) {
      project = fs::path(first->anchor.file->path()).parent_path().string();
      project = project.empty() ? "." : project;
    }
    return roundtrip::AlembicRunner::launch(o.python, project, error);
  };
  std::unique_ptr<roundtrip::AlembicRunner> early;
  std::string early_error;
  if (groups.begin()->first != "sql") {
    early = launch(groups.begin()->second, early_error);
  }
  roundtrip::Started started = roundtrip::start_server(server_options);
  if (core::interrupted() != 0) {
    throw roundtrip::Interrupted{core::interrupted()}; // the start was cut short, not refused
  }
  if (!started.server) {
    std::cerr << "miglint: cannot start the round-trip's PostgreSQL: " << started.error << '\n';
    return k_exit_environment;
  }
  std::cerr << "miglint: round-trip on " << started.server->description() << '\n';
  const bool tty = isatty(STDERR_FILENO) != 0;
  bool first = true;
  for (const auto& [key, migrations] : groups) {
    if (!first) {
      roundtrip::recreate_database(*started.server);
    }
    std::unique_ptr<roundtrip::Runner> runner;
    std::string error;
    if (key != "sql") {
      auto alembic = first ? std::move(early) : launch(migrations, error);
      error = first ? early_error : error;
      const bool ok = alembic && alembic->connect(*started.server, error);
      if (core::interrupted() != 0) {
        throw roundtrip::Interrupted{core::interrupted()};
      }
      if (!ok) {
        std::cerr << "miglint: " << error << '\n';
        return k_exit_environment;
      }
      std::cerr << "miglint: running " << alembic->versions() << '\n';
      runner = std::move(alembic);
    } else {
      runner = std::make_unique<roundtrip::SqlRunner>(started.server->conninfo());
    }
    first = false;
    roundtrip::RoundTripOptions options;
    options.from = o.from;
    options.progress = [tty](size_t n, size_t total, const source::Migration& m) {
      if (tty) {
        std::cerr << "\r\033[K[" << n << '/' << total << "] " << m.name << std::flush;
      } else {
        std::cerr << "round-trip " << n << '/' << total << ": " << m.id << " (" << m.name << ")\n";
      }
    };
    auto result = roundtrip::round_trip(migrations, *started.server, *runner, options);
    stepped += result.stepped;
    if (tty) {
      std::cerr << "\r\033[K";
    }
    std::cerr << "miglint: round-trip stepped " << result.stepped << " migration"
              << (result.stepped == 1 ? "" : "s") << '\n';
    // Confirmations: the static lock finding of the same statement (same file and line) says
    // what PostgreSQL really did; the observed finding then adds nothing.
    auto same_line = [](const core::Location& a, const core::Location& b) {
      return a.file && b.file && a.file->path() == b.file->path() &&
             a.start().line == b.start().line;
    };
    std::vector<core::Location> confirmed;
    for (auto& f : findings) {
      const lint::RuleDoc* doc = lint::find_rule_doc(f.rule);
      if (doc == nullptr || !doc->has_tag("locks")) {
        continue; // only rules about locks and rewrites are confirmed by what was observed
      }
      for (const auto& [where, text] : result.confirmations) {
        if (same_line(f.location, where) && f.phase) {
          f.message += "; confirmed by the round-trip: " + text;
          confirmed.push_back(where);
        }
      }
    }
    std::erase_if(result.findings, [&](const core::Finding& f) {
      return (f.rule == "dangerous-lock-observed" || f.rule == "table-rewrite-observed") &&
             std::any_of(confirmed.begin(), confirmed.end(),
                         [&](const core::Location& c) { return same_line(c, f.location); });
    });
    // Observations follow --phase like static findings; failures and traces are always shown.
    std::erase_if(result.findings, [&](const core::Finding& f) {
      const bool observation =
          f.rule == "dangerous-lock-observed" || f.rule == "table-rewrite-observed";
      const bool linted =
          f.phase == core::Phase::Upgrade ? o.phase != "downgrade" : o.phase != "upgrade";
      return observation && !linted;
    });
    lint::Linter::suppress(result.findings, migrations);
    linter.finish(result.findings);
    findings.insert(findings.end(), result.findings.begin(), result.findings.end());
  }
  return k_exit_ok;
}

std::set<std::string, std::less<>> split_ids(const std::vector<std::string>& values) {
  std::set<std::string, std::less<>> out;
  for (const auto& v : values) {
    std::stringstream ss(v);
    std::string id;
    while (std::getline(ss, id, ',')) {
      if (!id.empty()) {
        out.insert(id);
      }
    }
  }
  return out;
}

// Writes to -o FILE or stdout; false (with a message) when the file cannot be written.
template <typename Fn>
bool emit(const std::string& output, Fn&& fn) {
  if (output.empty()) {
    fn(std::cout);
    return static_cast<bool>(std::cout);
  }
  std::ofstream out(output, std::ios::binary);
  if (out) {
    fn(out);
  }
  if (!out) {
    std::cerr << "miglint: cannot write " << output << '\n';
    return false;
  }
  return true;
}

// A directory with no migrations (a repository's root, say): a note naming the Alembic projects
// a few levels below it, so the run that found nothing does not pass silently. Files named
// alone (what pre-commit passes) are not migrations to say anything about.
void say_where_migrations_are(const std::vector<std::string>& paths) {
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
      if (name == "alembic.ini") {
        found.push_back(it->path().string());
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
    std::cerr << "miglint: note: " << message << '\n';
  }
}

int run_check(const CheckOptions& o) {
  lint::LintOptions lint_options;
  lint_options.pg_version = o.pg_version;
  lint_options.upgrade = o.phase != "downgrade";
  lint_options.downgrade = o.phase != "upgrade";
  lint_options.selection.select = split_ids(o.select);
  lint_options.selection.ignore = split_ids(o.ignore);
  lint_options.severity = o.severity;
  lint_options.session_settings = o.session_settings;
  lint_options.foreign_markers = o.foreign_markers;
  for (const auto* ids : {&lint_options.selection.select, &lint_options.selection.ignore}) {
    for (const auto& id : *ids) {
      if (!lint::is_rule_or_group(id)) {
        std::cerr << "miglint: unknown rule or group `" << id << "` (see `miglint rules`)\n";
        return k_exit_usage;
      }
    }
  }

  source::Discovery discovery = source::discover(o.paths);
  if (!discovery.usage_errors.empty()) {
    for (const auto& e : discovery.usage_errors) {
      std::cerr << "miglint: " << e << '\n';
    }
    return k_exit_usage;
  }
  for (const auto& note : discovery.notes) {
    std::cerr << "miglint: note: " << note << '\n';
  }
  if (discovery.migrations.empty() && discovery.findings.empty()) {
    say_where_migrations_are(o.paths);
  }
  if (!o.exclude.empty() || !o.config_exclude.empty()) {
    const std::string cwd = fs::current_path().string();
    source::narrow(discovery, [&](const std::vector<std::string>& files) {
      return std::none_of(files.begin(), files.end(), [&](const std::string& file) {
        return std::any_of(o.exclude.begin(), o.exclude.end(),
                           [&](const std::string& g) { return excluded_by(file, cwd, g); }) ||
               std::any_of(o.config_exclude.begin(), o.config_exclude.end(),
                           [&](const auto& g) { return excluded_by(file, g.first, g.second); });
      });
    });
  }
  if (!o.diff_base.empty()) {
    const ChangedFiles changed = changed_files(o.diff_base);
    if (!changed.error.empty()) {
      std::cerr << "miglint: --diff-base " << o.diff_base << ": " << changed.error << '\n';
      return k_exit_usage;
    }
    source::narrow(discovery, [&](const std::vector<std::string>& files) {
      return std::any_of(files.begin(), files.end(), [&](const std::string& file) {
        std::error_code ec;
        return changed.paths.contains(fs::weakly_canonical(file, ec).string());
      });
    });
  }

  const lint::Linter linter(lint_options);
  report::Report report;
  lint::LintStats lint_stats;
  report.findings = linter.lint(discovery.migrations, &lint_stats);
  report.honoured_markers = lint_stats.honoured_markers;
  linter.finish(discovery.findings);
  report.findings.insert(report.findings.end(), discovery.findings.begin(),
                         discovery.findings.end());
  if (o.round_trip) {
    try {
      if (const int rc =
              run_round_trip(o, discovery, linter, report.findings, report.round_trip_stepped);
          rc != k_exit_ok) {
        return rc;
      }
    } catch (const roundtrip::Interrupted& i) {
      std::cerr << "\nmiglint: interrupted; everything the round-trip started was removed\n";
      return 128 + i.signal;
    } catch (const std::exception& e) {
      if (core::interrupted() != 0) {
        std::cerr << "\nmiglint: interrupted; everything the round-trip started was removed\n";
        return 128 + core::interrupted();
      }
      std::cerr << "miglint: the round-trip failed: " << e.what() << '\n';
      return k_exit_environment;
    }
  }
  core::sort_findings(report.findings);
  report.round_trip = o.round_trip;
  report.base_dir = std::filesystem::current_path().string();
  for (const auto& d : lint::rule_docs()) {
    const auto configured = o.severity.find(d.id);
    report.rules.push_back({d.id, configured == o.severity.end() ? d.severity : configured->second,
                            d.summary, d.help, d.body});
  }
  report.migrations =
      static_cast<size_t>(std::count_if(discovery.migrations.begin(), discovery.migrations.end(),
                                        [](const source::Migration& m) { return m.selected; }));
  std::set<std::string> files;
  for (const auto& m : discovery.migrations) {
    if (!m.selected) {
      continue;
    }
    for (const auto phase : {core::Phase::Upgrade, core::Phase::Downgrade}) {
      const auto& script = m.script(phase);
      const bool linted =
          phase == core::Phase::Upgrade ? lint_options.upgrade : lint_options.downgrade;
      if (linted && script && script->origin.file()) {
        files.insert(script->origin.file()->path());
      }
    }
  }
  report.files = files.size();

  const bool color =
      o.color == "always" || (o.color == "auto" && o.output.empty() && isatty(STDOUT_FILENO) != 0);
  const bool written = emit(o.output, [&](std::ostream& out) {
    if (o.format == "json") {
      report::write_json(out, report);
    } else if (o.format == "sarif") {
      report::write_sarif(out, report);
    } else if (o.format == "github") {
      report::write_github(out, report);
    } else {
      report::write_text(out, report, color);
    }
  });
  if (!written || (!o.sarif_output.empty() && !emit(o.sarif_output, [&](std::ostream& out) {
        report::write_sarif(out, report);
      }))) {
    return k_exit_environment;
  }
  std::string summary = o.summary;
  if (summary.empty()) {
    if (const char* step_summary = std::getenv("GITHUB_STEP_SUMMARY")) {
      summary = step_summary;
    }
  }
  if (!summary.empty()) {
    std::ofstream out(summary, std::ios::app); // GitHub's summary file is appended to
    report::write_summary(out, report);
    if (!out) {
      std::cerr << "miglint: cannot write the summary to " << summary << '\n';
      return k_exit_environment;
    }
  }
  if (o.fail_on == "never") {
    return k_exit_ok;
  }
  const core::Severity threshold = *core::parse_severity(o.fail_on);
  for (const auto& f : report.findings) {
    if (f.severity >= threshold) {
      return k_exit_findings;
    }
  }
  return k_exit_ok;
}

// `miglint sql`: the SQL miglint derived from each migration, every statement preceded by the
// file and line it comes from (for Alembic: the op.* call or the line inside op.execute).
int run_sql(const std::vector<std::string>& paths, const std::string& phase_name) {
  const core::Phase phase =
      phase_name == "downgrade" ? core::Phase::Downgrade : core::Phase::Upgrade;
  source::Discovery discovery = source::discover(paths);
  for (const auto& e : discovery.usage_errors) {
    std::cerr << "miglint: " << e << '\n';
  }
  if (!discovery.usage_errors.empty()) {
    return k_exit_usage;
  }
  for (const auto& f : discovery.findings) {
    std::cerr << f.location.path() << ':' << f.location.start().line << ": " << f.message << '\n';
  }
  for (const auto& m : discovery.migrations) {
    if (!m.selected) {
      continue;
    }
    std::cout << "-- migration " << m.id << " (" << core::to_string(phase) << ")\n";
    for (const auto& f : m.findings) {
      if (f.phase == phase) {
        std::cout << "-- " << f.location.path() << ':' << f.location.start().line << ": " << f.rule
                  << ": " << f.message << '\n';
      }
    }
    const auto& script = m.script(phase);
    if (!script) {
      std::cout << "-- no " << core::to_string(phase) << " script\n\n";
      continue;
    }
    const sql::ParsedScript parsed = sql::parse(script->sql);
    if (parsed.statements.empty() && parsed.errors.empty()) {
      std::cout << "-- " << core::to_string(phase) << " "
                << (script->body_note.empty() ? std::string("is empty") : script->body_note)
                << "\n";
    }
    // Statements and unparsable pieces, in script order.
    std::vector<sql::Span> spans;
    for (const auto& s : parsed.statements) {
      spans.push_back(s.span);
    }
    for (const auto& e : parsed.errors) {
      spans.push_back(e.statement);
    }
    std::sort(spans.begin(), spans.end(),
              [](const sql::Span& a, const sql::Span& b) { return a.begin < b.begin; });
    for (const auto& span : spans) {
      const auto loc = script->origin.locate(span.begin, span.end);
      std::cout << "-- " << loc.path() << ':' << loc.start().line << '\n'
                << script->sql.substr(span.begin, span.end - span.begin) << ";\n";
    }
    std::cout << '\n';
  }
  return k_exit_ok;
}

int run_rules(const std::string& format) {
  const auto& docs = lint::rule_docs();
  if (format == "json") {
    nlohmann::ordered_json out = nlohmann::ordered_json::array();
    for (const auto& d : docs) {
      out.push_back({{"id", d.id},
                     {"severity", core::to_string(d.severity)},
                     {"summary", d.summary},
                     {"help", d.help}});
    }
    std::cout << out.dump(2) << '\n';
  } else if (format == "markdown") {
    std::cout << "| rule | severity | what it flags |\n|---|---|---|\n";
    for (const auto& d : docs) {
      std::cout << "| [`" << d.id << "`](rules/" << d.id << ".md) | " << core::to_string(d.severity)
                << " | " << d.summary << " |\n";
    }
  } else {
    size_t width = 0;
    for (const auto& d : docs) {
      width = std::max(width, d.id.size());
    }
    for (const auto& d : docs) {
      std::cout << d.id << std::string(width + 2 - d.id.size(), ' ') << core::to_string(d.severity)
                << std::string(9 - core::to_string(d.severity).size(), ' ') << d.summary << '\n';
    }
  }
  return k_exit_ok;
}

int run_explain(const std::string& id) {
  const lint::RuleDoc* doc = lint::find_rule_doc(id);
  if (doc == nullptr) {
    std::cerr << "miglint: unknown rule `" << id << "` (see `miglint rules`)\n";
    return k_exit_usage;
  }
  std::cout << doc->id << " (" << core::to_string(doc->severity) << ")\n\n"
            << doc->summary << "\n\nhelp: " << doc->help << '\n'
            << doc->body;
  return k_exit_ok;
}

int run_init(const std::string& path) {
  std::error_code ec;
  if (fs::exists(path, ec)) {
    std::cerr << "miglint: " << path << " already exists; not overwriting it\n";
    return k_exit_usage;
  }
  if (!emit(path, [](std::ostream& out) { out << starter_config(); })) {
    return k_exit_environment;
  }
  std::cerr << "miglint: wrote " << path << '\n';
  return k_exit_ok;
}

} // namespace

int run(int argc, char** argv) {
  CLI::App app{"miglint: a migration safety checker for PostgreSQL"};
  app.set_version_flag("--version", std::string("miglint ") + MIGLINT_VERSION);
  app.require_subcommand(1);

  CheckOptions check;
  auto* check_cmd = app.add_subcommand("check", "Lint migrations");
  check_cmd->add_option("paths", check.paths,
                        "Migration files or directories (default: migrations/)");
  check_cmd->add_option("--format", check.format, "Output format")
      ->check(CLI::IsMember({"text", "json", "sarif", "github"}));
  check_cmd->add_option("--summary", check.summary,
                        "Append a Markdown job summary to FILE (default: $GITHUB_STEP_SUMMARY)");
  check_cmd->add_option("-o,--output", check.output, "Write the report to FILE");
  check_cmd->add_option("--sarif-output", check.sarif_output,
                        "Also write a SARIF report to FILE (whatever --format says)");
  check_cmd->add_option("--phase", check.phase, "Which scripts to lint")
      ->check(CLI::IsMember({"upgrade", "downgrade", "both"}));
  check_cmd->add_option("--pg-version", check.pg_version, "Target PostgreSQL major version")
      ->check(CLI::Range(9, 18));
  // One value per occurrence, so `--ignore x PATH` does not take PATH as a rule id.
  check_cmd->add_option("--select", check.select, "Only these rules (comma-separated)")
      ->allow_extra_args(false);
  check_cmd->add_option("--ignore", check.ignore, "Skip these rules (comma-separated)")
      ->allow_extra_args(false);
  check_cmd->add_option("--fail-on", check.fail_on, "Lowest severity that fails the run")
      ->check(CLI::IsMember({"error", "warning", "info", "never"}));
  check_cmd->add_option("--color", check.color, "Colour the text output")
      ->check(CLI::IsMember({"auto", "always", "never"}));
  check_cmd->add_flag("--round-trip", check.round_trip,
                      "Apply, downgrade and re-apply each migration on an ephemeral PostgreSQL");
  check_cmd->add_option("--postgres", check.server.provider, "Where the round-trip runs")
      ->check(CLI::IsMember({"auto", "local", "docker", "url"}));
  check_cmd->add_option("--database-url", check.server.database_url,
                        "An existing server for the round-trip (a scratch database is used)");
  check_cmd->add_option("--pg-bin", check.server.pg_bin, "Directory of initdb and postgres");
  check_cmd->add_option("--docker", check.server.docker, "The docker executable")
      ->group(""); // for tests
  check_cmd->add_option("--python", check.python, "Python interpreter of the Alembic project");
  check_cmd->add_option("--from", check.from,
                        "Apply migrations before this id without stepping them");
  check_cmd->add_option("--config", check.config,
                        "Configuration file (default: the nearest miglint.toml, or pyproject.toml "
                        "with [tool.miglint])");
  check_cmd->add_flag("--no-config", check.no_config, "Ignore configuration files");
  check_cmd->add_option("--exclude", check.exclude, "Leave out migration files matching GLOB")
      ->allow_extra_args(false);
  check_cmd->add_option("--diff-base", check.diff_base,
                        "Report only migrations changed since the merge base with REF (git)");

  std::string rules_format = "text";
  auto* rules_cmd = app.add_subcommand("rules", "List the rules");
  rules_cmd->add_option("--format", rules_format, "Output format")
      ->check(CLI::IsMember({"text", "json", "markdown"}));

  std::vector<std::string> sql_paths;
  std::string sql_phase = "upgrade";
  auto* sql_cmd = app.add_subcommand("sql", "Print the SQL miglint derives from migrations");
  sql_cmd->add_option("paths", sql_paths, "Migration files or directories");
  sql_cmd->add_option("--phase", sql_phase, "Which scripts")
      ->check(CLI::IsMember({"upgrade", "downgrade"}));

  std::string init_path = "miglint.toml";
  auto* init_cmd = app.add_subcommand("init", "Write a commented starter miglint.toml");
  init_cmd->add_option("path", init_path, "Where to write it (default: miglint.toml)");

  std::string explain_id;
  auto* explain_cmd = app.add_subcommand("explain", "Show a rule's documentation");
  explain_cmd->add_option("rule", explain_id, "Rule id")->required();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? k_exit_ok : k_exit_usage;
  }
  if (check_cmd->parsed()) {
    if (!check.no_config) {
      const LoadedConfig loaded = load_config(check.config);
      for (const auto& e : loaded.errors) {
        std::cerr << "miglint: " << e << '\n';
      }
      if (!loaded.errors.empty()) {
        return k_exit_usage;
      }
      if (!loaded.config.file.empty()) {
        apply_config(loaded.config, *check_cmd, check);
      }
    }
    return run_check(check);
  }
  if (rules_cmd->parsed()) {
    return run_rules(rules_format);
  }
  if (sql_cmd->parsed()) {
    return run_sql(sql_paths, sql_phase);
  }
  if (init_cmd->parsed()) {
    return run_init(init_path);
  }
  return run_explain(explain_id);
}

} // namespace miglint::cli
