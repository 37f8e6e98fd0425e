#include "lint/rule.hpp"
#include "lint/rule_support.hpp"

namespace miglint::rules {
namespace {

// Dropping a column loses its data and breaks code that still uses it.
class DropColumn final : public lint::Rule {
public:
  std::string_view id() const override { return "drop-column"; }

  void check(const sql::Statement& statement, lint::Context& ctx) const override {
    lint::for_each_existing_alter(statement, ctx, [&](const auto& alter, const auto& cmd) {
      if (cmd.kind != sql::AlterKind::DropColumn || ctx.is_new_column(alter.table, cmd.column)) {
        return; // a column this migration added: no data, and no running code uses it
      }
      // What happens to the data, as far as miglint can tell.
      std::string data = " deletes its data for good";
      if (const auto copy = ctx.copied_by(alter.table, cmd.column)) {
        data = " removes the column (the statement on line " + std::to_string(ctx.line_of(*copy)) +
               " reads it first, so its data may live on elsewhere)";
      } else if (const auto* part = ctx.unanalysed_before(statement.span.begin)) {
        data = " deletes its data (unless " + part->what + " copied it first: miglint cannot tell)";
      }
      ctx.report(statement,
                 "dropping " + lint::column_ref(alter.table, cmd.column) + data +
                     " and breaks every running instance of the application that still reads "
                     "or writes it" +
                     (cmd.cascade ? "; CASCADE also drops the views and constraints that depend "
                                    "on it"
                                  : ""));
    });
  }
};

} // namespace

std::unique_ptr<lint::Rule> make_drop_column() {
  return std::make_unique<DropColumn>();
}

} // namespace miglint::rules
