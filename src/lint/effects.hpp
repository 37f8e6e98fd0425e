#pragma once

// The one table of what PostgreSQL statements do to the tables they touch: the lock they take,
// whether they rewrite the table, whether they read every row while holding the lock — per
// PostgreSQL major version where PostgreSQL changed. Rules ask it instead of hard-coding lock
// levels; the docs print it (README.md, "Locks, rewrites and scans"); and
// tests/unit/effects_test.cpp proves every row on a real server of every major from 13 to 18.
//
// Sources: the PostgreSQL documentation, "Explicit Locking" (Table-Level Locks) and the
// ALTER TABLE, CREATE INDEX, DROP INDEX, REINDEX, TRUNCATE, CREATE TRIGGER, CLUSTER and VACUUM
// reference pages (notes on rewrites and scans), of each major version; where the docs are
// silent, what the servers were seen doing (the test).

#include "lint/schema_state.hpp"
#include "sql/statement.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace miglint::lint {

// What one statement does, on one PostgreSQL major.
struct Effect {
  // The lock held on the table the statement names (for an index: its table) until the end of
  // the transaction; none for a table the statement creates.
  std::optional<sql::LockMode> lock;
  // The lock on the other table it involves: the referenced table of a foreign key, the
  // partition being attached or detached.
  std::optional<sql::LockMode> other_lock;
  bool rewrite = false; // the table gets a new file (relfilenode): every row written again
  bool scan = false;    // every row is read while the lock is held (validation, index build,
                        // rewrite)
};

// A row of the table: one kind of statement, told apart by what changes PostgreSQL's behaviour.
enum class Op {
  AddColumn,                   // ADD COLUMN, no DEFAULT (or DEFAULT NULL)
  AddColumnDefault,            // ADD COLUMN ... DEFAULT <non-volatile>
  AddColumnNotNullDefault,     // ADD COLUMN ... NOT NULL DEFAULT <non-volatile>
  AddColumnVolatileDefault,    // ADD COLUMN ... DEFAULT <volatile> (random(), clock_timestamp())
  AddColumnSerial,             // ADD COLUMN ... serial / GENERATED ... AS IDENTITY
  AddColumnStoredGenerated,    // ADD COLUMN ... GENERATED ALWAYS AS (...) STORED
  AddColumnCheck,              // ADD COLUMN ... CHECK (...)
  AddColumnReferences,         // ADD COLUMN ... REFERENCES t, no DEFAULT (every value NULL)
  AddColumnReferencesDefault,  // ADD COLUMN ... DEFAULT <non-null> REFERENCES t
  AddColumnUnique,             // ADD COLUMN ... UNIQUE
  AddColumnPrimaryKey,         // ADD COLUMN ... PRIMARY KEY
  DropColumn,                  // DROP COLUMN
  AlterColumnType,             // ALTER COLUMN ... TYPE, not binary-coercible (or USING)
  AlterColumnTypeCoercible,    // ALTER COLUMN ... TYPE, binary-coercible (varchar(n) -> text)
  AlterColumnTypeTimestampUtc, // ALTER COLUMN ... TYPE timestamp <-> timestamptz, timezone UTC
  SetNotNull,                  // ALTER COLUMN ... SET NOT NULL
  SetNotNullProved,            // SET NOT NULL with a validated CHECK (col IS NOT NULL)
  DropNotNull,                 // ALTER COLUMN ... DROP NOT NULL
  SetDefault,                  // ALTER COLUMN ... SET DEFAULT
  DropDefault,                 // ALTER COLUMN ... DROP DEFAULT
  SetStatistics,               // ALTER COLUMN ... SET STATISTICS
  AddCheck,                    // ADD CONSTRAINT ... CHECK
  AddCheckNotValid,            // ADD CONSTRAINT ... CHECK ... NOT VALID
  AddForeignKey,               // ADD CONSTRAINT ... FOREIGN KEY
  AddForeignKeyNotValid,       // ADD CONSTRAINT ... FOREIGN KEY ... NOT VALID
  AddUnique,                   // ADD CONSTRAINT ... UNIQUE (...)
  AddUniqueUsingIndex,         // ADD CONSTRAINT ... UNIQUE USING INDEX
  AddPrimaryKey,               // ADD CONSTRAINT ... PRIMARY KEY (...)
  AddPrimaryKeyUsingIndex,     // ADD CONSTRAINT ... PRIMARY KEY USING INDEX
  ValidateConstraint,          // VALIDATE CONSTRAINT
  DropConstraint,              // DROP CONSTRAINT
  SetLogged,                   // SET LOGGED
  SetUnlogged,                 // SET UNLOGGED
  AttachPartition,             // ATTACH PARTITION
  DetachPartition,             // DETACH PARTITION
  DetachPartitionConcurrently, // DETACH PARTITION ... CONCURRENTLY
  CreateIndex,                 // CREATE INDEX
  CreateIndexConcurrently,     // CREATE INDEX CONCURRENTLY
  DropIndex,                   // DROP INDEX
  DropIndexConcurrently,       // DROP INDEX CONCURRENTLY
  ReindexIndex,                // REINDEX INDEX
  ReindexTable,                // REINDEX TABLE
  ReindexConcurrently,         // REINDEX ... CONCURRENTLY
  RenameTable,                 // ALTER TABLE ... RENAME TO
  RenameColumn,                // ALTER TABLE ... RENAME COLUMN
  RenameIndex,                 // ALTER INDEX ... RENAME TO
  RenameConstraint,            // ALTER TABLE ... RENAME CONSTRAINT
  DropTable,                   // DROP TABLE
  Truncate,                    // TRUNCATE
  CreateTrigger,               // CREATE TRIGGER
  CreateTableReferences,       // CREATE TABLE with a foreign key to an existing table
  VacuumFull,                  // VACUUM FULL
  Cluster,                     // CLUSTER
};

