#include "lint/rule.hpp"
#include "lint/rule_support.hpp"

namespace miglint::rules {
namespace {

// Renaming a column breaks every running application instance that still uses the old name.
class RenameColumn final : public lint::Rule {
public:
  std::string_view id() const override { return "rename-column"; }

  void check(const sql::Statement& statement, lint::Context& ctx) const override {
    const auto* rename = statement.as<sql::Rename>();
    if (rename == nullptr || rename->kind != sql::ObjectKind::Column ||
        ctx.is_new_table(rename->relation) ||
        ctx.is_new_column(rename->relation, rename->old_name)) {
      return; // created by this migration: no running instance uses the old name yet
    }
    ctx.report(statement, "renaming " + lint::column_ref(rename->relation, rename->old_name) +
                              " to " + lint::quoted(rename->new_name) +
                              " breaks every running instance of the application that still "
                              "reads or writes the old name");
  }
};

} // namespace

std::unique_ptr<lint::Rule> make_rename_column() {
  return std::make_unique<RenameColumn>();
}

} // namespace miglint::rules
