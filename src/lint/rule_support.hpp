#pragma once

// Small helpers shared by the rules in src/rules/.

#include "lint/context.hpp"
#include "sql/statement.hpp"

#include <string>
#include <string_view>

namespace miglint::lint {

// Calls fn(alter, cmd) for each subcommand of an ALTER TABLE on a table that existed before
// this migration (work on a table the migration created itself is harmless).
template <typename Fn>
void for_each_existing_alter(const sql::Statement& statement, const Context& ctx, Fn&& fn) {
  const auto* alter = statement.as<sql::AlterTable>();
  if (alter == nullptr || alter->relation_kind != sql::RelationKind::Table ||
      ctx.is_new_table(alter->table)) {
    return;
  }
  for (const auto& cmd : alter->cmds) {
    fn(*alter, cmd);
  }
}

// The span from a node's location to the end of its statement (for a precise report).
inline sql::Span from(uint32_t location, const sql::Statement& statement) {
  if (location < statement.span.begin || location >= statement.span.end) {
    return statement.span;
  }
  return {location, statement.span.end};
}

// `name` in backquotes, as messages quote identifiers.
inline std::string quoted(const std::string& name) {
  return "`" + name + "`";
}

inline std::string column_ref(const sql::QualifiedName& table, const std::string& column) {
  return quoted(table.display() + "." + column);
}

// A column type a statement declares (for the type-style rules).
struct DeclaredType {
  const sql::QualifiedName& table;
  const std::string& column;
  const sql::TypeName& type;
  const sql::ColumnDef* def; // the column's definition; null for ALTER COLUMN ... TYPE
  uint32_t location;         // where to report (the column definition, or the ALTER)
};

// Calls fn(DeclaredType) for each column type written in a CREATE TABLE, an ADD COLUMN or an
// ALTER COLUMN ... TYPE of the statement, new tables included.
template <typename Fn>
void for_each_declared_type(const sql::Statement& statement, Fn&& fn) {
  if (const auto* create = statement.as<sql::CreateTable>()) {
    for (const auto& col : create->columns) {
      fn(DeclaredType{create->table, col.name, col.type, &col, col.location});
    }
  } else if (const auto* alter = statement.as<sql::AlterTable>();
             alter != nullptr && alter->relation_kind == sql::RelationKind::Table) {
    for (const auto& cmd : alter->cmds) {
      if (cmd.kind == sql::AlterKind::AddColumn && cmd.column_def) {
        fn(DeclaredType{alter->table, cmd.column_def->name, cmd.column_def->type, &*cmd.column_def,
                        cmd.column_def->location});
      } else if (cmd.kind == sql::AlterKind::AlterColumnType && cmd.type) {
        fn(DeclaredType{alter->table, cmd.column, *cmd.type, nullptr, statement.span.begin});
      }
    }
  }
}

// Whether `sql` holds the string literal 'value' (also E'...'), outside comments. Dollar-quoted
// bodies are read as SQL too, so a literal inside a DO block counts.
inline bool has_string_literal(std::string_view sql, std::string_view value) {
  size_t i = 0;
  while (i < sql.size()) {
    const char c = sql[i];
    if (c == '-' && i + 1 < sql.size() && sql[i + 1] == '-') {
      const size_t eol = sql.find('\n', i);
      i = eol == std::string_view::npos ? sql.size() : eol + 1;
    } else if (c == '/' && i + 1 < sql.size() && sql[i + 1] == '*') {
      const size_t end = sql.find("*/", i + 2);
      i = end == std::string_view::npos ? sql.size() : end + 2;
    } else if (c == '\'') {
      std::string literal;
      ++i;
      while (i < sql.size()) {
        if (sql[i] == '\'' && i + 1 < sql.size() && sql[i + 1] == '\'') {
          literal += '\'';
          i += 2;
        } else if (sql[i] == '\'') {
          ++i;
          break;
        } else {
          literal += sql[i++];
        }
      }
      if (literal == value) {
        return true;
      }
    } else {
      ++i;
    }
  }
  return false;
}

// The name a type is written with, as a catalog name ({"public", "status"} for `status`).
inline sql::QualifiedName type_name(const sql::TypeName& type) {
  sql::QualifiedName q;
  if (!type.names.empty()) {
    q.name = type.names.back();
    if (type.names.size() >= 2) {
      q.schema = type.names[type.names.size() - 2];
    }
  }
  return q;
}

} // namespace miglint::lint
