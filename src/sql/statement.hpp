#pragma once

// The typed statement model. libpg_query's structures never leave src/sql/: its parse trees are
// turned into these owned types, which carry byte offsets into the script they came from.

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace miglint::sql {

// A byte range [begin, end) in the script text.
struct Span {
  uint32_t begin = 0;
  uint32_t end = 0;
};

struct QualifiedName {
  std::string schema; // empty when not written
  std::string name;

  // "orders" or "billing.orders", as written.
  std::string display() const { return schema.empty() ? name : schema + "." + name; }
  // The catalog key: unqualified names are taken to live in "public".
  std::string key() const { return (schema.empty() ? "public" : schema) + "." + name; }
};

struct TypeName {
  std::vector<std::string> names; // e.g. {"pg_catalog", "varchar"}
  std::vector<int64_t> modifiers; // e.g. {255}; empty when not given or not integers
  bool has_modifiers = false;     // any modifiers at all (also non-integer ones)
  bool array = false;

  // The base type name without schema, lower-case ("varchar", "int4", "my_enum").
  std::string base() const;
  // Canonical family: maps aliases ("character varying" -> "varchar", "integer" -> "int4").
  std::string canonical() const;
  // "varchar(255)", "text[]", "numeric(10,2)"
  std::string display() const;
  bool is_serial() const;
};

enum class Volatility { Immutable, Stable, Volatile };

// What the rules need to know about an expression (a DEFAULT, a CHECK).
struct Expr {
  bool is_null = false; // the literal NULL (possibly cast)
  Volatility volatility = Volatility::Immutable;
  std::vector<std::string> functions; // functions called, lower-case, unqualified
  std::string volatile_function;      // the first function that made it volatile
  bool volatility_unknown = false;    // volatile only because miglint cannot classify a part
  std::optional<std::string> not_null_column; // set when the expression is `col IS NOT NULL`
};

enum class ConstraintKind { Check, ForeignKey, Unique, PrimaryKey, Exclusion, Other };

struct Constraint {
  ConstraintKind kind = ConstraintKind::Other;
  std::string name;                     // empty when unnamed
  bool not_valid = false;               // NOT VALID (check, foreign key)
  std::string using_index;              // UNIQUE/PRIMARY KEY USING INDEX name
  std::vector<std::string> columns;     // key columns (FK: referencing columns)
  QualifiedName references;             // FK: referenced table
  std::vector<std::string> ref_columns; // FK: referenced columns (empty: the primary key)
  std::string on_delete, on_update;     // FK: "CASCADE", "SET NULL", ...; "" for NO ACTION
  std::optional<Expr> check;            // CHECK expression
  uint32_t location = 0;                // byte offset of the constraint in the script
};

struct ColumnDef {
  std::string name;
  TypeName type;
  bool not_null = false;
  bool primary_key = false;
  std::optional<Expr> default_value;   // DEFAULT expr (absent: none written)
  bool generated_stored = false;       // GENERATED ALWAYS AS (...) STORED
  bool identity = false;               // GENERATED ... AS IDENTITY
  std::vector<Constraint> constraints; // inline CHECK / REFERENCES / UNIQUE / PRIMARY KEY
  uint32_t location = 0;
};

enum class AlterKind {
  AddColumn,
  DropColumn,
  AlterColumnType,
  SetNotNull,
  DropNotNull,
  SetDefault,
  DropDefault,
  AddConstraint,
  ValidateConstraint,
  DropConstraint,
  AddIdentity,
  SetLogged,
  SetUnlogged,
  SetTablespace,
  SetStatistics,
  AttachPartition,
  DetachPartition,
  DetachPartitionConcurrently,
  ChangeOwner, // OWNER TO: a privilege, not the table's structure
  Other,
};

struct AlterTableCmd {
  AlterKind kind = AlterKind::Other;
  std::string column;                   // the column concerned, if any
  std::string name;                     // constraint name (validate / drop), partition, ...
  QualifiedName partition;              // ATTACH / DETACH PARTITION: the partition
  std::optional<ColumnDef> column_def;  // ADD COLUMN
  std::optional<Constraint> constraint; // ADD CONSTRAINT
  std::optional<TypeName> type;         // ALTER COLUMN TYPE
  bool has_using = false;               // ALTER COLUMN TYPE ... USING
  bool using_is_column = false;         // ... USING <the column itself>
  std::optional<Expr> default_value;    // SET DEFAULT
  bool missing_ok = false;
  bool cascade = false;
  // Where the subcommand is written in the script, from its first word to before the comma that
  // ends it; {0, 0} when not known (findings then point at the whole statement).
  Span span;
};

enum class RelationKind {
  Table,
  Index,
  View,
  MaterializedView,
  Sequence,
  ForeignTable,
  Type,
  Other
};

struct AlterTable {
  QualifiedName table;
  RelationKind relation_kind = RelationKind::Table;
  bool missing_ok = false;
  std::vector<AlterTableCmd> cmds;
};

struct CreateTable {
  QualifiedName table;
  std::vector<ColumnDef> columns;
  std::vector<Constraint> constraints; // table constraints
  bool if_not_exists = false;
  bool temporary = false;
  bool partition_of = false;
  QualifiedName parent;     // PARTITION OF parent: the partitioned table
  bool partitioned = false; // PARTITION BY: a partitioned table (its rows live in partitions)
  // INHERITS (...) or LIKE ...: it gets columns and constraints from another table, which the
  // statement does not list.
  bool copies_other = false;
};

struct CreateTableAs { // CREATE TABLE AS / SELECT INTO / CREATE MATERIALIZED VIEW
  QualifiedName table;
  bool materialized_view = false;
  bool temporary = false;
};

struct CreateIndex {
  std::string name;
  QualifiedName table;
  bool unique = false;
  bool concurrent = false;
  bool if_not_exists = false;
  bool only = false;                // ON ONLY: the partitioned parent alone, not its partitions
  std::vector<std::string> columns; // key columns in order; "" for an expression
  // The name PostgreSQL derives from each key and INCLUDE column to name an unnamed index
  // (indexcmds.c ChooseIndexColumnNames, parse_target.c FigureColname): the column, the function
  // of an expression (`lower(name)` -> "lower"), "expr" for an operator; empty when miglint cannot
  // tell (then it does not guess the index's name).
  std::vector<std::string> name_columns;
  bool name_known = true; // every element of name_columns could be derived
};

enum class ObjectKind {
  Table,
  Index,
  View,
  MaterializedView,
  Sequence,
  Type,
  Schema,
  Column,
  Constraint,
  Function,
  Trigger,
  Extension,
  Database,
  Other,
};

struct Drop { // DROP TABLE / INDEX / SCHEMA / ...
  ObjectKind kind = ObjectKind::Other;
  std::vector<QualifiedName> objects; // a schema: its name in `name`
  bool concurrent = false;
  bool cascade = false;
  bool missing_ok = false;
};

struct Rename {
  ObjectKind kind = ObjectKind::Other; // what is renamed: Table, Column, Index, Constraint, ...
  QualifiedName relation;              // the table (or index/view) concerned
  std::string old_name;                // column / constraint name; empty for a relation
  std::string new_name;
};

struct Truncate {
  std::vector<QualifiedName> tables;
  bool cascade = false;
};

struct SetVariable { // SET / SET LOCAL / RESET
  std::string name;  // lower-case
  std::string value; // first argument as written ("5s", "0", "DEFAULT"); empty for RESET
  bool local = false;
  bool reset = false;
};

enum class TxKind { Begin, Commit, Rollback, Savepoint, Release, RollbackTo, Other };

struct Transaction {
  TxKind kind = TxKind::Other;
};

enum class ReindexKind { Index, Table, Schema, Database, System };

struct Reindex {
  QualifiedName target; // the index or table; for SCHEMA / DATABASE / SYSTEM its name in `name`
  ReindexKind kind = ReindexKind::Table;
  bool concurrent = false;
  bool is_index = false; // REINDEX INDEX (kind == Index)
};

struct CreateTrigger {
  QualifiedName table;
};

enum class LockMode {
  AccessShare,
  RowShare,
  RowExclusive,
  ShareUpdateExclusive,
  Share,
  ShareRowExclusive,
  Exclusive,
  AccessExclusive,
};

struct LockTable {
  std::vector<QualifiedName> tables;
  LockMode mode = LockMode::AccessExclusive;
};

struct Vacuum {                      // VACUUM [FULL], CLUSTER
  std::vector<QualifiedName> tables; // empty: every table of the database (CLUSTER: every
                                     // table clustered before)
  bool full = false;
  bool cluster = false;
  std::string index; // CLUSTER ... USING index
};

struct CreateEnum { // CREATE TYPE ... AS ENUM
  QualifiedName name;
  std::vector<std::string> labels;
};

struct CreateDomain { // CREATE DOMAIN name AS type [constraints]
  QualifiedName name;
  TypeName type;
  std::vector<Constraint> constraints; // CHECK constraints (NOT NULL is `not_null`)
  bool not_null = false;
};

enum class AlterDomainKind {
  AddConstraint,      // ADD [CONSTRAINT name] CHECK (...) [NOT VALID]
  ValidateConstraint, // VALIDATE CONSTRAINT name
  DropConstraint,
  SetNotNull,
  DropNotNull,
  SetDefault, // SET DEFAULT / DROP DEFAULT
  Other,
};

struct AlterDomain {
  QualifiedName domain;
  AlterDomainKind kind = AlterDomainKind::Other;
  std::string name;                     // VALIDATE / DROP CONSTRAINT: the constraint
  std::optional<Constraint> constraint; // ADD CONSTRAINT
};

struct DropDatabase { // DROP DATABASE (never inside a transaction block)
  std::string name;
  bool missing_ok = false;
};

struct CreateSchema {
  std::string name;
  bool if_not_exists = false;
};

struct CreateType { // CREATE TYPE of a composite, range or base type (not an enum)
  QualifiedName name;
};

struct AlterEnum { // ALTER TYPE ... ADD VALUE / RENAME VALUE
  QualifiedName type;
  std::string value;     // ADD VALUE: the new label; RENAME VALUE: the new name
  std::string old_value; // RENAME VALUE: the label renamed; empty for ADD VALUE
  std::string neighbor;  // ADD VALUE ... BEFORE/AFTER this label; empty when not written
  bool after = false;    // AFTER (else BEFORE) `neighbor`
  bool if_not_exists = false;
  bool is_rename() const { return !old_value.empty(); }
};

enum class DmlKind { Insert, Update, Delete };

// INSERT / UPDATE / DELETE (also MERGE is left as Other).
struct Dml {
  DmlKind kind = DmlKind::Insert;
  QualifiedName table; // the target
  bool has_where = false;
  // The WHERE pins rows by value: one of its top-level AND terms compares a column with `=`,
  // `IN (...)` or `= ANY(...)` to constants only (`id = 5`, `name IN ('a', 'b')`). Without it an
  // UPDATE or DELETE may touch every row: no WHERE, `c IS NULL`, a join, a subquery.
  bool pins_rows = false;
  // A LIMIT in a subquery or WITH query of the statement bounds the rows it touches: one batch of
  // a backfill loop (`WHERE id IN (SELECT id ... LIMIT 500)`).
  bool batched = false;
  bool from_query = false; // INSERT ... SELECT (rows read from tables), not VALUES
  // Neither pinned nor batched: it may touch every row of the table.
  bool whole_table() const { return !pins_rows && !batched; }
};

struct DoBlock { // DO $$ ... $$: code miglint does not run; its body, as written
  std::string body;
  std::string language; // lower-case; empty for the default (plpgsql)
};

struct Other {};

using StatementNode =
    std::variant<Other, AlterTable, CreateTable, CreateTableAs, CreateIndex, Drop, Rename, Truncate,
                 SetVariable, Transaction, Reindex, CreateTrigger, LockTable, Vacuum, CreateEnum,
                 CreateDomain, AlterDomain, CreateSchema, DropDatabase, AlterEnum, Dml, DoBlock,
                 CreateType>;

// What a data statement (INSERT, UPDATE, DELETE, SELECT, MERGE, CREATE TABLE AS) names: every
// table it reads or writes and every column it refers to (`*` for a star), so that rules can
// tell whether a migration copied a column's data before dropping it.
struct DataAccess {
  QualifiedName written; // INSERT / UPDATE / DELETE / MERGE: the target table; else empty
  std::vector<QualifiedName> tables;
  std::vector<std::string> columns; // the last field of each column reference, as written
};

struct Statement {
  Span span;       // the statement's text, without leading comments or the final semicolon
  std::string tag; // libpg_query's node name ("AlterTableStmt"), for messages and debugging
  StatementNode node;
  std::optional<DataAccess> data; // set for data statements only

  template <typename T>
  const T* as() const {
    return std::get_if<T>(&node);
  }
};

struct SyntaxError {
  std::string message;
  uint32_t offset = 0; // byte offset of the error in the script
  Span statement;      // the statement that failed to parse
};

// A comment between statements, which is where suppressions live.
struct Comment {
  Span span;
  std::string text; // without the `--` / `/* */` markers
};

struct ParsedScript {
  std::vector<Statement> statements; // in order
  std::vector<SyntaxError> errors;
  std::vector<Comment> comments; // outside statements, in order
};

std::string_view to_string(LockMode mode);

} // namespace miglint::sql
