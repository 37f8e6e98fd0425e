#include "lint/rule.hpp"
#include "lint/rule_support.hpp"

namespace miglint::rules {
namespace {

// Modifier n of a type, or -1 when not given (no limit / default precision).
int64_t modifier(const sql::TypeName& t, size_t n) {
  return n < t.modifiers.size() ? t.modifiers[n] : -1;
}

// Whether the new limit is at least the old one (-1 means unlimited).
bool widens(int64_t from, int64_t to) {
  return to == -1 || (from != -1 && to >= from);
}

// Changes PostgreSQL makes without rewriting the table or rebuilding its indexes.
bool binary_coercible(const sql::TypeName& from, const sql::TypeName& to) {
  if (from.array != to.array) {
    return false;
  }
  const std::string f = from.canonical();
  const std::string t = to.canonical();
  if (f == t && from.modifiers == to.modifiers) {
    return true;
  }
  if ((f == "varchar" || f == "text") && t == "text") {
    return true;
  }
  if (f == "varchar" && t == "varchar") {
    return widens(modifier(from, 0), modifier(to, 0));
  }
  if (f == "text" && t == "varchar") {
    return modifier(to, 0) == -1;
  }
  if (f == "numeric" && t == "numeric") {
    if (to.modifiers.empty()) {
      return true;
    }
    return !from.modifiers.empty() && modifier(to, 1) == modifier(from, 1) &&
           modifier(to, 0) >= modifier(from, 0);
  }
  if (f == t && (f == "varbit" || f == "timestamp" || f == "timestamptz" || f == "time" ||
                 f == "timetz" || f == "interval")) {
    return widens(modifier(from, 0), modifier(to, 0));
  }
  return f == "cidr" && t == "inet";
}

// ALTER COLUMN ... TYPE rewrites the table and its indexes under ACCESS EXCLUSIVE unless the
// change is binary-coercible.
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
      const lint::TableInfo* table = ctx.known_table(alter.table);
      const lint::ColumnInfo* current = table ? table->column(cmd.column) : nullptr;
      if (current == nullptr) {
        ctx.report(statement, "changing the type of " + column + " to " + cmd.type->display() +
                                  effect +
                                  ", unless the change is binary-coercible (miglint has "
                                  "not seen the column's current type)");
        return;
      }
      if (!cmd.has_using && binary_coercible(current->type, *cmd.type)) {
        return;
      }
      ctx.report(statement, "changing " + column + " from " + current->type.display() + " to " +
                                cmd.type->display() + effect);
    });
  }
};

} // namespace

std::unique_ptr<lint::Rule> make_change_column_type() {
  return std::make_unique<ChangeColumnType>();
}

} // namespace miglint::rules
