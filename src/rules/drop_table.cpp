#include "lint/rule.hpp"
#include "lint/rule_support.hpp"

namespace miglint::rules {
namespace {

// Dropping a table loses its data and breaks code that still uses it.
class DropTable final : public lint::Rule {
public:
  std::string_view id() const override { return "drop-table"; }

  void check(const sql::Statement& statement, lint::Context& ctx) const override {
    const auto* drop = statement.as<sql::Drop>();
    if (drop == nullptr || drop->kind != sql::ObjectKind::Table) {
      return;
    }
    for (const auto& table : drop->objects) {
      if (ctx.is_new_table(table) || (drop->missing_ok && ctx.knows_table_gone(table))) {
        continue;
      }
      ctx.report(statement, "dropping table " + lint::quoted(table.display()) +
                                " deletes its data for good and breaks every running instance of "
                                "the application that still queries it" +
                                (drop->cascade ? "; CASCADE also drops the views and foreign keys "
                                                 "that depend on it"
                                               : ""));
    }
  }
};

} // namespace

std::unique_ptr<lint::Rule> make_drop_table() {
  return std::make_unique<DropTable>();
}

} // namespace miglint::rules
