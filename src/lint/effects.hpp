#pragma once

// The one table of what PostgreSQL statements lock (PostgreSQL 15 documentation, "Explicit
// Locking" and the ALTER TABLE reference). Rules ask it instead of hard-coding lock levels; the
// round-trip checks it against what PostgreSQL really takes.

#include "lint/schema_state.hpp"
#include "sql/statement.hpp"

#include <vector>

namespace miglint::lint {

struct TableLock {
  sql::QualifiedName table;
  sql::LockMode mode;
};

// The lock an ALTER TABLE subcommand takes on the altered table.
sql::LockMode lock_of(const sql::AlterTableCmd& cmd);

// The relation-level locks a statement takes on the tables it names (strongest per table). An
// index is resolved to its table when `schema` knows it.
std::vector<TableLock> locks_taken(const sql::Statement& statement, const SchemaState& schema);

// Blocks ordinary reads (SELECT) — ACCESS EXCLUSIVE only.
bool blocks_reads(sql::LockMode mode);
// Blocks ordinary writes (INSERT/UPDATE/DELETE): SHARE and stronger.
bool blocks_writes(sql::LockMode mode);

} // namespace miglint::lint
