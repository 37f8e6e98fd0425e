#include "lint/linter.hpp"

#include "lint/catalog.hpp"
#include "lint/suppression.hpp"
#include "sql/parser.hpp"

#include <algorithm>

namespace miglint::lint {

Linter::Linter(LintOptions options) : m_options(std::move(options)) {
  for (auto& rule : make_all_rules()) {
    if (m_options.selection.enabled(rule->id())) {
      m_rules.push_back(std::move(rule));
    }
  }
}

std::vector<core::Finding> Linter::lint(const std::vector<source::Migration>& migrations) const {
  std::vector<core::Finding> findings;
  Context ctx(m_options.pg_version);
  for (const auto& m : migrations) {
    if (m.upgrade) {
      // The upgrade is always read, for the schema it leaves; its findings only when asked for.
      lint_script(m, core::Phase::Upgrade, *m.upgrade, ctx,
                  m_options.upgrade ? &findings : nullptr);
    }
    if (m_options.downgrade && m.downgrade) {
      Context down = ctx; // the downgrade runs against the schema the upgrade left
      lint_script(m, core::Phase::Downgrade, *m.downgrade, down, &findings);
    }
  }
  finish(findings);
  return findings;
}

void Linter::lint_script(const source::Migration& migration, core::Phase phase,
                         const source::Script& script, Context& ctx,
                         std::vector<core::Finding>* out) const {
  const sql::ParsedScript parsed = sql::parse(script.sql);
  ctx.begin_script(script.tx, parsed.statements.size() + parsed.errors.size());
  for (const auto& statement : parsed.statements) {
    if (out != nullptr) {
      for (const auto& rule : m_rules) {
        ctx.set_rule(rule->id());
        rule->check(statement, ctx);
      }
    }
    ctx.after_statement(statement);
  }
  std::vector<RawFinding> raw = ctx.take_findings();
  if (out == nullptr) {
    return;
  }
  for (const auto& e : parsed.errors) {
    raw.push_back({"sql-syntax-error", {e.offset, e.statement.end}, e.statement.begin, e.message});
  }
  std::vector<RawFinding> problems;
  const Suppressions suppressions(
      parsed, script.sql, [](std::string_view id) { return find_rule_doc(id) != nullptr; },
      problems);
  raw.insert(raw.end(), problems.begin(), problems.end());

  for (auto& r : raw) {
    if (suppressions.suppresses(r)) {
      continue;
    }
    core::Finding f;
    f.rule = std::move(r.rule);
    f.message = std::move(r.message);
    f.location = script.origin.locate(r.span.begin, r.span.end);
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
    out->push_back(std::move(f));
  }
}

void Linter::finish(std::vector<core::Finding>& findings) const {
  std::erase_if(findings,
                [&](const core::Finding& f) { return !m_options.selection.enabled(f.rule); });
  apply_catalog(findings);
  core::sort_findings(findings);
}

} // namespace miglint::lint
