#pragma once

#include "core/finding.hpp"
#include "lint/rule.hpp"
#include "source/migration.hpp"

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace miglint::lint {

// Which rules run. Each entry is a rule id or a group: a kind (`static`, `alembic`, `graph`,
// `round-trip`, `engine`) or a tag (`locks`, `style`, `alembic`) of the rule's front matter.
// The rules on by default (front matter `enabled`), or only those `select` names, plus those
// `extend` names, minus those `ignore` names.
struct RuleSelection {
  std::set<std::string, std::less<>> select;
  std::set<std::string, std::less<>> extend;
  std::set<std::string, std::less<>> ignore;

  bool enabled(std::string_view id) const;
};

// Whether `name` is a rule id or a group a selection may name.
bool is_rule_or_group(std::string_view name);

struct LintOptions {
  int pg_version = 15;
  bool upgrade = true;
  bool downgrade = false;
  RuleSelection selection;
  // Session settings made outside the migrations (a role's ALTER ROLE ... SET, the deployment's
  // connection options), name -> value: in force at the start of every script, under those the
  // migration's own project sets up (env.py).
  std::map<std::string, std::string> session_settings;
  // Per-rule severities from the configuration, over the catalog's.
  std::map<std::string, core::Severity, std::less<>> severity;
  // Honour other linters' reviewed markers (atlas:nolint, squawk-ignore, eugene: ignore,
  // diesel-guard's safety-assured blocks) for the rules their codes correspond to
  // (lint/foreign_markers.hpp); configuration `foreign-markers = false` turns it off.
  bool foreign_markers = true;
  // Threads that parse scripts (0: every core, core::resolve_jobs; 1: all on the calling
  // thread). The findings do not depend on it.
  unsigned jobs = 0;
};

// What a lint run counted besides its findings.
struct LintStats {
  size_t honoured_markers = 0; // findings silenced by other tools' markers
  // Projects (source::Migration::project; "" for SQL layouts) whose every downgrade script is
  // empty, with how many: forward-only histories, where empty-downgrade stays silent.
  std::map<std::string, size_t> forward_only;
};

class Linter {
public:
  explicit Linter(LintOptions options);

  // Lints the migrations in order; the schema learnt from each upgrade carries to the next.
  std::vector<core::Finding> lint(const std::vector<source::Migration>& migrations,
                                  LintStats* stats = nullptr) const;

  // Filters by the selection and fills severity (the configured one, else the catalog's) and
  // help from the catalog: for findings made outside the linter (discovery, round-trip), so
  // that every finding goes through one gate.
  void finish(std::vector<core::Finding>& findings) const;

  // Applies the scripts' ignore comments to findings made outside the linter (the round-trip):
  // a directive for a statement silences findings that start on that statement's line, an
  // ignore-file directive those of the whole script.
  static void suppress(std::vector<core::Finding>& findings,
                       const std::vector<source::Migration>& migrations);

private:
  // Runs the statement rules over one script; with `out` null only the context learns from it.
  // Returns how many findings other tools' markers silenced.
  size_t lint_script(const source::Migration& migration, core::Phase phase,
                     const source::Script& script, const sql::ParsedScript& parsed, Context& ctx,
                     std::vector<core::Finding>* out) const;
  size_t check_migration(const source::Migration& migration, const sql::ParsedScript* upgrade,
                         const sql::ParsedScript* downgrade, const Context* upgrade_context,
                         bool forward_only_history, std::vector<core::Finding>& out) const;
  bool phase_linted(core::Phase phase) const {
    return phase == core::Phase::Upgrade ? m_options.upgrade : m_options.downgrade;
  }

  LintOptions m_options;
  std::vector<std::unique_ptr<Rule>> m_rules; // enabled ones only
};

} // namespace miglint::lint
