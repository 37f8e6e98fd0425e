#pragma once

// Small helpers shared by the rules in src/rules/.

#include "lint/context.hpp"
#include "lint/rule.hpp"
#include "sql/statement.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace miglint::lint {

// Calls fn(alter, cmd) for each subcommand of an ALTER TABLE on a table that existed before
// this migration (work on a table the migration created itself is harmless), except those that
// do nothing on the schema the history built (ADD COLUMN IF NOT EXISTS of a known column).
template <typename Fn>
void for_each_existing_alter(const sql::Statement& statement, const Context& ctx, Fn&& fn) {
  const auto* alter = statement.as<sql::AlterTable>();
  if (alter == nullptr || alter->relation_kind != sql::RelationKind::Table ||
      ctx.alters_new_table(*alter)) {
    return;
  }
  for (const auto& cmd : alter->cmds) {
    if (!ctx.is_noop(*alter, cmd)) {
      const Context::Focus focus(ctx, cmd.span); // findings point at the subcommand
      fn(*alter, cmd);
    }
  }
}

// The same, for rules about scans, rewrites and locks held during work: also skips tables that
// must be empty while the statement runs (Context::must_be_empty), where that work costs nothing.
template <typename Fn>
void for_each_populated_alter(const sql::Statement& statement, const Context& ctx, Fn&& fn) {
  const auto* alter = statement.as<sql::AlterTable>();
  if (alter == nullptr || ctx.must_be_empty(alter->table, statement)) {
    return;
  }
  for_each_existing_alter(statement, ctx, std::forward<Fn>(fn));
}

// The first part of a migration's script that miglint could not analyse, in words ("the DO
// block on line 12"), or nullopt: for migration-level rules whose claim rests on the absence of
// something (a DROP TYPE, any statement at all).
inline std::optional<std::string> unanalysed_part(const MigrationScripts& scripts,
                                                  core::Phase phase) {
  for (const auto& f : scripts.migration.findings) {
    if (f.rule == "unanalyzable-code" && f.phase == phase) {
      return "the code on line " + std::to_string(f.location.start().line) +
             " that miglint could not evaluate";
    }
  }
  const sql::ParsedScript* parsed =
      phase == core::Phase::Upgrade ? scripts.upgrade : scripts.downgrade;
  const auto& script = scripts.migration.script(phase);
  if (parsed == nullptr || !script) {
    return std::nullopt;
  }
  auto line = [&](sql::Span span) {
    return std::to_string(script->origin.locate(span.begin, span.end).start().line);
  };
  if (!parsed->errors.empty()) {
    return "the statement on line " + line(parsed->errors.front().statement) +
           " that miglint could not parse";
  }
  for (const auto& s : parsed->statements) {
    if (s.tag == "DoStmt" || s.tag == "CallStmt") {
      return std::string(s.tag == "DoStmt" ? "the DO block" : "the CALL") + " on line " +
             line(s.span);
    }
  }
  return std::nullopt;
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

// A lock in words, for the timeout rules: `what` = "an ACCESS EXCLUSIVE lock on `t`" (the
// table of an index the history never created said as unknown), `blocked` = "reads and writes" or
// "writes", `of` = the table again, as the object of "all writes of ...".
struct LockWords {
  std::string what;
  std::string blocked;
  std::string of;
};

inline LockWords lock_words(const TableLock& lock) {
  const std::string mode(sql::to_string(lock.mode));
  const std::string article = mode.front() == 'A' || mode.front() == 'E' ? "an " : "a ";
  const std::string on = lock.index_table_unknown
                             ? "the table of index " + quoted(lock.table.display()) +
                                   " (which table miglint does not know)"
                             : quoted(lock.table.display());
  return {article + mode + " lock on " + on,
          blocks_reads(lock.mode) ? "reads and writes" : "writes",
          lock.index_table_unknown ? "that table" : on};
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
