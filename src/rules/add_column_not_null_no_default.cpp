#include "lint/rule.hpp"
#include "lint/rule_support.hpp"

namespace miglint::rules {
namespace {

// A NOT NULL column added without a DEFAULT fails on any table that has rows. One finding per
// statement: its columns fail together, on the first row.
class AddColumnNotNullNoDefault final : public lint::Rule {
public:
  std::string_view id() const override { return "add-column-not-null-no-default"; }

  void check(const sql::Statement& statement, lint::Context& ctx) const override {
    const auto* alter = statement.as<sql::AlterTable>();
    if (alter == nullptr || ctx.known_empty(alter->table)) {
      return; // an earlier statement already needs the table empty: this one adds no risk
    }
    std::vector<const sql::ColumnDef*> columns;
    lint::for_each_existing_alter(statement, ctx, [&](const auto&, const auto& cmd) {
      if (cmd.kind == sql::AlterKind::AddColumn && cmd.column_def &&
          lint::needs_empty_table(*cmd.column_def)) {
        columns.push_back(&*cmd.column_def);
      }
    });
    if (columns.empty()) {
      return;
    }
    std::string names;
    for (size_t i = 0; i < columns.size(); ++i) {
      names += (i == 0                    ? ""
                : i + 1 == columns.size() ? " and "
                                          : ", ") +
               lint::column_ref(alter->table, columns[i]->name);
    }
    const bool several = columns.size() > 1;
    ctx.report(statement, lint::from(columns.front()->location, statement),
               (several ? "columns " : "column ") + names + (several ? " are" : " is") +
                   " added as NOT NULL without a DEFAULT: the ALTER fails as soon as " +
                   lint::quoted(alter->table.display()) + " has a row");
  }
};

} // namespace

std::unique_ptr<lint::Rule> make_add_column_not_null_no_default() {
  return std::make_unique<AddColumnNotNullNoDefault>();
}

} // namespace miglint::rules
