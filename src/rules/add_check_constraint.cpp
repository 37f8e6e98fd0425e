#include "lint/rule.hpp"
#include "lint/rule_support.hpp"

namespace miglint::rules {
namespace {

// A CHECK constraint added without NOT VALID is validated by scanning the table under ACCESS
// EXCLUSIVE.
class AddCheckConstraint final : public lint::Rule {
public:
  std::string_view id() const override { return "add-check-constraint"; }

  void check(const sql::Statement& statement, lint::Context& ctx) const override {
    lint::for_each_populated_alter(statement, ctx, [&](const auto& alter, const auto& cmd) {
      const std::string table = lint::quoted(alter.table.display());
      if (ctx.scans_for(alter, cmd, lint::Op::AddCheck)) {
        const std::string name =
            cmd.constraint->name.empty() ? "" : " " + lint::quoted(cmd.constraint->name);
        ctx.report(statement, lint::from(cmd.constraint->location, statement),
                   "adding CHECK constraint" + name + " on " + table +
                       " scans the whole table to validate it while holding an ACCESS "
                       "EXCLUSIVE lock that blocks reads and writes");
      } else if (ctx.scans_for(alter, cmd, lint::Op::AddColumnCheck)) {
        for (const auto& c : cmd.column_def->constraints) {
          if (c.kind == sql::ConstraintKind::Check) {
            ctx.report(statement, lint::from(c.location, statement),
                       "the CHECK on new column " +
                           lint::column_ref(alter.table, cmd.column_def->name) +
                           " is validated by scanning the whole table " + table +
                           " under an ACCESS EXCLUSIVE lock");
          }
        }
      }
    });
  }
};

} // namespace

std::unique_ptr<lint::Rule> make_add_check_constraint() {
  return std::make_unique<AddCheckConstraint>();
}

} // namespace miglint::rules
