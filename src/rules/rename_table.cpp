#include "lint/rule.hpp"
#include "lint/rule_support.hpp"

namespace miglint::rules {
namespace {

// Renaming a table breaks every running application instance that still uses the old name.
class RenameTable final : public lint::Rule {
public:
  std::string_view id() const override { return "rename-table"; }

  void check(const sql::Statement& statement, lint::Context& ctx) const override {
    const auto* rename = statement.as<sql::Rename>();
    if (rename == nullptr || rename->kind != sql::ObjectKind::Table ||
        ctx.is_new_table(rename->relation)) {
      return;
    }
    ctx.report(statement, "renaming table " + lint::quoted(rename->relation.display()) + " to " +
                              lint::quoted(rename->new_name) +
                              " breaks every running instance of the application that still "
                              "queries the old name");
  }
};

} // namespace

std::unique_ptr<lint::Rule> make_rename_table() {
  return std::make_unique<RenameTable>();
}

} // namespace miglint::rules
