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
      if (cmd.kind != sql::AlterKind::DropColumn) {
        return;
      }
      ctx.report(statement, "dropping " + lint::column_ref(alter.table, cmd.column) +
                                " deletes its data for good and breaks every running instance "
                                "of the application that still reads or writes it" +
                                (cmd.cascade ? "; CASCADE also drops the views and constraints "
                                               "that depend on it"
                                             : ""));
    });
  }
};

} // namespace

std::unique_ptr<lint::Rule> make_drop_column() {
  return std::make_unique<DropColumn>();
}

} // namespace miglint::rules
