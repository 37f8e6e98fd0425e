#include "lint/linter.hpp"

#include "core/parallel.hpp"
#include "lint/catalog.hpp"
#include "lint/suppression.hpp"
#include "sql/parser.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <string_view>

namespace miglint::lint {

namespace {

// Whether one of `names` is the rule's id, kind or one of its tags.
bool names_rule(const std::set<std::string, std::less<>>& names, std::string_view id,
                const RuleDoc* doc) {
  if (names.contains(id)) {
    return true;
  }
  if (doc == nullptr) {
    return false;
  }
  if (names.contains(to_string(doc->kind))) {
    return true;
  }
  return std::any_of(doc->tags.begin(), doc->tags.end(),
                     [&](const std::string& tag) { return names.contains(tag); });
}

} // namespace

bool RuleSelection::enabled(std::string_view id) const {
  const RuleDoc* doc = find_rule_doc(id);
  if (names_rule(ignore, id, doc)) {
    return false;
  }
  const bool base = select.empty() ? doc == nullptr || doc->enabled : names_rule(select, id, doc);
  return base || names_rule(extend, id, doc);
}

bool is_rule_or_group(std::string_view name) {
  if (find_rule_doc(name) != nullptr) {
    return true;
  }
  for (const auto& doc : rule_docs()) {
    if (to_string(doc.kind) == name || doc.has_tag(name)) {
      return true;
    }
  }
  return false;
}

Linter::Linter(LintOptions options) : m_options(std::move(options)) {
  for (auto& rule : make_all_rules()) {
    if (m_options.selection.enabled(rule->id())) {
      m_rules.push_back(std::move(rule));
    }
  }
}

namespace {

// Turns raw findings of one script into findings: suppression comments applied, spans mapped to
// the user's file, the statement's text attached. Unknown ids in ignore comments are reported.
// Returns how many findings other tools' markers silenced.
size_t to_findings(const source::Migration& migration, core::Phase phase,
                   const source::Script& script, const sql::ParsedScript& parsed,
                   std::vector<RawFinding> raw, std::vector<core::Finding>& out,
                   bool report_ignore_problems, bool foreign_markers) {
  std::vector<RawFinding> problems;
  const Suppressions suppressions(
      parsed, script.sql, [](std::string_view id) { return find_rule_doc(id) != nullptr; },
      problems, foreign_markers);
  if (report_ignore_problems) {
    raw.insert(raw.end(), problems.begin(), problems.end());
  }
  size_t honoured = 0;
  std::vector<char> kept(raw.size(), 0);
  for (size_t i = 0; i < raw.size(); ++i) {
    const auto by = suppressions.suppressed_by(raw[i]);
    honoured += by == Suppressions::By::ForeignMarker ? 1 : 0;
    kept[i] = by == Suppressions::By::Nothing ? 1 : 0;
  }
  // A reported finding whose rule subsumes others replaces one of each on its span.
  for (size_t i = 0; i < raw.size(); ++i) {
    const RuleDoc* doc = kept[i] != 0 ? find_rule_doc(raw[i].rule) : nullptr;
    for (const std::string& subsumed :
         doc != nullptr ? doc->subsumes : std::vector<std::string>{}) {
      for (size_t j = 0; j < raw.size(); ++j) {
        if (kept[j] != 0 && raw[j].rule == subsumed && raw[j].span.begin == raw[i].span.begin &&
            raw[j].span.end == raw[i].span.end) {
          kept[j] = 0;
          break;
        }
      }
    }
  }
  for (size_t i = 0; i < raw.size(); ++i) {
    if (kept[i] == 0) {
      continue;
    }
    RawFinding& r = raw[i];
    core::Finding f;
    f.rule = std::move(r.rule);
    f.message = std::move(r.message);
    f.help = std::move(r.help);
    f.location = r.statement_begin == k_no_statement
                     ? script.anchor
                     : script.origin.locate(r.span.begin, r.span.end);
    f.migration = migration.id;
    f.phase = phase;
    auto stmt = std::lower_bound(
        parsed.statements.begin(), parsed.statements.end(), r.statement_begin,
        [](const sql::Statement& s, uint32_t begin) { return s.span.begin < begin; });
    if (stmt != parsed.statements.end() && stmt->span.begin == r.statement_begin) {
      f.statement = script.sql.substr(stmt->span.begin, stmt->span.end - stmt->span.begin);
    } else {
      for (const auto& e : parsed.errors) { // a statement that did not parse
        if (e.statement.begin == r.statement_begin) {
          f.statement = script.sql.substr(e.statement.begin, e.statement.end - e.statement.begin);
        }
      }
    }
    out.push_back(std::move(f));
  }
  return honoured;
}

// Whether a script holds no SQL: only blanks and comments (an Alembic `pass` or `raise` too).
bool blank_sql(std::string_view sql) {
  size_t i = 0;
  while (i < sql.size()) {
    if (std::isspace(static_cast<unsigned char>(sql[i])) != 0 || sql[i] == ';') {
      ++i;
    } else if (sql.substr(i, 2) == "--") {
      i = sql.find('\n', i);
    } else if (sql.substr(i, 2) == "/*") {
      const size_t end = sql.find("*/", i + 2);
      i = end == std::string_view::npos ? end : end + 2;
    } else {
      return false;
    }
  }
  return true;
}

// Projects whose downgrades are all empty, and at least k_forward_only_evidence of them: the team
// does not write downgrades (supabase/postgres: append-only migrations, every `migrate:down`
// empty), so a missing one in a single migration is the policy, not an oversight.
std::map<std::string, size_t> forward_only_projects(const std::vector<source::Migration>& all) {
  std::map<std::string, std::pair<size_t, size_t>> downs; // project -> {empty, with SQL}
  for (const auto& m : all) {
    if (m.downgrade) {
      auto& d = downs[m.project];
      ++(blank_sql(m.downgrade->sql) ? d.first : d.second);
    }
  }
  std::map<std::string, size_t> out;
  for (const auto& [project, d] : downs) {
    if (d.second == 0 && d.first >= k_forward_only_evidence) {
      out.emplace(project, d.first);
    }
  }
  return out;
}

} // namespace

std::vector<core::Finding> Linter::lint(const std::vector<source::Migration>& migrations,
                                        LintStats* stats) const {
  std::vector<core::Finding> findings;
  LintStats local;
  LintStats& counts = stats != nullptr ? *stats : local;
  Context ctx(m_options.pg_version);
  // Parsing (most of the time) is independent per script and runs on every core, ahead of the
  // rules, which take the scripts in order on this thread: each learns the schema the ones
  // before it left. The findings are the same for every number of threads.
  struct Parsed {
    sql::ParsedScript upgrade;
    sql::ParsedScript downgrade;
  };
  std::vector<Parsed> parsed(migrations.size());
  counts.forward_only = forward_only_projects(migrations);
  const unsigned jobs = core::resolve_jobs(m_options.jobs);
  auto parse = [&](size_t i) {
    const source::Migration& m = migrations[i];
    if (m.upgrade) {
      parsed[i].upgrade = sql::parse(m.upgrade->sql, jobs);
    }
    if (m.downgrade && m.selected) { // context-only migrations' downgrades are never read
      parsed[i].downgrade = sql::parse(m.downgrade->sql, jobs);
    }
  };
  auto check = [&](size_t i) {
    const source::Migration& m = migrations[i];
    const Parsed p = std::move(parsed[i]); // freed after its rules ran
    const sql::ParsedScript& upgrade = p.upgrade;
    const sql::ParsedScript& downgrade = p.downgrade;
    const bool report = m.selected; // context-only migrations teach the schema, report nothing
    if (m.upgrade) {
      // The upgrade is always read, for the schema it leaves; its findings only when asked for.
      counts.honoured_markers += lint_script(m, core::Phase::Upgrade, *m.upgrade, upgrade, ctx,
                                             report && m_options.upgrade ? &findings : nullptr);
    }
    if (!report) {
      return;
    }
    if (m_options.downgrade && m.downgrade) {
      Context down = ctx; // the downgrade runs against the schema the upgrade left
      counts.honoured_markers +=
          lint_script(m, core::Phase::Downgrade, *m.downgrade, downgrade, down, &findings);
    }
    counts.honoured_markers += check_migration(
        m, m.upgrade ? &upgrade : nullptr, m.downgrade ? &downgrade : nullptr,
        m.upgrade ? &ctx : nullptr, counts.forward_only.contains(m.project), findings);
    for (const auto& f : m.findings) {
      if (!f.phase || phase_linted(*f.phase)) {
        findings.push_back(f);
      }
    }
  };
  core::parallel_ordered(migrations.size(), parse, check, jobs);
  finish(findings);
  return findings;
}

size_t Linter::lint_script(const source::Migration& migration, core::Phase phase,
                           const source::Script& script, const sql::ParsedScript& parsed,
                           Context& ctx, std::vector<core::Finding>* out) const {
  std::map<std::string, std::string> session = m_options.session_settings;
  for (const auto& [name, value] : migration.session_settings) {
    session[name] = value; // env.py runs after the role's defaults
  }
  ctx.begin_script(script, parsed.statements.size() + parsed.errors.size(), session, phase,
                   phase == core::Phase::Upgrade && migration.deployed_with_previous);
  // SQL or code miglint could not read may have done anything: rules that rest on something
  // being absent soften in this script, and the history's model has a gap from here on.
  for (const auto& e : parsed.errors) {
    ctx.add_unanalysed({e.statement, "the statement on line " +
                                         std::to_string(ctx.line_of(e.statement)) +
                                         " that miglint could not parse"});
    ctx.note_history_gap();
  }
  for (const auto& f : migration.findings) {
    if (f.rule == "unanalyzable-code" && (!f.phase || *f.phase == phase)) {
      ctx.add_unanalysed({{},
                          "the code on line " + std::to_string(f.location.start().line) +
                              " that miglint could not evaluate"});
      ctx.note_history_gap();
    }
  }
  for (const auto& statement : parsed.statements) {
    if (out != nullptr) {
      for (const auto& rule : m_rules) {
        ctx.set_rule(rule->id());
        rule->check(statement, ctx);
      }
    }
    ctx.after_statement(statement);
  }
  if (out != nullptr) {
    for (const auto& rule : m_rules) {
      ctx.set_rule(rule->id());
      rule->check_script(ctx);
    }
  }
  std::vector<RawFinding> raw = ctx.take_findings();
  if (out == nullptr) {
    return 0;
  }
  for (const auto& e : parsed.errors) {
    raw.push_back(
        {"sql-syntax-error", {e.offset, e.statement.end}, e.statement.begin, e.message, {}});
  }
  return to_findings(migration, phase, script, parsed, std::move(raw), *out, true,
                     m_options.foreign_markers);
}

// Rules about a migration as a whole (its downgrade against its upgrade). They report whatever
// --phase says: a downgrade that cannot undo its upgrade is a problem of the upgrade too.
size_t Linter::check_migration(const source::Migration& migration, const sql::ParsedScript* upgrade,
                               const sql::ParsedScript* downgrade, const Context* upgrade_context,
                               bool forward_only_history, std::vector<core::Finding>& out) const {
  size_t honoured = 0;
  MigrationReporter reporter;
  std::vector<std::pair<std::string_view, MigrationReporter::Report>> reports;
  const MigrationScripts scripts{migration, upgrade, downgrade, upgrade_context,
                                 forward_only_history};
  for (const auto& rule : m_rules) {
    rule->check_migration(scripts, reporter);
    for (auto& r : reporter.take()) {
      reports.emplace_back(rule->id(), std::move(r));
    }
  }
  for (const auto phase : {core::Phase::Upgrade, core::Phase::Downgrade}) {
    const auto& script = migration.script(phase);
    const sql::ParsedScript* parsed = phase == core::Phase::Upgrade ? upgrade : downgrade;
    std::vector<RawFinding> raw;
    for (const auto& [id, r] : reports) {
      if (r.phase == phase && script && parsed != nullptr) {
        raw.push_back({std::string(id),
                       r.statement.value_or(sql::Span{}),
                       r.statement ? r.statement->begin : k_no_statement,
                       r.message,
                       {}});
      }
    }
    if (!raw.empty()) {
      honoured += to_findings(migration, phase, *script, *parsed, std::move(raw), out, false,
                              m_options.foreign_markers);
    }
  }
  return honoured;
}

void Linter::suppress(std::vector<core::Finding>& findings,
                      const std::vector<source::Migration>& migrations) {
  for (const auto& m : migrations) {
    for (const auto phase : {core::Phase::Upgrade, core::Phase::Downgrade}) {
      const auto& script = m.script(phase);
      if (!script) {
        continue;
      }
      const bool any = std::any_of(findings.begin(), findings.end(), [&](const core::Finding& f) {
        return f.migration == m.id && f.phase == phase;
      });
      if (!any) {
        continue;
      }
      const sql::ParsedScript parsed = sql::parse(script->sql);
      std::vector<RawFinding> ignored;
      const Suppressions suppressions(
          parsed, script->sql, [](std::string_view id) { return find_rule_doc(id) != nullptr; },
          ignored);
      std::erase_if(findings, [&](const core::Finding& f) {
        if (f.migration != m.id || f.phase != phase) {
          return false;
        }
        return std::any_of(
            suppressions.directives().begin(), suppressions.directives().end(),
            [&](const Suppressions::Directive& d) {
              const bool rule = d.rules.empty() ||
                                std::find(d.rules.begin(), d.rules.end(), f.rule) != d.rules.end();
              if (!rule) {
                return false;
              }
              if (d.whole_file) {
                return true;
              }
              const auto at = script->origin.locate(d.statement_begin, d.statement_begin);
              return at.file == f.location.file && at.start().line == f.location.start().line;
            });
      });
    }
  }
}

void Linter::finish(std::vector<core::Finding>& findings) const {
  std::erase_if(findings,
                [&](const core::Finding& f) { return !m_options.selection.enabled(f.rule); });
  apply_catalog(findings);
  for (auto& f : findings) {
    if (const auto it = m_options.severity.find(f.rule); it != m_options.severity.end()) {
      f.severity = it->second;
    }
  }
  core::sort_findings(findings);
}

} // namespace miglint::lint
