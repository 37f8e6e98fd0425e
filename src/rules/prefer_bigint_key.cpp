#include "lint/rule.hpp"
#include "lint/rule_support.hpp"

#include <algorithm>

namespace miglint::rules {
namespace {

// The largest value of a 32- or 16-bit key type, for messages ("" when not one).
std::string small_key_limit(const sql::TypeName& type) {
  if (type.array) {
    return {};
  }
  const std::string c = type.canonical();
  if (c == "int4" || c == "serial") {
    return "2,147,483,647";
  }
  if (c == "int2" || c == "smallserial") {
    return "32,767";
  }
  return {};
}

bool names(const std::vector<std::string>& columns, const std::string& column) {
  return std::find(columns.begin(), columns.end(), column) != columns.end();
}

// A primary key, identity or serial column of a 16- or 32-bit integer type: keys grow with
// rows, and widening one later rewrites the table (and its foreign key columns need the same).
class PreferBigintKey final : public lint::Rule {
public:
  std::string_view id() const override { return "prefer-bigint-key"; }

  void check(const sql::Statement& statement, lint::Context& ctx) const override {
    const std::vector<sql::Constraint>* table_constraints = nullptr;
    if (const auto* create = statement.as<sql::CreateTable>()) {
      table_constraints = &create->constraints;
    }
    lint::for_each_declared_type(statement, [&](const lint::DeclaredType& d) {
      const std::string limit = small_key_limit(d.type);
      if (d.def == nullptr || limit.empty()) {
        return;
      }
      bool key = d.def->primary_key || d.def->identity || d.type.is_serial();
      if (!key && table_constraints != nullptr) {
        key = std::any_of(
            table_constraints->begin(), table_constraints->end(), [&](const sql::Constraint& c) {
              return c.kind == sql::ConstraintKind::PrimaryKey && names(c.columns, d.column);
            });
      }
      if (key) {
        report(statement, ctx, lint::from(d.location, statement), d.table, d.column, d.type, limit);
      }
    });
    // ALTER TABLE ... ADD PRIMARY KEY (col) over a column the history knows.
    const auto* alter = statement.as<sql::AlterTable>();
    if (alter == nullptr) {
      return;
    }
    const lint::TableInfo* table = ctx.known_table(alter->table);
    for (const auto& cmd : alter->cmds) {
      if (cmd.kind != sql::AlterKind::AddConstraint || !cmd.constraint ||
          cmd.constraint->kind != sql::ConstraintKind::PrimaryKey || table == nullptr) {
        continue;
      }
      for (const auto& column : cmd.constraint->columns) {
        const lint::ColumnInfo* col = table->column(column);
        if (col != nullptr && !small_key_limit(col->type).empty()) {
          report(statement, ctx, lint::from(cmd.constraint->location, statement), alter->table,
                 column, col->type, small_key_limit(col->type));
        }
      }
    }
  }

private:
  static void report(const sql::Statement& statement, lint::Context& ctx, sql::Span span,
                     const sql::QualifiedName& table, const std::string& column,
                     const sql::TypeName& type, const std::string& limit) {
    ctx.report(statement, span,
               "key column " + lint::column_ref(table, column) + " is `" + type.display() +
                   "`, which runs out at " + limit +
                   "; widening it later rewrites the table under an ACCESS EXCLUSIVE lock, and "
                   "each foreign key column pointing at it needs the same; start with `bigint`");
  }
};

} // namespace

std::unique_ptr<lint::Rule> make_prefer_bigint_key() {
  return std::make_unique<PreferBigintKey>();
}

} // namespace miglint::rules
