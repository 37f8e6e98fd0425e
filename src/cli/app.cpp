#include "cli/app.hpp"

#include "check/check.hpp"
#include "check/sql.hpp"
#include "config/config.hpp"
#include "lint/catalog.hpp"
#include "report/reporter.hpp"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>
#include <unistd.h>

namespace miglint::cli {
namespace {

using config::Config;
using config::load_config;
using config::LoadedConfig;
using config::parse_duration;
using config::starter_config;

// `miglint check`: what the check needs, and what the command line does with its report.
struct CheckCommand {
  check::Options run;
  std::string format = "text";
  std::string output;
  std::string sarif_output; // also write SARIF here (one run, several reports: the Action)
  std::string summary;      // Markdown job summary file ("" = $GITHUB_STEP_SUMMARY when set)
  std::string color = "auto";
  std::string fail_on = "error";
  std::string phase = "upgrade";
  std::vector<std::string> select; // comma-separated lists, one per occurrence
  std::vector<std::string> extend_select;
  std::vector<std::string> ignore;
  std::vector<std::string> exclude;       // globs, relative to the current directory
  std::string statement_timeout = "5min"; // the round-trip's, a duration (parse_duration)
  std::string lock_held_threshold = "1s"; // dangerous-lock-observed, a duration
  std::string estimated_lock_error;       // a duration; "" = never (stats::Options)
  std::string config; // configuration file ("" = the nearest miglint.toml or pyproject.toml)
  bool no_config = false;
};

namespace fs = std::filesystem;

// Fills what the command line left unset from the configuration file; the command line wins.
void apply_config(const Config& c, const CLI::App& cmd, CheckCommand& o) {
  auto unset = [&](const char* option) { return cmd.count(option) == 0; };
  // The file's paths and globs are relative to the file's directory.
  const fs::path dir = fs::absolute(fs::path(c.file)).parent_path();
  check::Options& run = o.run;
  if (c.paths && unset("paths")) {
    for (const auto& p : *c.paths) {
      run.paths.push_back(fs::proximate((dir / p).lexically_normal()).string());
    }
  }
  for (const auto& glob : c.exclude) {
    run.exclude.push_back({dir.string(), glob});
  }
  if (c.select && unset("--select")) {
    o.select = *c.select;
  }
  if (c.extend_select && unset("--extend-select")) {
    o.extend_select = *c.extend_select;
  }
  if (c.ignore && unset("--ignore")) {
    o.ignore = *c.ignore;
  }
  if (c.jobs && unset("--jobs")) {
    run.lint.jobs = *c.jobs;
  }
  if (c.pg_version && unset("--pg-version")) {
    run.lint.pg_version = *c.pg_version;
  }
  if (c.fail_on && unset("--fail-on")) {
    o.fail_on = *c.fail_on;
  }
  if (c.phase && unset("--phase")) {
    o.phase = *c.phase;
  }
  if (c.postgres && unset("--postgres")) {
    run.round_trip.server.provider = *c.postgres;
  }
  if (c.python && unset("--python")) {
    // A path with a slash is relative to the configuration; a bare name is looked up on PATH.
    run.round_trip.python = c.python->find('/') == std::string::npos
                                ? *c.python
                                : (dir / *c.python).lexically_normal().string();
  }
  if (c.statement_timeout && unset("--statement-timeout")) {
    o.statement_timeout = *c.statement_timeout;
  }
  if (c.lock_held_threshold && unset("--lock-held-threshold")) {
    o.lock_held_threshold = *c.lock_held_threshold;
  }
  if (c.estimated_lock_error && unset("--estimated-lock-error")) {
    o.estimated_lock_error = *c.estimated_lock_error;
  }
  if (c.stats_url && unset("--stats-url")) {
    run.stats.url = *c.stats_url;
  }
  if (c.small_table_rows && unset("--small-table-rows")) {
    run.stats.small_table_rows = *c.small_table_rows;
  }
  if (c.database_url_env) {
    run.round_trip.database_url_env = *c.database_url_env;
  }
  if (c.with_data && unset("--with-data")) {
    run.round_trip.with_data = *c.with_data;
  }
  if (c.pg_bin && unset("--pg-bin")) {
    for (const auto& d : *c.pg_bin) {
      run.round_trip.server.pg_bin.push_back((dir / d).lexically_normal().string());
    }
  }
  run.lint.severity.insert(c.severity.begin(), c.severity.end());
  run.lint.session_settings = c.session_settings;
  if (c.foreign_markers) {
    run.lint.foreign_markers = *c.foreign_markers;
  }
  if (c.deploy_batches) {
    run.deploy_batches = *c.deploy_batches;
  }
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

// Writes the report where asked (the format, the SARIF copy, the job summary); false when a file
// cannot be written.
bool write_report(const CheckCommand& o, const report::Report& report) {
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
    return false;
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
      return false;
    }
  }
  return true;
}

int run_check(CheckCommand& o) {
  check::Options& run = o.run;
  run.lint.upgrade = o.phase != "downgrade";
  run.lint.downgrade = o.phase != "upgrade";
  run.lint.selection.select = split_ids(o.select);
  run.lint.selection.extend = split_ids(o.extend_select);
  run.lint.selection.ignore = split_ids(o.ignore);
  for (const auto& glob : o.exclude) {
    run.exclude.push_back({"", glob});
  }
  run.round_trip.statement_timeout = *parse_duration(o.statement_timeout); // checked by CLI11
  run.round_trip.lock_held_threshold = *parse_duration(o.lock_held_threshold);
  if (!o.estimated_lock_error.empty()) {
    run.stats.estimated_lock_error_ms =
        static_cast<double>(parse_duration(o.estimated_lock_error)->count());
  }
  run.log = &std::cerr;
  run.log_is_terminal = isatty(STDERR_FILENO) != 0;
  const check::Outcome outcome = check::run(run);
  switch (outcome.status) {
  case check::Status::Ok:
    break;
  case check::Status::Usage:
    return k_exit_usage;
  case check::Status::Environment:
    return k_exit_environment;
  case check::Status::Interrupted:
    return 128 + outcome.signal;
  case check::Status::Aborted: // the report is still written, then exit 3
    break;
  }
  if (!write_report(o, outcome.report) || outcome.status == check::Status::Aborted) {
    return k_exit_environment;
  }
  if (o.fail_on == "never") {
    return k_exit_ok;
  }
  const core::Severity threshold = *core::parse_severity(o.fail_on);
  for (const auto& f : outcome.report.findings) {
    if (f.severity >= threshold) {
      return k_exit_findings;
    }
  }
  return k_exit_ok;
}

// `miglint rules`: the catalog compiled in, or the docs of a directory (`--rules-dir`, for
// ci/new-rule: the README's table without a rebuild).
int run_rules(const std::string& format, const std::string& rules_dir) {
  if (rules_dir.empty()) {
    std::cout << lint::rule_list(lint::rule_docs(), format);
    return k_exit_ok;
  }
  const std::vector<lint::RuleDoc> docs = lint::read_rule_docs(rules_dir);
  bool broken = docs.empty();
  std::cerr << (broken ? "miglint: no rule docs in " + rules_dir + "\n" : "");
  for (const auto& d : docs) {
    for (const auto& e : d.errors) {
      std::cerr << "miglint: " << rules_dir << '/' << d.id << ".md: " << e << '\n';
      broken = true;
    }
  }
  if (!broken) {
    std::cout << lint::rule_list(docs, format);
  }
  return broken ? k_exit_usage : k_exit_ok;
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

  CheckCommand check;
  check::Options& run_options = check.run;
  auto* check_cmd = app.add_subcommand("check", "Lint migrations");
  check_cmd->add_option("paths", run_options.paths,
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
  check_cmd
      ->add_option("--pg-version", run_options.lint.pg_version, "Target PostgreSQL major version")
      ->check(CLI::Range(9, 18));
  check_cmd->add_option("-j,--jobs", run_options.lint.jobs, "Threads (0: every core)")
      ->check(CLI::Range(0, 1024));
  // One value per occurrence, so `--ignore x PATH` does not take PATH as a rule id.
  check_cmd->add_option("--select", check.select, "Only these rules or groups (comma-separated)")
      ->allow_extra_args(false);
  check_cmd
      ->add_option("--extend-select", check.extend_select,
                   "Also these rules or groups, on top of the default or --select ones "
                   "(comma-separated; turns on rules that are off by default)")
      ->allow_extra_args(false);
  check_cmd->add_option("--ignore", check.ignore, "Skip these rules or groups (comma-separated)")
      ->allow_extra_args(false);
  check_cmd->add_option("--fail-on", check.fail_on, "Lowest severity that fails the run")
      ->check(CLI::IsMember({"error", "warning", "info", "never"}));
  check_cmd->add_option("--color", check.color, "Colour the text output")
      ->check(CLI::IsMember({"auto", "always", "never"}));
  check::RoundTripOptions& round_trip = run_options.round_trip;
  check_cmd->add_flag("--round-trip", round_trip.enabled,
                      "Apply, downgrade and re-apply each migration on an ephemeral PostgreSQL");
  // A flag, so that its value only comes with `=`: `--with-data migrations/` keeps the path.
  check_cmd->add_flag("--with-data{300}", round_trip.with_data,
                      "Round-trip with ROWS generated rows in every table (--with-data[=ROWS], "
                      "default 300; implies --round-trip)");
  check_cmd->add_option("--postgres", round_trip.server.provider, "Where the round-trip runs")
      ->check(CLI::IsMember({"auto", "local", "docker", "url"}));
  check_cmd->add_option("--database-url", round_trip.server.database_url,
                        "An existing server for the round-trip (a scratch database is used)");
  check_cmd
      ->add_option("--pg-bin", round_trip.server.pg_bin,
                   "Directory of initdb and postgres (repeatable: the round-trip runs on the one "
                   "of --pg-version)")
      ->allow_extra_args(false);
  check_cmd->add_option("--docker", round_trip.server.docker, "The docker executable")
      ->group(""); // for tests
  check_cmd->add_option("--python", round_trip.python, "Python interpreter of the Alembic project");
  check_cmd
      ->add_option("--statement-timeout", check.statement_timeout,
                   "How long one statement may run in the round-trip: 30s, 5min, 0 (no limit)")
      ->check(CLI::Validator(
          [](const std::string& v) {
            return parse_duration(v) ? std::string()
                                     : "a duration such as 30s or 5min (0: no limit), not " + v;
          },
          "DURATION"));
  check_cmd
      ->add_option("--lock-held-threshold", check.lock_held_threshold,
                   "Report a lock the round-trip saw held this long (dangerous-lock-observed)")
      ->check(CLI::Validator(
          [](const std::string& v) {
            return parse_duration(v) ? std::string() : "a duration such as 500ms or 2s, not " + v;
          },
          "DURATION"));
  check_cmd
      ->add_option("--stats-url", run_options.stats.url,
                   "Read-only production or replica URL: findings name their tables' sizes")
      ->envname("MIGLINT_STATS_URL");
  check_cmd->add_option("--small-table-rows", run_options.stats.small_table_rows,
                        "With --stats-url: lock findings on tables under N rows become info");
  check_cmd
      ->add_option("--estimated-lock-error", check.estimated_lock_error,
                   "With --with-data and --stats-url: a blocking lock estimated to be held this "
                   "long at production size makes its finding an error")
      ->check(CLI::Validator(
          [](const std::string& v) {
            return parse_duration(v) ? std::string() : "a duration such as 500ms or 2s, not " + v;
          },
          "DURATION"));
  check_cmd->add_option("--from", round_trip.from,
                        "Apply migrations before this id without stepping them");
  check_cmd->add_option("--config", check.config,
                        "Configuration file (default: the nearest miglint.toml, or pyproject.toml "
                        "with [tool.miglint])");
  check_cmd->add_flag("--no-config", check.no_config, "Ignore configuration files");
  check_cmd->add_option("--exclude", check.exclude, "Leave out migration files matching GLOB")
      ->allow_extra_args(false);
  check_cmd->add_option("--diff-base", run_options.diff_base,
                        "Report only migrations changed since the merge base with REF (git)");

  std::string rules_format = "text";
  auto* rules_cmd = app.add_subcommand("rules", "List the rules");
  rules_cmd->add_option("--format", rules_format, "Output format")
      ->check(CLI::IsMember({"text", "json", "markdown"}));
  std::string rules_dir;
  rules_cmd->add_option("--rules-dir", rules_dir,
                        "Read the rule docs (<id>.md) from DIR instead of the built-in ones");

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
    round_trip.enabled =
        round_trip.enabled || (check_cmd->count("--with-data") > 0 && round_trip.with_data > 0);
    return run_check(check);
  }
  if (rules_cmd->parsed()) {
    return run_rules(rules_format, rules_dir);
  }
  if (sql_cmd->parsed()) {
    return check::write_sql(
               sql_paths, sql_phase == "downgrade" ? core::Phase::Downgrade : core::Phase::Upgrade,
               std::cout, std::cerr) == check::Status::Ok
               ? k_exit_ok
               : k_exit_usage;
  }
  if (init_cmd->parsed()) {
    return run_init(init_path);
  }
  return run_explain(explain_id);
}

} // namespace miglint::cli
