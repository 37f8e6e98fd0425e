#include "lint/rule.hpp"
#include "lint/rule_support.hpp"

#include <cctype>
#include <set>

namespace miglint::rules {
namespace {

// ALTER TYPE ... ADD VALUE in a transaction block. Before PostgreSQL 12 the statement itself
// fails there (unless the type was created in the same transaction). From 12 on it runs, but the
// new label cannot be used before the transaction commits: "unsafe use of new value" (PostgreSQL
// >= 17 allows it when the type was created in the same transaction). Checked on real servers of
// 11 to 18 (tests/unit/hazards_pg_test.cpp).
class EnumAddValueInTransaction final : public lint::Rule {
public:
  std::string_view id() const override { return "enum-add-value-in-transaction"; }

  void check(const sql::Statement& statement, lint::Context& ctx) const override {
    if (const auto* alter = statement.as<sql::AlterEnum>()) {
      if (!alter->is_rename() && ctx.pg_version() < 12 && ctx.in_transaction() &&
          !ctx.type_created_in_transaction(alter->type)) {
        ctx.report(statement, "ALTER TYPE " + alter->type.display() +
                                  " ADD VALUE cannot run inside a transaction block before "
                                  "PostgreSQL 12 (the target is PostgreSQL " +
                                  std::to_string(ctx.pg_version()) + "), and " +
                                  std::string(ctx.transaction_origin()) +
                                  ": PostgreSQL rejects it and the migration fails");
      }
      return; // ADD VALUE ... AFTER a new label, or RENAME VALUE of it, are allowed
    }
    if (ctx.pg_version() < 12 || ctx.enum_values_added().empty()) {
      return;
    }
    const std::string_view text = ctx.text_of(statement);
    std::set<std::string> reported;
    for (const auto& added : ctx.enum_values_added()) {
      if (ctx.pg_version() >= 17 && ctx.type_created_in_transaction(added.type)) {
        continue;
      }
      if (reported.contains(added.value) || !lint::has_string_literal(text, added.value) ||
          !concerns_type(statement, text, added.type, ctx)) {
        continue;
      }
      reported.insert(added.value);
      ctx.report(statement, "uses the enum value '" + added.value + "', which `ALTER TYPE " +
                                added.type.display() + " ADD VALUE` on line " +
                                std::to_string(ctx.line_of(added.statement)) +
                                " added in the same transaction: PostgreSQL refuses it with "
                                "`unsafe use of new value \"" +
                                added.value + "\" of enum type " + added.type.name +
                                "` until that transaction commits, and the migration fails");
    }
  }

private:
  static bool uses_type(const sql::TypeName& type, const sql::QualifiedName& enum_type) {
    return lint::type_name(type).name == enum_type.name;
  }

  // Whether the literal can be a value of the type here: the statement names the type (a cast),
  // defines a column of it, or works on a table that has such a column or that miglint does not
  // know.
  static bool concerns_type(const sql::Statement& statement, std::string_view text,
                            const sql::QualifiedName& type, const lint::Context& ctx) {
    if (casts_to(text, type.name)) {
      return true;
    }
    sql::QualifiedName table;
    if (const auto* dml = statement.as<sql::Dml>()) {
      table = dml->table;
    } else if (const auto* alter = statement.as<sql::AlterTable>()) {
      table = alter->table;
    } else if (const auto* index = statement.as<sql::CreateIndex>()) {
      table = index->table;
    } else if (const auto* create = statement.as<sql::CreateTable>()) {
      for (const auto& col : create->columns) {
        if (uses_type(col.type, type)) {
          return true;
        }
      }
      return false;
    } else {
      return statement.as<sql::DoBlock>() != nullptr;
    }
    const lint::TableInfo* info = ctx.known_table(table);
    if (info == nullptr || info->columns.empty()) {
      return true;
    }
    for (const auto& col : info->columns) {
      if (uses_type(col.type, type)) {
        return true;
      }
    }
    return false;
  }

  // Whether the text casts to the type: `::status`, `::app.status`, `::"status"`, `AS status`.
  static bool casts_to(std::string_view text, const std::string& name) {
    auto is_ident = [](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$';
    };
    for (size_t at = text.find(name); at != std::string_view::npos; at = text.find(name, at + 1)) {
      const size_t end = at + name.size();
      if ((at > 0 && is_ident(text[at - 1])) || (end < text.size() && is_ident(text[end]))) {
        continue;
      }
      size_t p = at;
      if (p > 0 && text[p - 1] == '"') {
        --p;
      }
      if (p > 0 && text[p - 1] == '.') { // schema-qualified: step over the schema
        --p;
        while (p > 0 && (is_ident(text[p - 1]) || text[p - 1] == '"')) {
          --p;
        }
      }
      while (p > 0 && (text[p - 1] == ' ' || text[p - 1] == '\n' || text[p - 1] == '\t')) {
        --p;
      }
      if (p >= 2 && text.substr(p - 2, 2) == "::") {
        return true;
      }
      if (p >= 3 && (text[p - 1] == 's' || text[p - 1] == 'S') &&
          (text[p - 2] == 'a' || text[p - 2] == 'A') && !is_ident(text[p - 3])) {
        return true;
      }
    }
    return false;
  }
};

} // namespace

std::unique_ptr<lint::Rule> make_enum_add_value_in_transaction() {
  return std::make_unique<EnumAddValueInTransaction>();
}

} // namespace miglint::rules
