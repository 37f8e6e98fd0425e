#include "lint/rule.hpp"
#include "lint/rule_support.hpp"

namespace miglint::rules {
namespace {

// A UNIQUE constraint added to an existing table builds its index under ACCESS EXCLUSIVE.
class AddUniqueConstraint final : public lint::Rule {
public:
  std::string_view id() const override { return "add-unique-constraint"; }

  void check(const sql::Statement& statement, lint::Context& ctx) const override {
    lint::for_each_populated_alter(statement, ctx, [&](const auto& alter, const auto& cmd) {
      const std::string table = lint::quoted(alter.table.display());
      const std::string effect = " builds a unique index while holding an ACCESS EXCLUSIVE lock "
                                 "that blocks reads and writes for the whole build";
      // USING INDEX adopts an index built beforehand: no build, no scan (lint/effects.hpp).
      if (ctx.scans_for(alter, cmd, lint::Op::AddUnique)) {
        ctx.report(statement, lint::from(cmd.constraint->location, statement),
                   "adding a UNIQUE constraint on " + table + effect);
      } else if (ctx.scans_for(alter, cmd, lint::Op::AddColumnUnique)) {
        for (const auto& c : cmd.column_def->constraints) {
          if (c.kind == sql::ConstraintKind::Unique) {
            ctx.report(statement, lint::from(c.location, statement),
                       "adding column " + lint::column_ref(alter.table, cmd.column_def->name) +
                           " with UNIQUE" + effect);
          }
        }
      }
    });
  }
};

} // namespace

std::unique_ptr<lint::Rule> make_add_unique_constraint() {
  return std::make_unique<AddUniqueConstraint>();
}

} // namespace miglint::rules
