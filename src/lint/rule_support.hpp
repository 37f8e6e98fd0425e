#pragma once

// Small helpers shared by the rules in src/rules/.

#include "lint/context.hpp"
#include "sql/statement.hpp"

#include <string>

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

} // namespace miglint::lint
