#pragma once

#include "lint/context.hpp"
#include "sql/statement.hpp"

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace miglint::lint {

// Both scripts of one migration, parsed: what a migration-level check looks at.
struct MigrationScripts {
  const source::Migration& migration;
  const sql::ParsedScript* upgrade;   // null when the migration has no upgrade script
  const sql::ParsedScript* downgrade; // null when it has no downgrade script
  // The context as the upgrade script left it (its facts: Context::was_noop, ...); null when
  // there is no upgrade script.
  const Context* upgrade_context = nullptr;
  // Every downgrade of the migration's project is empty (at least k_forward_only_evidence of
  // them): the team does not write downgrades, on purpose (LintStats::forward_only).
  bool forward_only_history = false;
};

// How many empty downgrade scripts, and none with SQL, make a history forward-only.
constexpr size_t k_forward_only_evidence = 5;

// Where a migration-level check reports: on a statement of one of the scripts, or on the script
// as a whole (its anchor: the file's start, Alembic's `def downgrade`).
class MigrationReporter {
public:
  struct Report {
    core::Phase phase;
    std::optional<sql::Span> statement;
    std::string message;
  };
  void report(core::Phase phase, std::optional<sql::Span> statement, std::string message) {
    m_reports.push_back({phase, statement, std::move(message)});
  }
  std::vector<Report> take() { return std::exchange(m_reports, {}); }

private:
  std::vector<Report> m_reports;
};

// A rule looks at one typed statement with the context, or at a whole migration, and reports; it
// keeps no state, prints nothing and knows nothing of suppressions. Its prose lives in
// rules/<id>.md.
class Rule {
public:
  virtual ~Rule() = default;
  virtual std::string_view id() const = 0;
  virtual void check(const sql::Statement& /*statement*/, Context& /*ctx*/) const {}
  // After the last statement of each script, with the context of the whole script (for rules
  // that weigh every statement before reporting, such as pairing drops with adds).
  virtual void check_script(Context& /*ctx*/) const {}
  virtual void check_migration(const MigrationScripts& /*scripts*/,
                               MigrationReporter& /*reporter*/) const {}
};

// Every rule in src/rules/ (generated from the file names: see cmake/rule_registry.cmake).
std::vector<std::unique_ptr<Rule>> make_all_rules();

} // namespace miglint::lint
