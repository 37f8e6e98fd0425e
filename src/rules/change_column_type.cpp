#include "lint/rule.hpp"
#include "lint/rule_support.hpp"

namespace miglint::rules {
namespace {

// ALTER COLUMN ... TYPE rewrites the table and its indexes under ACCESS EXCLUSIVE unless the
// change is binary-coercible, or (PostgreSQL >= 12) between timestamp and timestamptz while the
// session's timezone is UTC: the effect table decides (lint/effects.hpp).
class ChangeColumnType final : public lint::Rule {
public:
  std::string_view id() const override { return "change-column-type"; }

  void check(const sql::Statement& statement, lint::Context& ctx) const override {
    lint::for_each_populated_alter(statement, ctx, [&](const auto& alter, const auto& cmd) {
      if (cmd.kind != sql::AlterKind::AlterColumnType || !cmd.type) {
        return;
      }
      const std::string column = lint::column_ref(alter.table, cmd.column);
      const std::string effect = " rewrites the whole table " +
                                 lint::quoted(alter.table.display()) +
                                 " and rebuilds its indexes under an ACCESS EXCLUSIVE lock";
      if (!ctx.effect(alter, cmd).rewrite) {
        return; // binary-coercible, or timestamp <-> timestamptz in UTC (lint/effects.hpp)
      }
      const lint::TableInfo* table = ctx.known_table(alter.table);
      const lint::ColumnInfo* current = table ? table->column(cmd.column) : nullptr;
      if (current == nullptr) {
        ctx.report(statement, "changing the type of " + column + " to " + cmd.type->display() +
                                  effect +
                                  ", unless the change is binary-coercible (miglint has "
                                  "not seen the column's current type)");
        return;
      }
      const std::string from = current->type.canonical();
      const std::string to = cmd.type->canonical();
      const bool zone_change = (!cmd.has_using || cmd.using_is_column) && ctx.pg_version() >= 12 &&
                               ((from == "timestamp" && to == "timestamptz") ||
                                (from == "timestamptz" && to == "timestamp"));
      ctx.report(statement, "changing " + column + " from " + current->type.display() + " to " +
                                cmd.type->display() + effect +
                                (zone_change ? " (with the session's timezone set to UTC first, "
                                               "PostgreSQL keeps the table)"
                                             : ""));
    });
  }
};

} // namespace

std::unique_ptr<lint::Rule> make_change_column_type() {
  return std::make_unique<ChangeColumnType>();
}

} // namespace miglint::rules
