#include "lint/rule.hpp"
#include "lint/rule_support.hpp"

#include <algorithm>

namespace miglint::rules {
namespace {

// DROP NOT NULL on a column of an existing table: instant, but code that relies on the column
// always having a value (old application instances still running, reports, triggers) can now
// meet NULLs.
class DropNotNull final : public lint::Rule {
public:
  std::string_view id() const override { return "drop-not-null"; }

  void check(const sql::Statement& statement, lint::Context& ctx) const override {
    if (ctx.phase() == core::Phase::Downgrade) {
      return; // undoing the upgrade's NOT NULL: the previous release never relied on it
    }
    lint::for_each_existing_alter(statement, ctx, [&](const auto& alter, const auto& cmd) {
      if (cmd.kind != sql::AlterKind::DropNotNull) {
        return;
      }
      // A column this migration added: nobody relies on it yet.
      const auto& added = ctx.columns_added();
      if (std::any_of(added.begin(), added.end(), [&](const lint::ColumnChange& c) {
            return c.table.key() == alter.table.key() && c.column == cmd.column;
          })) {
        return;
      }
      // A column the history knows to be nullable already: the statement changes nothing.
      const lint::TableInfo* table = ctx.known_table(alter.table);
      const lint::ColumnInfo* column = table != nullptr ? table->column(cmd.column) : nullptr;
      if (column != nullptr && !column->not_null) {
        return;
      }
      ctx.report(statement, "DROP NOT NULL lets " + lint::column_ref(alter.table, cmd.column) +
                                " hold NULLs: code that relies on it always having a value "
                                "(application instances still running the previous release, "
                                "reports, triggers) breaks on the first NULL written");
    });
  }
};

} // namespace

std::unique_ptr<lint::Rule> make_drop_not_null() {
  return std::make_unique<DropNotNull>();
}

} // namespace miglint::rules
