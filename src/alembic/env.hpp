#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace miglint::alembic {

// What an Alembic env.py sets up for the migrations it runs, read statically: env.py is parsed
// with python::parse and never executed, so only literal values are seen.
struct Env {
  // Session settings made on the migration connection, name (lower case) -> value as written
  // ("lock_timeout" -> "4s", "statement_timeout" -> "5000"):
  //  - SET statements executed on it: `connection.execute(text("SET lock_timeout = '4s'"))`,
  //    `connection.execute("SET ...")`, `context.execute(...)`, `cursor.execute(...)`,
  //    `exec_driver_sql(...)` (RESET removes a setting again, SET LOCAL is ignored);
  //  - libpq options passed to create_engine / engine_from_config (and their async forms):
  //    `connect_args={"options": "-c lock_timeout=5s -c statement_timeout=60s"}`.
  // Literals may be reached through a variable assigned once (`options = {...}`).
  std::map<std::string, std::string> session_settings;
  // context.configure(...) keywords, when given as literals.
  std::optional<bool> transaction_per_migration;
  std::optional<bool> transactional_ddl;
  std::optional<std::string> version_table;
  std::optional<std::string> version_table_schema;
  // MetaData(naming_convention={...}) with literal string keys and values:
  // "ix" -> "ix_%(column_0_label)s". Empty when there is none or it is not literal.
  std::map<std::string, std::string> naming_convention;
};

// Reads the text of an env.py. Never throws: code that does not parse is skipped, and what
// cannot be known statically is left unset.
Env read_env(std::string_view source);

} // namespace miglint::alembic
