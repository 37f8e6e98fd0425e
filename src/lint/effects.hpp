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
// index is resolved to its table when `schema` knows it. Beyond ALTER TABLE and the DDL of
// "Explicit Locking": REINDEX INDEX / TABLE takes SHARE on the table (SCHEMA / DATABASE: one
// table at a time, not listed); VACUUM FULL and CLUSTER ACCESS EXCLUSIVE; DETACH PARTITION
// also ACCESS EXCLUSIVE on the partition; DROP SCHEMA ... CASCADE ACCESS EXCLUSIVE on each table
// `schema` knows in it; ALTER DOMAIN ... ADD CONSTRAINT (validated), VALIDATE CONSTRAINT and
// SET NOT NULL SHARE on each table with a column of the domain (PostgreSQL documentation,
// "REINDEX", "VACUUM", "CLUSTER", "ALTER TABLE", "ALTER DOMAIN"; checked on real servers by
// tests/unit/peer_rule_claims_test.cpp). `pg_version` is the target major where the locks
// differ: DETACH PARTITION locks the partition ACCESS EXCLUSIVE from PostgreSQL 14, SHARE UPDATE
// EXCLUSIVE on 13.
std::vector<TableLock> locks_taken(const sql::Statement& statement, const SchemaState& schema,
                                   int pg_version = 15);

// Whether the statement reads a whole table, writes a new copy of it or builds an index while it
// holds its lock, so that how long it runs (not only how long it waits) blocks others:
// CREATE INDEX, REINDEX, VACUUM FULL, CLUSTER, constraints validated when added, SET NOT NULL,
// ALTER COLUMN ... TYPE, ADD COLUMN with a volatile or generated default or an identity, SET
// LOGGED / UNLOGGED / TABLESPACE, ATTACH PARTITION, ALTER DOMAIN checks (PostgreSQL
// documentation: "ALTER TABLE" notes, "CREATE INDEX", "REINDEX", "VACUUM", "CLUSTER",
// "ALTER DOMAIN"). Conservative: a type change that turns out binary-coercible still counts.
bool works_under_lock(const sql::Statement& statement);

// Blocks ordinary reads (SELECT) — ACCESS EXCLUSIVE only.
bool blocks_reads(sql::LockMode mode);
// Blocks ordinary writes (INSERT/UPDATE/DELETE): SHARE and stronger.
bool blocks_writes(sql::LockMode mode);

} // namespace miglint::lint
