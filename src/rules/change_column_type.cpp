#include "lint/rule.hpp"
#include "lint/rule_support.hpp"

#include <algorithm>
#include <optional>

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
      const std::string message = "changing " + column + " from " + current->type.display() +
                                  " to " + cmd.type->display() + effect +
                                  (zone_change ? " (with the session's timezone set to UTC "
                                                 "first, PostgreSQL keeps the table)"
                                               : "");
      ctx.report(statement, statement.span, message,
                 add_value_advice(current->type, *cmd.type, ctx).value_or(""));
    });
  }

private:
  // A change from one enum type to another that keeps every label of the old one, in the same
  // order, only adds labels: ALTER TYPE ... ADD VALUE does that in place, with no rewrite (the
  // recreate-and-convert pattern alembic-postgresql-enum's sync_enum_values emits). PostgreSQL
  // documentation, "ALTER TYPE": ADD VALUE cannot run in a transaction block before 12; from 12
  // it can, but the new value cannot be used until the transaction commits.
  static std::optional<std::string> add_value_advice(const sql::TypeName& from_type,
                                                     const sql::TypeName& to_type,
                                                     const lint::Context& ctx) {
    if (from_type.array || to_type.array) {
      return std::nullopt;
    }
    const lint::EnumInfo* from = ctx.schema().enum_type(lint::type_name(from_type));
    const lint::EnumInfo* to = ctx.schema().enum_type(lint::type_name(to_type));
    if (from == nullptr || to == nullptr || from == to || from->labels.empty() ||
        to->labels.size() <= from->labels.size()) {
      return std::nullopt;
    }
    size_t next = 0; // the old labels must appear in the new list in order
    for (const auto& label : to->labels) {
      if (next < from->labels.size() && label == from->labels[next]) {
        ++next;
      }
    }
    const bool kept = next == from->labels.size() &&
                      std::all_of(to->labels.begin(), to->labels.end(), [&](const auto& l) {
                        return std::count(to->labels.begin(), to->labels.end(), l) == 1;
                      });
    if (!kept) {
      return std::nullopt;
    }
    // The type to extend: the old type under the name it had before it was renamed out of the
    // new type's way (sync_enum_values renames `e` to `e_old`), else the old type as it is.
    const bool recreated = from->renamed_from == to->name.name;
    const std::string target = recreated ? to->name.display() : from->name.display();
    auto literal = [](const std::string& label) {
      std::string out = "'";
      for (char c : label) {
        out += c;
        if (c == '\'') {
          out += '\'';
        }
      }
      return out + "'";
    };
    std::string statements;
    for (size_t i = 0; i < to->labels.size(); ++i) {
      const std::string& label = to->labels[i];
      if (std::find(from->labels.begin(), from->labels.end(), label) != from->labels.end()) {
        continue;
      }
      statements += "ALTER TYPE " + target + " ADD VALUE " + literal(label) +
                    (i == 0 ? " BEFORE " + literal(from->labels.front())
                            : " AFTER " + literal(to->labels[i - 1])) +
                    "; ";
    }
    std::string advice =
        "The new type keeps every label of " + lint::quoted(from->name.display()) +
        " in the same order and only adds labels: add them to the existing type instead, which "
        "rewrites nothing: " +
        statements +
        (recreated ? "(in place of renaming the type, creating it again and converting the "
                     "columns). "
                   : "and keep the column's type. ");
    advice += ctx.pg_version() >= 12
                  ? "ALTER TYPE ... ADD VALUE may run inside the transaction, but the new value "
                    "cannot be used until the transaction commits."
                  : "Before PostgreSQL 12, ALTER TYPE ... ADD VALUE cannot run inside a "
                    "transaction block.";
    return advice;
  }
};

} // namespace

std::unique_ptr<lint::Rule> make_change_column_type() {
  return std::make_unique<ChangeColumnType>();
}

} // namespace miglint::rules