// From major `since` on (until the next era of the row), the statement does `effect`.
struct Era {
  int since = 0;
  Effect effect;
};

struct EffectRow {
  Op op;
  std::string_view id;        // "add-column-volatile-default": test names, docs
  std::string_view statement; // what it covers, in SQL words
  // Whether PostgreSQL runs it inside a transaction block (CONCURRENTLY and VACUUM refuse to).
  bool in_transaction = true;
  std::vector<Era> eras; // by `since`, ascending; before the first, PostgreSQL rejects it
  std::string_view note; // when the row applies, or what PostgreSQL does besides
};

// Every row, in the order of Op. The oldest major the table speaks for is 13.
const std::vector<EffectRow>& effect_table();
const EffectRow& effect_row(Op op);
// The effect on PostgreSQL `major`; nullopt when that major rejects the statement.
std::optional<Effect> effect_of(Op op, int major);

// Session settings that change what a statement does (from SET statements and the session).
struct SessionFacts {
  bool timezone_utc = false; // `timezone` is UTC or another zone with offset 0 and no DST
};
// Whether a `timezone` value names a zone of offset 0 without daylight saving ('UTC', 'GMT',
// 'Etc/UTC', 'Z', ...), as PostgreSQL's check for a rewrite-free timestamp conversion needs.
bool is_utc_timezone(std::string_view value);

// Whether `to` is binary-coercible from `from` as ALTER COLUMN TYPE needs it to keep the table
// and its indexes (varchar(n) -> varchar(m >= n) or text, numeric(p,s) -> numeric(q >= p,s), ...).
bool binary_coercible(const sql::TypeName& from, const sql::TypeName& to);

// The rows an ALTER TABLE subcommand on `table` falls under: an added column's own row and one
// per inline constraint. `schema` answers the current column types and constraints (unknown
// types count as rewriting). Empty for a subcommand the table has no row for.
std::vector<Op> operations_of(const sql::AlterTableCmd& cmd, const sql::QualifiedName& table,
                              const SchemaState& schema, const SessionFacts& session);
// The rows of a whole statement (every subcommand of an ALTER TABLE).
std::vector<Op> operations_of(const sql::Statement& statement, const SchemaState& schema,
                              const SessionFacts& session);

// The combined effect of `ops` on PostgreSQL `major`: the strongest lock, any rewrite, any scan.
// An op that major rejects adds nothing.
Effect combined_effect(const std::vector<Op>& ops, int major);

struct TableLock {
  sql::QualifiedName table;
  sql::LockMode mode;
  // `table` is an index whose table the schema does not know (DROP INDEX, ALTER INDEX, REINDEX
  // INDEX of an index the history never created): the lock is on that unknown table.
  bool index_table_unknown = false;
};

// The relation-level locks a statement takes on the tables it names on PostgreSQL `major`
// (strongest per table). An index is resolved to its table when `schema` knows it. Statements
// the table has no row for take ACCESS EXCLUSIVE when they change a table (ALTER TABLE). Beyond
// the table's rows: ATTACH / DETACH PARTITION also lock the partition (the row's other lock);
// DROP SCHEMA ... CASCADE takes ACCESS EXCLUSIVE on each table `schema` knows in it; ALTER
// DOMAIN ... ADD CONSTRAINT (validated), VALIDATE CONSTRAINT and SET NOT NULL take SHARE on each
// table with a column of the domain; REINDEX SCHEMA / DATABASE lock one table at a time (not
// listed). PostgreSQL documentation, "REINDEX", "DROP SCHEMA", "ALTER DOMAIN"; checked on real
// servers by tests/unit/peer_rule_claims_test.cpp.
std::vector<TableLock> locks_taken(const sql::Statement& statement, const SchemaState& schema,
                                   const SessionFacts& session, int major);

// Whether the statement reads a whole table, writes a new copy of it or builds an index while it
// holds its lock on PostgreSQL `major`, so that how long it runs (not only how long it waits)
// blocks others: a row of the table with a scan or a rewrite (CREATE INDEX, REINDEX, VACUUM FULL,
// CLUSTER, constraints validated when added, SET NOT NULL, ALTER COLUMN ... TYPE, ...), and the
// ALTER DOMAIN checks. A type change `schema` cannot prove binary-coercible counts.
bool works_under_lock(const sql::Statement& statement, const SchemaState& schema,
                      const SessionFacts& session, int major);

// Blocks ordinary reads (SELECT) — ACCESS EXCLUSIVE only.
bool blocks_reads(sql::LockMode mode);
// Blocks ordinary writes (INSERT/UPDATE/DELETE): SHARE and stronger.
bool blocks_writes(sql::LockMode mode);

// The table as Markdown, one line per row and the majors where it changes (README.md).
std::string effect_table_markdown();

} // namespace miglint::lint
