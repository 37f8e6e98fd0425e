#include "lint/rule.hpp"
#include "lint/rule_support.hpp"

namespace miglint::rules {
namespace {

// Adding a serial or identity column draws a sequence value for every row: a table rewrite.
class AddColumnSerial final : public lint::Rule {
public:
  std::string_view id() const override { return "add-column-serial"; }

  void check(const sql::Statement& statement, lint::Context& ctx) const override {
    lint::for_each_populated_alter(statement, ctx, [&](const auto& alter, const auto& cmd) {
      if (cmd.kind != sql::AlterKind::AddColumn || !cmd.column_def) {
        return;
      }
      const sql::ColumnDef& col = *cmd.column_def;
      if (!col.type.is_serial() && !col.identity) {
        return;
      }
      const std::string what = col.identity ? "identity column" : col.type.display() + " column";
      ctx.report(statement, lint::from(col.location, statement),
                 "adding " + what + " " + lint::column_ref(alter.table, col.name) +
                     " fills every existing row from a sequence: it rewrites the whole table " +
                     lint::quoted(alter.table.display()) + " under an ACCESS EXCLUSIVE lock");
    });
  }
};

} // namespace

std::unique_ptr<lint::Rule> make_add_column_serial() {
  return std::make_unique<AddColumnSerial>();
}

} // namespace miglint::rules
