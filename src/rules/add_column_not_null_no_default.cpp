#include "lint/rule.hpp"
#include "lint/rule_support.hpp"

namespace miglint::rules {
namespace {

// A NOT NULL column added without a DEFAULT fails on any table that has rows.
class AddColumnNotNullNoDefault final : public lint::Rule {
public:
  std::string_view id() const override { return "add-column-not-null-no-default"; }

  void check(const sql::Statement& statement, lint::Context& ctx) const override {
    lint::for_each_existing_alter(statement, ctx, [&](const auto& alter, const auto& cmd) {
      if (cmd.kind != sql::AlterKind::AddColumn || !cmd.column_def) {
        return;
      }
      const sql::ColumnDef& col = *cmd.column_def;
      const bool has_default = col.default_value && !col.default_value->is_null;
      if (!col.not_null || has_default || col.identity || col.generated_stored ||
          col.type.is_serial()) {
        return;
      }
      ctx.report(statement, lint::from(col.location, statement),
                 "column " + lint::column_ref(alter.table, col.name) +
                     " is added as NOT NULL without a DEFAULT: the ALTER fails as soon as " +
                     lint::quoted(alter.table.display()) + " has a row");
    });
  }
};

} // namespace

std::unique_ptr<lint::Rule> make_add_column_not_null_no_default() {
  return std::make_unique<AddColumnNotNullNoDefault>();
}

} // namespace miglint::rules
