#include "lint/rule.hpp"
#include "lint/rule_support.hpp"

#include <algorithm>

namespace miglint::rules {
namespace {

// Types autogenerate keeps when it writes a rename as a drop and an add.
std::string family(const sql::TypeName& t) {
  const std::string c = t.canonical();
  std::string f = c;
  if (c == "varchar" || c == "text" || c == "bpchar" || c == "citext") {
    f = "string";
  } else if (c == "int2" || c == "int4" || c == "int8" || c == "serial" || c == "bigserial" ||
             c == "smallserial") {
    f = "integer";
  } else if (c == "float4" || c == "float8" || c == "numeric") {
    f = "number";
  } else if (c == "timestamp" || c == "timestamptz") {
    f = "timestamp";
  } else if (c == "json" || c == "jsonb") {
    f = "json";
  }
  return t.array ? f + "[]" : f;
}

bool same_columns(const std::vector<lint::ColumnInfo>& a, const std::vector<lint::ColumnInfo>& b) {
  if (a.empty() || a.size() != b.size()) {
    return false;
  }
  for (const auto& col : a) {
    auto it = std::find_if(b.begin(), b.end(), [&](const lint::ColumnInfo& other) {
      return other.name == col.name && family(other.type) == family(col.type);
    });
    if (it == b.end()) {
      return false;
    }
  }
  return true;
}

// A column dropped and another added on the same table with a compatible type (or a table
// dropped and one created with the same columns) in one migration: how autogenerate writes a
// rename, which loses the data.
class RenameAsDropAdd final : public lint::Rule {
public:
  std::string_view id() const override { return "rename-as-drop-add"; }

  void check(const sql::Statement& statement, lint::Context& ctx) const override {
    if (const auto* alter = statement.as<sql::AlterTable>()) {
      check_columns(statement, *alter, ctx);
    } else if (const auto* create = statement.as<sql::CreateTable>()) {
      for (const auto& dropped : ctx.tables_dropped()) {
        std::vector<lint::ColumnInfo> cols;
        for (const auto& c : create->columns) {
          cols.push_back({c.name, c.type, c.not_null});
        }
        if (dropped.table.key() != create->table.key() && same_columns(dropped.columns, cols)) {
          report_tables(ctx, dropped.table, dropped.statement, create->table, statement.span);
        }
      }
    } else if (const auto* drop = statement.as<sql::Drop>();
               drop && drop->kind == sql::ObjectKind::Table) {
      for (const auto& table : drop->objects) {
        const lint::TableInfo* known = ctx.known_table(table);
        for (const auto& created : ctx.tables_created()) {
          if (known != nullptr && created.table.key() != table.key() &&
              same_columns(known->columns, created.columns)) {
            report_tables(ctx, table, statement.span, created.table, created.statement);
          }
        }
      }
    }
  }

private:
  void check_columns(const sql::Statement& statement, const sql::AlterTable& alter,
                     lint::Context& ctx) const {
    if (ctx.is_new_table(alter.table)) {
      return;
    }
    const lint::TableInfo* known = ctx.known_table(alter.table);
    for (size_t i = 0; i < alter.cmds.size(); ++i) {
      const auto& cmd = alter.cmds[i];
      if (cmd.kind == sql::AlterKind::AddColumn && cmd.column_def) {
        for (const auto& dropped : ctx.columns_dropped()) {
          if (dropped.table.key() == alter.table.key() && dropped.type &&
              dropped.column != cmd.column_def->name &&
              family(*dropped.type) == family(cmd.column_def->type)) {
            report_columns(ctx, alter.table, dropped.column, dropped.statement,
                           cmd.column_def->name, statement.span);
          }
        }
      } else if (cmd.kind == sql::AlterKind::DropColumn && known != nullptr) {
        const lint::ColumnInfo* col = known->column(cmd.column);
        if (col == nullptr) {
          continue;
        }
        for (const auto& added : ctx.columns_added()) {
          if (added.table.key() == alter.table.key() && added.type && added.column != cmd.column &&
              family(*added.type) == family(col->type)) {
            report_columns(ctx, alter.table, cmd.column, statement.span, added.column,
                           added.statement);
          }
        }
        // `ALTER TABLE t DROP COLUMN a, ADD COLUMN b` in one statement.
        for (size_t k = i + 1; k < alter.cmds.size(); ++k) {
          const auto& later = alter.cmds[k];
          if (later.kind == sql::AlterKind::AddColumn && later.column_def &&
              later.column_def->name != cmd.column &&
              family(later.column_def->type) == family(col->type)) {
            ctx.report(statement, message(alter.table, cmd.column, later.column_def->name, 0));
          }
        }
      }
    }
  }

  static std::string message(const sql::QualifiedName& table, const std::string& dropped,
                             const std::string& added, uint32_t other_line) {
    return "column " + lint::column_ref(table, dropped) + " is dropped and " +
           lint::column_ref(table, added) + " added with a compatible type" +
           (other_line != 0 ? " (the other half is on line " + std::to_string(other_line) + ")"
                            : std::string()) +
           ": if this is a rename, as autogenerate writes one, every value of " +
           lint::quoted(dropped) + " is lost";
  }

  static void report_columns(lint::Context& ctx, const sql::QualifiedName& table,
                             const std::string& dropped, sql::Span drop_stmt,
                             const std::string& added, sql::Span add_stmt) {
    ctx.report_on(drop_stmt, message(table, dropped, added, ctx.line_of(add_stmt)));
    ctx.report_on(add_stmt, message(table, dropped, added, ctx.line_of(drop_stmt)));
  }

  static void report_tables(lint::Context& ctx, const sql::QualifiedName& dropped,
                            sql::Span drop_stmt, const sql::QualifiedName& created,
                            sql::Span create_stmt) {
    auto text = [&](uint32_t other_line) {
      return "table " + lint::quoted(dropped.display()) + " is dropped and " +
             lint::quoted(created.display()) +
             " created with the same columns (the other half "
             "is on line " +
             std::to_string(other_line) + "): if this is a rename, every row of " +
             lint::quoted(dropped.display()) + " is lost";
    };
    ctx.report_on(drop_stmt, text(ctx.line_of(create_stmt)));
    ctx.report_on(create_stmt, text(ctx.line_of(drop_stmt)));
  }
};

} // namespace

std::unique_ptr<lint::Rule> make_rename_as_drop_add() {
  return std::make_unique<RenameAsDropAdd>();
}

} // namespace miglint::rules
