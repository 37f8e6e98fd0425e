#include "lint/rule.hpp"
#include "lint/rule_support.hpp"

namespace miglint::rules {
namespace {

// A PRIMARY KEY added to an existing table builds its index (and checks NOT NULL) under ACCESS
// EXCLUSIVE.
class AddPrimaryKey final : public lint::Rule {
public:
  std::string_view id() const override { return "add-primary-key"; }

  void check(const sql::Statement& statement, lint::Context& ctx) const override {
    lint::for_each_populated_alter(statement, ctx, [&](const auto& alter, const auto& cmd) {
      const std::string table = lint::quoted(alter.table.display());
      const std::string effect = " builds a unique index and checks the key columns for NULLs "
                                 "while holding an ACCESS EXCLUSIVE lock that blocks reads and "
                                 "writes";
      if (ctx.scans_for(alter, cmd, lint::Op::AddPrimaryKey)) {
        ctx.report(statement, lint::from(cmd.constraint->location, statement),
                   "adding a PRIMARY KEY to " + table + effect);
      } else if (ctx.scans_for(alter, cmd, lint::Op::AddColumnPrimaryKey)) {
        ctx.report(statement, lint::from(cmd.column_def->location, statement),
                   "adding column " + lint::column_ref(alter.table, cmd.column_def->name) +
                       " as PRIMARY KEY" + effect);
      }
    });
  }
};

} // namespace

std::unique_ptr<lint::Rule> make_add_primary_key() {
  return std::make_unique<AddPrimaryKey>();
}

} // namespace miglint::rules
