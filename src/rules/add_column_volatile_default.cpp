#include "lint/rule.hpp"
#include "lint/rule_support.hpp"

namespace miglint::rules {
namespace {

// Adding a column whose DEFAULT must be computed per row rewrites the table under ACCESS
// EXCLUSIVE (before PostgreSQL 11: any non-NULL DEFAULT).
class AddColumnVolatileDefault final : public lint::Rule {
public:
  std::string_view id() const override { return "add-column-volatile-default"; }

  void check(const sql::Statement& statement, lint::Context& ctx) const override {
    lint::for_each_populated_alter(statement, ctx, [&](const auto& alter, const auto& cmd) {
      if (cmd.kind != sql::AlterKind::AddColumn || !cmd.column_def) {
        return;
      }
      const sql::ColumnDef& col = *cmd.column_def;
      // Serial, identity and stored generated columns have rules of their own.
      if (!col.default_value || col.default_value->is_null || col.type.is_serial() ||
          col.identity || col.generated_stored) {
        return;
      }
      const sql::Expr& def = *col.default_value;
      const std::string table = lint::quoted(alter.table.display());
      const std::string column = lint::column_ref(alter.table, col.name);
      const bool constant = ctx.has_operation(alter, cmd, lint::Op::AddColumnDefault) ||
                            ctx.has_operation(alter, cmd, lint::Op::AddColumnNotNullDefault);
      if (constant && ctx.effect(alter, cmd).rewrite) { // lint/effects.hpp: before 11
        ctx.report(statement, lint::from(col.location, statement),
                   "adding column " + column + " with a DEFAULT rewrites the whole table " + table +
                       " under an ACCESS EXCLUSIVE lock on PostgreSQL " +
                       std::to_string(ctx.pg_version()) + " (before 11 every default does)");
      } else if (ctx.has_operation(alter, cmd, lint::Op::AddColumnVolatileDefault)) {
        const std::string why =
            def.volatility_unknown
                ? "DEFAULT uses " + def.volatile_function +
                      ", which miglint cannot prove is not volatile; if it is, adding column " +
                      column + " rewrites"
                : "DEFAULT " + def.volatile_function + " is volatile: adding column " + column +
                      " rewrites";
        ctx.report(statement, lint::from(col.location, statement),
                   why + " the whole table " + table +
                       " under an ACCESS EXCLUSIVE lock, computing the value for every row");
      }
    });
  }
};

} // namespace

std::unique_ptr<lint::Rule> make_add_column_volatile_default() {
  return std::make_unique<AddColumnVolatileDefault>();
}

} // namespace miglint::rules
