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
};

// A column or table added or removed earlier in the same script (for rules about pairs).
struct ColumnChange {
  sql::QualifiedName table;
  std::string column;
  std::optional<sql::TypeName> type; // unknown for a dropped column miglint never saw created
  sql::Span statement;
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
  // Created earlier in this migration: nobody else uses it yet, so locks and scans are harmless.
  bool is_new_table(const sql::QualifiedName& table) const;
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

  // Changes made earlier in this script (this statement's own are not there yet).
  const std::vector<ColumnChange>& columns_added() const { return m_columns_added; }
  const std::vector<ColumnChange>& columns_dropped() const { return m_columns_dropped; }
  const std::vector<TableChange>& tables_created() const { return m_tables_created; }
  const std::vector<TableChange>& tables_dropped() const { return m_tables_dropped; }
  // Enum types created earlier in this script (CREATE TYPE ... AS ENUM), with the statement.
  const std::vector<std::pair<sql::QualifiedName, sql::Span>>& enums_created() const {
    return m_enums_created;
  }
  // The 1-based line in the user's file where a span of the script starts.
  uint32_t line_of(sql::Span span) const;

  // Reports the current rule on a span of the statement (default: the whole statement).
  void report(const sql::Statement& statement, std::string message);
  void report(const sql::Statement& statement, sql::Span span, std::string message);
  // Reports on another (earlier) statement of the script.
  void report_on(sql::Span statement, std::string message);
  // Whether the current rule already reported in this script (for once-per-migration rules).
  bool reported_in_script() const;

  // --- driven by the linter ---
  // `session`: settings in force before the script's first statement (name -> value), from the
  // configuration and the project's env.py.
  void begin_script(const source::Script& script, size_t statement_count,
                    const std::map<std::string, std::string>& session = {},
                    core::Phase phase = core::Phase::Upgrade);
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

  int m_pg_version;
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
  const source::OriginMap* m_origin = nullptr;
  const source::Script* m_script = nullptr;
  bool m_history_gaps = false;
  std::map<std::string, HeldLock> m_held_locks; // QualifiedName::key() of the table
  std::set<std::string> m_types_created_in_tx;  // QualifiedName::key()
  std::vector<AddedEnumValue> m_enum_values_added;
  SchemaState m_schema;
  std::string_view m_rule;
  std::vector<RawFinding> m_findings;
};

} // namespace miglint::lint
