#include "lint/rule.hpp"
#include "lint/rule_support.hpp"

namespace miglint::rules {
namespace {

// Adding a STORED generated column computes it for every row: a table rewrite.
class AddColumnStoredGenerated final : public lint::Rule {
public:
  std::string_view id() const override { return "add-column-stored-generated"; }

  void check(const sql::Statement& statement, lint::Context& ctx) const override {
    lint::for_each_populated_alter(statement, ctx, [&](const auto& alter, const auto& cmd) {
      if (cmd.kind == sql::AlterKind::AddColumn && cmd.column_def &&
          cmd.column_def->generated_stored) {
        ctx.report(statement, lint::from(cmd.column_def->location, statement),
                   "adding stored generated column " +
                       lint::column_ref(alter.table, cmd.column_def->name) +
                       " rewrites the whole table " + lint::quoted(alter.table.display()) +
                       " under an ACCESS EXCLUSIVE lock");
      }
    });
  }
};

} // namespace

std::unique_ptr<lint::Rule> make_add_column_stored_generated() {
  return std::make_unique<AddColumnStoredGenerated>();
}

} // namespace miglint::rules
