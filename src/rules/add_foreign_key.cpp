#include "lint/rule.hpp"
#include "lint/rule_support.hpp"

namespace miglint::rules {
namespace {

std::string columns_of(const std::vector<std::string>& columns) {
  std::string out;
  for (const auto& c : columns) {
    out += (out.empty() ? "" : ", ") + c;
  }
  return "(" + out + ")";
}

// A foreign key added to an existing table without NOT VALID checks every row while holding
// SHARE ROW EXCLUSIVE locks on both tables.
class AddForeignKey final : public lint::Rule {
public:
  std::string_view id() const override { return "add-foreign-key"; }

  void check(const sql::Statement& statement, lint::Context& ctx) const override {
    lint::for_each_populated_alter(statement, ctx, [&](const auto& alter, const auto& cmd) {
      const std::string table = lint::quoted(alter.table.display());
      if (cmd.kind == sql::AlterKind::AddConstraint && cmd.constraint &&
          cmd.constraint->kind == sql::ConstraintKind::ForeignKey && !cmd.constraint->not_valid) {
        const auto& fk = *cmd.constraint;
        ctx.report(statement, lint::from(fk.location, statement),
                   "adding foreign key " + table + columns_of(fk.columns) + " -> " +
                       lint::quoted(fk.references.display()) +
                       " validates every row while holding SHARE ROW EXCLUSIVE locks on both "
                       "tables, blocking their writes");
      } else if (cmd.kind == sql::AlterKind::AddColumn && cmd.column_def) {
        for (const auto& c : cmd.column_def->constraints) {
          if (c.kind == sql::ConstraintKind::ForeignKey) {
            ctx.report(statement, lint::from(c.location, statement),
                       "new column " + lint::column_ref(alter.table, cmd.column_def->name) +
                           " references " + lint::quoted(c.references.display()) +
                           ": the foreign key takes SHARE ROW EXCLUSIVE locks on both tables and "
                           "cannot be added NOT VALID inline");
          }
        }
      }
    });
  }
};

} // namespace

std::unique_ptr<lint::Rule> make_add_foreign_key() {
  return std::make_unique<AddForeignKey>();
}

} // namespace miglint::rules
