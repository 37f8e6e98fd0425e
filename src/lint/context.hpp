#pragma once

#include "lint/effects.hpp"
#include "lint/schema_state.hpp"
#include "source/migration.hpp"
#include "sql/statement.hpp"

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace miglint::lint {

// statement_begin of a finding about a script as a whole rather than one statement.
constexpr uint32_t k_no_statement = UINT32_MAX;

// A finding as a rule reports it: a span in script coordinates and a statement-specific message.
struct RawFinding {
  std::string rule;
  sql::Span span;
  uint32_t statement_begin = 0; // which statement it belongs to (for suppressions)
  std::string message;
  std::string help; // empty: the rule's catalog help
};

// A column or table added or removed earlier in the same script (for rules about pairs).
struct ColumnChange {
  sql::QualifiedName table;
  std::string column;
  std::optional<sql::TypeName> type; // unknown for a dropped column miglint never saw created
  sql::Span statement;
  sql::Span at; // the ALTER TABLE subcommand, where rules report (the statement when unknown)
};
struct TableChange {
  sql::QualifiedName table;
  std::vector<ColumnInfo> columns; // empty for a dropped table miglint never saw created
  sql::Span statement;
};

// Why a statement runs inside a transaction block.
enum class TxOrigin {
  None,     // it does not: each statement commits on its own
  Tool,     // the migration tool wraps the script in a transaction (Alembic, Diesel, dbmate, ...)
  Implicit, // the script is sent as one multi-statement query, which runs as one transaction
  Explicit, // an explicit BEGIN / START TRANSACTION earlier in the script
};

// An index dropped earlier in the same script, with what was known when it was dropped.
struct IndexDrop {
  sql::QualifiedName index;
  std::optional<sql::QualifiedName> table; // when the history built the index
  bool concurrent = false;
  bool new_index = false;         // created earlier in the same script
  bool table_new = false;         // its table was created earlier in the same script
  bool table_partitioned = false; // its table is partitioned (PARTITION BY)
  sql::Span statement;
};

// A part of a script miglint could not analyse: a statement that did not parse, a DO block or
// CALL (procedural code it does not look into), or Alembic code the translator could not
// evaluate. Rules whose claim rests on something being absent soften or stay silent after one.
struct UnanalysedPart {
  sql::Span statement; // {0, 0} when it cannot be placed in the script (Alembic code)
  std::string what;    // "the DO block on line 12", "code miglint could not evaluate (line 40)"
};

// A NOT NULL column without a usable DEFAULT: adding it fails on any table that has a row.
bool needs_empty_table(const sql::ColumnDef& column);

// What a rule may ask about the statement's surroundings, and where it reports. The linter moves
// it from statement to statement; rules only read it and report.
class Context {
public:
  explicit Context(int pg_version) : m_pg_version(pg_version) {}

  int pg_version() const { return m_pg_version; }
  // Which script of the migration the statement is in: a downgrade restores the schema the
  // previous release was written for.
  core::Phase phase() const { return m_phase; }
  // Whether the statement runs inside a transaction block (tool-managed or explicit BEGIN).
  bool in_transaction() const { return m_in_transaction; }
  // Why the statement is in a transaction, in words (for messages).
  std::string_view transaction_origin() const { return m_transaction_origin; }
  // Why the statement is in a transaction (TxOrigin::None outside one).
  TxOrigin tx_origin() const { return m_in_transaction ? m_tx_origin : TxOrigin::None; }
  // Whether a lock_timeout other than 0 is in force (SET earlier in this migration, or in the
  // session the migration runs in).
  bool lock_timeout_set() const { return m_lock_timeout || m_local_lock_timeout; }
  // Whether a statement_timeout other than 0 is in force (SET or SET LOCAL earlier in this
  // migration, or the session's), or, on PostgreSQL >= 17, a transaction_timeout while the
  // statement runs in a transaction block: either ends a statement that runs too long.
  bool statement_timeout_set() const;
  // Created earlier in this migration (or in one deployed with it): nobody else uses it yet, so
  // locks and scans are harmless.
  bool is_new_table(const sql::QualifiedName& table) const;
  // is_new_table(alter.table), asked by every rule of an ALTER TABLE: computed once.
  bool alters_new_table(const sql::AlterTable& alter) const;
  bool is_new_index(const sql::QualifiedName& index) const;
  // A type (domain, enum) or schema created earlier in this migration.
  bool is_new_type(const sql::QualifiedName& type) const;
  bool is_new_schema(const std::string& schema) const { return m_new_schemas.contains(schema); }
  // Whether the statement's text was written by the user as SQL (a .sql file, an
  // `op.execute("...")` string) rather than derived by miglint from code.
  bool written_as_sql(const sql::Statement& statement) const;
  // A table that existed before this migration (not created by it).
  bool is_existing_table(const sql::QualifiedName& table) const { return !is_new_table(table); }
  // What the history read so far says about a table (null when miglint has not seen it).
  const TableInfo* known_table(const sql::QualifiedName& table) const {
    return m_schema.table(table);
  }
  const SchemaState& schema() const { return m_schema; }
  // Locks the statement takes on tables that existed before this migration.
  std::vector<TableLock> locks_on_existing(const sql::Statement& statement) const;
  // Session settings in force that change what statements do (the timezone).
  SessionFacts session() const { return {m_timezone_utc_local.value_or(m_timezone_utc)}; }
  // The rows of the effect table an ALTER TABLE subcommand falls under (see lint/effects.hpp).
  std::vector<Op> operations(const sql::AlterTable& alter, const sql::AlterTableCmd& cmd) const {
    return operations_of(cmd, alter.table, m_schema, session());
  }
  // Whether the subcommand falls under row `op` and, on the target major, reads every row
  // (`scan`) or rewrites the table (`rewrite`) for it.
  bool scans_for(const sql::AlterTable& alter, const sql::AlterTableCmd& cmd, Op op) const {
    const auto e = has_operation(alter, cmd, op) ? effect_of(op, m_pg_version) : std::nullopt;
    return e && e->scan;
  }
  bool has_operation(const sql::AlterTable& alter, const sql::AlterTableCmd& cmd, Op op) const {
    const auto ops = operations(alter, cmd);
    return std::find(ops.begin(), ops.end(), op) != ops.end();
  }
  // What the subcommand does on the target PostgreSQL major.
  Effect effect(const sql::AlterTable& alter, const sql::AlterTableCmd& cmd) const {
    return combined_effect(operations(alter, cmd), m_pg_version);
  }

  // --- the current transaction block (all empty outside one) ---
  struct HeldLock {
    sql::LockMode mode;
    sql::Span statement; // the earlier statement that took it
  };
  // The strongest lock earlier statements of the current transaction took on `table` (from the
  // lock table in effects.hpp); PostgreSQL holds it until the transaction ends. Null outside a
  // transaction block or when no earlier statement locked the table.
  const HeldLock* held_lock(const sql::QualifiedName& table) const;
  // Whether an earlier statement of the current transaction created this enum type.
  bool type_created_in_transaction(const sql::QualifiedName& type) const;
  struct AddedEnumValue {
    sql::QualifiedName type;
    std::string value;
    sql::Span statement; // the ALTER TYPE ... ADD VALUE
  };
  // Labels ALTER TYPE ... ADD VALUE added earlier in the current transaction (not yet committed).
  const std::vector<AddedEnumValue>& enum_values_added() const { return m_enum_values_added; }

  // The statement's SQL text, as the script has it.
  std::string_view text_of(const sql::Statement& statement) const;
  // Whether the code the script was derived from declared `type` a native enum type (Alembic's
  // sa.Enum / postgresql.ENUM): see source::Script::enum_types.
  bool declared_enum(const sql::QualifiedName& type) const;
  bool declares_enums() const { return m_script != nullptr && !m_script->enum_types.empty(); }
  // Whether code earlier in the history (or anywhere in this script) could not be analysed, so
  // that objects may exist which the schema model never saw created.
  bool history_has_gaps() const { return m_history_gaps; }

  // A column added earlier in this script to a table that existed before it: no running
  // instance of the application knows it yet, so renaming or dropping it breaks nothing.
  bool is_new_column(const sql::QualifiedName& table, const std::string& column) const;
  // The table has no rows while this statement runs, if the migration succeeds at all: it was
  // created in this script, or an earlier statement of the same transaction (or `statement`
  // itself) added a NOT NULL column without a DEFAULT to it, which fails on any row. Scans,
  // rewrites and index builds of such a table cost nothing.
  bool must_be_empty(const sql::QualifiedName& table, const sql::Statement& statement) const;
  // The same, from earlier statements only.
  bool known_empty(const sql::QualifiedName& table) const;
  // An ALTER TABLE subcommand that does nothing on the schema the history built: ADD COLUMN IF
  // NOT EXISTS of a column the table has, DROP COLUMN IF EXISTS of one a fully known table lacks.
  bool is_noop(const sql::AlterTable& alter, const sql::AlterTableCmd& cmd) const;
  // A statement that changes nothing on the schema the history built: every subcommand a no-op,
  // CREATE ... IF NOT EXISTS of an object the history has, DROP INDEX IF EXISTS of an index the
  // history never had (see knows_absent), DROP TABLE IF EXISTS of a table it dropped. PostgreSQL
  // only prints a NOTICE for it and locks nothing: a missing name is resolved before any lock is
  // taken (RangeVarGetRelidExtended with missing_ok; checked by tests/unit/schema_names_test.cpp).
  bool is_noop(const sql::Statement& statement) const { return changes_nothing(statement); }
  // Whether the schema model can vouch that an index or table of this name does not exist: the
  // history has no part miglint could not read (Context::history_has_gaps, DO blocks, CALLs),
  // the model is rooted (SchemaState::rooted), no table, index or CREATE TABLE AS of the name
  // is known, and PostgreSQL could not have generated it (SchemaState::maybe_generated_name).
  bool knows_absent(const sql::QualifiedName& relation) const;
  // Whether the model can vouch that a table does not exist: the history dropped it or renamed
  // it away (SchemaState::table_gone) and has no part miglint could not read since. A table the
  // history never named is not assumed absent: migration tools, extensions and applications
  // create tables of their own (`schema_migrations`, `spatial_ref_sys`, ...).
  bool knows_table_gone(const sql::QualifiedName& table) const;
  // A no-op that takes no lock either: DROP INDEX IF EXISTS of an index knows_absent vouches
  // for, DROP TABLE / ALTER TABLE IF EXISTS of a table knows_table_gone vouches for (the name does
  // not resolve, so nothing is locked). ALTER TABLE ... DROP CONSTRAINT IF EXISTS of a missing
  // constraint still takes its lock on the table (AlterTableGetLockLevel), as PostgreSQL 15 shows
  // (tests/unit/schema_names_test.cpp).
  bool locks_nothing(const sql::Statement& statement) const;
  // Whether the model can vouch that `table` has no constraint `name`: as above, and the
  // table's CREATE TABLE was read (TableInfo::complete).
  bool knows_no_constraint(const TableInfo& table, const std::string& name) const;
  // A statement of this script that changed nothing on the schema the history built (every
  // subcommand a no-op, CREATE ... IF NOT EXISTS of an object the history has).
  bool was_noop(const sql::Statement& statement) const {
    return m_noop_statements.contains(statement.span.begin);
  }
  // An earlier data statement of this script (INSERT ... SELECT, UPDATE ... SET, CREATE TABLE
  // AS) that refers to the column of the table (to the table at all, for an empty `column`): its
  // data may live on elsewhere.
  std::optional<sql::Span> copied_by(const sql::QualifiedName& table,
                                     const std::string& column) const;
  // An earlier data statement of this script that writes `to` and reads `from` (the copy of a
  // copy-and-swap: INSERT INTO to ... SELECT ... FROM from), with the strongest lock blocking
  // writes (SHARE or stronger) that earlier statements of its transaction held on `from` when it
  // ran: null when none did, and rows written meanwhile are not in the copy.
  struct Copy {
    sql::Span statement;
    std::optional<HeldLock> source_lock;
  };
  std::optional<Copy> copied_into(const sql::QualifiedName& from,
                                  const sql::QualifiedName& to) const;
  // The first part of the script before `offset` (script coordinates) miglint could not
  // analyse, or null.
  const UnanalysedPart* unanalysed_before(uint32_t offset) const;

  // Changes made earlier in this script (this statement's own are not there yet).
  const std::vector<ColumnChange>& columns_added() const { return m_columns_added; }
  const std::vector<ColumnChange>& columns_dropped() const { return m_columns_dropped; }
  const std::vector<TableChange>& tables_created() const { return m_tables_created; }
  const std::vector<TableChange>& tables_dropped() const { return m_tables_dropped; }
  // Enum types created earlier in this script (CREATE TYPE ... AS ENUM), with the statement.
  const std::vector<std::pair<sql::QualifiedName, sql::Span>>& enums_created() const {
    return m_enums_created;
  }
  const std::vector<IndexDrop>& indexes_dropped() const { return m_indexes_dropped; }
  // The 1-based line in the user's file where a span of the script starts.
  uint32_t line_of(sql::Span span) const;

  // Reports the current rule on a span of the statement (default: the whole statement, or the
  // subcommand in focus; see focus_on).
  void report(const sql::Statement& statement, std::string message);
  void report(const sql::Statement& statement, sql::Span span, std::string message);
  // With advice fitted to the object, in place of the rule's catalog help.
  void report(const sql::Statement& statement, sql::Span span, std::string message,
              std::string help);
  // While the guard lives, a report on the whole statement points at `span` instead: the
  // ALTER TABLE subcommand a rule is looking at (for_each_existing_alter sets it). An empty span
  // (a subcommand whose place is not known) changes nothing.
  class Focus {
  public:
    Focus(const Context& ctx, sql::Span span) : m_ctx(ctx), m_saved(ctx.m_focus) {
      if (span.end > span.begin) {
        m_ctx.m_focus = span;
      }
    }
    ~Focus() { m_ctx.m_focus = m_saved; }
    Focus(const Focus&) = delete;
    Focus& operator=(const Focus&) = delete;

  private:
    const Context& m_ctx;
    sql::Span m_saved;
  };
  // Reports on another (earlier) statement of the script.
  void report_on(sql::Span statement, std::string message);
  void report_on(sql::Span statement, std::string message, std::string help);
  // Reports at `at`, a part of the earlier statement `statement` (an ALTER TABLE subcommand).
  void report_on(sql::Span statement, sql::Span at, std::string message);
  // Whether the current rule already reported in this script (for once-per-migration rules).
  bool reported_in_script() const;

  // --- driven by the linter ---
  // `session`: settings in force before the script's first statement (name -> value), from the
  // configuration and the project's env.py. `same_deploy`: the script runs in the same deploy
  // as the previous one (source::Migration::deployed_with_previous): the tables, indexes, types,
  // schemas and columns that one created stay new.
  void begin_script(const source::Script& script, size_t statement_count,
                    const std::map<std::string, std::string>& session = {},
                    core::Phase phase = core::Phase::Upgrade, bool same_deploy = false);
  // Parts of the current script miglint could not analyse (besides DO blocks and CALLs, which
  // the context notices itself): call after begin_script.
  void add_unanalysed(UnanalysedPart part);
  void set_rule(std::string_view id) { m_rule = id; }
  // The script (or the history before it) holds code miglint could not analyse; stays set.
  void note_history_gap() { m_history_gaps = true; }
  void after_statement(const sql::Statement& statement); // update state with its effects
  std::vector<RawFinding> take_findings();
  SchemaState& mutable_schema() { return m_schema; }

private:
  void remember_changes(const sql::Statement& statement);
  void track_transaction(const sql::Statement& statement); // before the schema learns from it
  void end_transaction();
  bool changes_nothing(const sql::Statement& statement) const;
  bool compute_noop(const sql::AlterTable& alter, const sql::AlterTableCmd& cmd,
                    const TableInfo* table) const;

  // Facts of the ALTER TABLE the rules are looking at, computed once for all of them (every
  // rule asks; the answers need catalog look-ups). Reset after each statement.
  struct AlterFacts {
    const sql::AlterTable* alter = nullptr;
    bool noop_ready = false;
    std::vector<char> noop; // per subcommand
    bool empty_ready = false;
    bool empty = false; // must_be_empty of its table
    bool new_ready = false;
    bool table_new = false; // is_new_table of its table
  };
  AlterFacts& facts_of(const sql::AlterTable& alter) const;
  mutable AlterFacts m_alter_facts;

  int m_pg_version;
  mutable sql::Span m_focus; // see Focus
  core::Phase m_phase = core::Phase::Upgrade;
  bool m_in_transaction = false;
  std::string_view m_transaction_origin;
  TxOrigin m_tx_origin = TxOrigin::None;
  bool m_lock_timeout = false;
  bool m_local_lock_timeout = false; // SET LOCAL: until the end of the transaction
  bool m_statement_timeout = false;
  bool m_timezone_utc = false;              // SET timezone, or the session's
  std::optional<bool> m_timezone_utc_local; // SET LOCAL timezone: until the transaction ends
  bool m_local_statement_timeout = false;
  bool m_transaction_timeout = false; // PostgreSQL >= 17
  bool m_local_transaction_timeout = false;
  std::set<std::string> m_new_tables;  // QualifiedName::key()
  std::set<std::string> m_new_indexes; // QualifiedName::key()
  std::set<std::string> m_new_types;   // QualifiedName::key()
  std::set<std::string> m_new_schemas;
  std::set<std::string> m_reported_rules;
  std::vector<ColumnChange> m_columns_added;
  std::vector<ColumnChange> m_columns_dropped;
  std::vector<TableChange> m_tables_created;
  std::vector<TableChange> m_tables_dropped;
  std::vector<std::pair<sql::QualifiedName, sql::Span>> m_enums_created;
  std::vector<IndexDrop> m_indexes_dropped;
  std::set<std::string> m_new_columns;  // "table key\ncolumn"
  std::set<std::string> m_empty_tables; // QualifiedName::key(), until the transaction ends
  // Data statements of the script (they live as long as its ParsedScript, which outlives the
  // script's linting; cleared with the script).
  struct DataStatement {
    sql::Span span;
    const sql::DataAccess* access;
    // Tables it names that earlier statements of its transaction had locked against writes.
    std::vector<std::pair<std::string, HeldLock>> write_blocked; // QualifiedName::key() -> lock
  };
  std::vector<DataStatement> m_data_statements;
  std::vector<UnanalysedPart> m_unanalysed;
  std::set<uint32_t> m_noop_statements; // Statement::span.begin
  const source::OriginMap* m_origin = nullptr;
  const source::Script* m_script = nullptr;
  bool m_history_gaps = false;
  bool m_history_opaque = false; // a DO block or CALL ran: it may have created anything
  std::map<std::string, HeldLock> m_held_locks; // QualifiedName::key() of the table
  std::set<std::string> m_types_created_in_tx;  // QualifiedName::key()
  std::vector<AddedEnumValue> m_enum_values_added;
  SchemaState m_schema;
  std::string_view m_rule;
  std::vector<RawFinding> m_findings;
};

} // namespace miglint::lint
