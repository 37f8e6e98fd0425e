#include "lint/context.hpp"

#include <algorithm>
#include <utility>

namespace miglint::lint {

bool Context::is_new_table(const sql::QualifiedName& table) const {
  return m_new_tables.contains(table.key());
}

bool Context::is_new_index(const sql::QualifiedName& index) const {
  return m_new_indexes.contains(index.key());
}

bool Context::is_new_type(const sql::QualifiedName& type) const {
  return m_new_types.contains(type.key());
}

bool Context::written_as_sql(const sql::Statement& statement) const {
  return m_origin != nullptr && m_origin->copied_from_file(statement.span.begin);
}

bool Context::statement_timeout_set() const {
  return m_statement_timeout || m_local_statement_timeout ||
         (m_pg_version >= 17 && m_in_transaction &&
          (m_transaction_timeout || m_local_transaction_timeout));
}

std::vector<TableLock> Context::locks_on_existing(const sql::Statement& statement) const {
  auto locks = locks_taken(statement, m_schema, session(), m_pg_version);
  std::erase_if(locks, [&](const TableLock& l) { return is_new_table(l.table); });
  return locks;
}

const Context::HeldLock* Context::held_lock(const sql::QualifiedName& table) const {
  auto it = m_held_locks.find(table.key());
  return it == m_held_locks.end() ? nullptr : &it->second;
}

bool Context::type_created_in_transaction(const sql::QualifiedName& type) const {
  return m_types_created_in_tx.contains(type.key());
}

std::string_view Context::text_of(const sql::Statement& statement) const {
  if (m_script == nullptr || statement.span.end > m_script->sql.size() ||
      statement.span.begin > statement.span.end) {
    return {};
  }
  return std::string_view(m_script->sql)
      .substr(statement.span.begin, statement.span.end - statement.span.begin);
}

bool Context::declared_enum(const sql::QualifiedName& type) const {
  return m_script != nullptr && m_script->enum_types.contains(type.key());
}

void Context::end_transaction() {
  m_held_locks.clear();
  m_types_created_in_tx.clear();
  m_enum_values_added.clear();
}

void Context::track_transaction(const sql::Statement& statement) {
  if (!m_in_transaction) {
    return; // each statement commits on its own: nothing is held after it
  }
  for (const auto& lock : locks_taken(statement, m_schema, session(), m_pg_version)) {
    auto [it, inserted] =
        m_held_locks.try_emplace(lock.table.key(), HeldLock{lock.mode, statement.span});
    if (!inserted && lock.mode > it->second.mode) {
      it->second = HeldLock{lock.mode, statement.span};
    }
  }
  if (const auto* create = statement.as<sql::CreateEnum>()) {
    m_types_created_in_tx.insert(create->name.key());
  } else if (const auto* alter = statement.as<sql::AlterEnum>();
             alter != nullptr && !alter->is_rename()) {
    const EnumInfo* known = m_schema.enum_type(alter->type);
    const bool exists = known != nullptr && std::find(known->labels.begin(), known->labels.end(),
                                                      alter->value) != known->labels.end();
    if (!(exists && alter->if_not_exists)) {
      m_enum_values_added.push_back({alter->type, alter->value, statement.span});
    }
  }
}

void Context::report(const sql::Statement& statement, std::string message) {
  report(statement, statement.span, std::move(message));
}

void Context::report(const sql::Statement& statement, sql::Span span, std::string message) {
  m_reported_rules.insert(std::string(m_rule));
  m_findings.push_back({std::string(m_rule), span, statement.span.begin, std::move(message)});
}

void Context::report_on(sql::Span statement, std::string message) {
  m_reported_rules.insert(std::string(m_rule));
  m_findings.push_back({std::string(m_rule), statement, statement.begin, std::move(message)});
}

uint32_t Context::line_of(sql::Span span) const {
  return m_origin == nullptr ? 0 : m_origin->locate(span.begin, span.end).start().line;
}

bool Context::reported_in_script() const {
  return m_reported_rules.contains(std::string(m_rule));
}

namespace {

// "0", "0s" and "0.0" disable a timeout.
bool enables_timeout(std::string_view value) {
  return value.find_first_not_of("0. '\"") != std::string_view::npos;
}

bool session_enables(const std::map<std::string, std::string>& session, const std::string& name) {
  const auto it = session.find(name);
  return it != session.end() && enables_timeout(it->second);
}

} // namespace

void Context::begin_script(const source::Script& script, size_t statement_count,
                           const std::map<std::string, std::string>& session, core::Phase phase) {
  const source::TxMode tx = script.tx;
  m_phase = phase;
  m_origin = &script.origin;
  m_script = &script;
  end_transaction();
  m_columns_added.clear();
  m_columns_dropped.clear();
  m_tables_created.clear();
  m_tables_dropped.clear();
  m_enums_created.clear();
  m_in_transaction =
      tx == source::TxMode::PerScript || (tx == source::TxMode::Implicit && statement_count > 1);
  m_transaction_origin =
      tx == source::TxMode::PerScript
          ? "the migration tool runs the script in a transaction"
          : "the script's statements are sent as one query, which runs as one transaction";
  m_tx_origin = tx == source::TxMode::PerScript ? TxOrigin::Tool : TxOrigin::Implicit;
  m_lock_timeout = session_enables(session, "lock_timeout");
  m_local_lock_timeout = false;
  m_statement_timeout = session_enables(session, "statement_timeout");
  const auto timezone = session.find("timezone");
  m_timezone_utc = timezone != session.end() && is_utc_timezone(timezone->second);
  m_timezone_utc_local.reset();
  m_local_statement_timeout = false;
  m_transaction_timeout = session_enables(session, "transaction_timeout");
  m_local_transaction_timeout = false;
  m_new_tables.clear();
  m_new_indexes.clear();
  m_new_types.clear();
  m_new_schemas.clear();
  m_reported_rules.clear();
}

namespace {

bool enables_timeout(const sql::SetVariable& set) {
  return !set.reset && enables_timeout(set.value);
}

} // namespace

void Context::remember_changes(const sql::Statement& statement) {
  if (const auto* alter = statement.as<sql::AlterTable>()) {
    const TableInfo* known = m_schema.table(alter->table);
    for (const auto& cmd : alter->cmds) {
      if (cmd.kind == sql::AlterKind::AddColumn && cmd.column_def) {
        m_columns_added.push_back(
            {alter->table, cmd.column_def->name, cmd.column_def->type, statement.span});
      } else if (cmd.kind == sql::AlterKind::DropColumn) {
        const ColumnInfo* col = known ? known->column(cmd.column) : nullptr;
        m_columns_dropped.push_back({alter->table, cmd.column,
                                     col ? std::optional(col->type) : std::nullopt,
                                     statement.span});
      }
    }
  } else if (const auto* create = statement.as<sql::CreateTable>()) {
    TableChange change{create->table, {}, statement.span};
    for (const auto& col : create->columns) {
      change.columns.push_back({col.name, col.type, col.not_null});
    }
    m_tables_created.push_back(std::move(change));
  } else if (const auto* create_enum = statement.as<sql::CreateEnum>()) {
    m_enums_created.emplace_back(create_enum->name, statement.span);
  } else if (const auto* drop = statement.as<sql::Drop>();
             drop && drop->kind == sql::ObjectKind::Table) {
    for (const auto& table : drop->objects) {
      const TableInfo* known = m_schema.table(table);
      m_tables_dropped.push_back(
          {table, known ? known->columns : std::vector<ColumnInfo>{}, statement.span});
    }
  }
}

void Context::after_statement(const sql::Statement& statement) {
  remember_changes(statement);  // before the schema forgets what was dropped
  track_transaction(statement); // before the schema learns the statement's effects
  if (const auto* tx = statement.as<sql::Transaction>()) {
    if (tx->kind == sql::TxKind::Begin) {
      if (!m_in_transaction) { // BEGIN inside a transaction only warns
        end_transaction();
      }
      if (!written_as_sql(statement)) {
        // The migration tool's own BEGIN (Alembic's, after an autocommit_block()).
        m_tx_origin = TxOrigin::Tool;
        m_transaction_origin = "the migration tool runs the script in a transaction";
      } else if (!m_in_transaction || m_tx_origin == TxOrigin::Implicit) {
        // A BEGIN inside a transaction the tool opened, or a second BEGIN, changes nothing:
        // PostgreSQL ignores it with a warning.
        m_tx_origin = TxOrigin::Explicit;
        m_transaction_origin = "an explicit BEGIN opened a transaction";
      }
      m_in_transaction = true;
    } else if (tx->kind == sql::TxKind::Commit || tx->kind == sql::TxKind::Rollback) {
      m_in_transaction = false;
      m_local_lock_timeout = false;
      m_timezone_utc_local.reset();
      m_local_statement_timeout = false;
      m_local_transaction_timeout = false;
      end_transaction();
    }
  } else if (const auto* set = statement.as<sql::SetVariable>()) {
    const bool on = enables_timeout(*set);
    if (set->name == "lock_timeout") {
      if (!set->local) {
        m_lock_timeout = on;
        m_local_lock_timeout = false;
      } else if (m_in_transaction) { // SET LOCAL outside a transaction has no effect
        m_local_lock_timeout = on;
      }
    } else if (set->name == "statement_timeout" || set->name == "transaction_timeout") {
      const bool per_statement = set->name == "statement_timeout";
      bool& session_value = per_statement ? m_statement_timeout : m_transaction_timeout;
      bool& local_value = per_statement ? m_local_statement_timeout : m_local_transaction_timeout;
      if (!set->local) {
        session_value = on;
        local_value = false;
      } else if (m_in_transaction) {
        local_value = on;
      }
    } else if (set->name == "timezone") {
      // RESET and SET ... DEFAULT go back to the server's zone, which miglint does not know.
      const bool utc = !set->reset && is_utc_timezone(set->value);
      if (!set->local) {
        m_timezone_utc = utc;
        m_timezone_utc_local.reset();
      } else if (m_in_transaction) {
        m_timezone_utc_local = utc;
      }
    } else if (set->name.empty() && set->reset) { // RESET ALL
      m_lock_timeout = m_local_lock_timeout = m_statement_timeout = false;
      m_local_statement_timeout = m_transaction_timeout = m_local_transaction_timeout = false;
      m_timezone_utc = false;
      m_timezone_utc_local.reset();
    }
  } else if (const auto* create = statement.as<sql::CreateTable>()) {
    m_new_tables.insert(create->table.key());
  } else if (const auto* create_as = statement.as<sql::CreateTableAs>()) {
    m_new_tables.insert(create_as->table.key());
  } else if (const auto* index = statement.as<sql::CreateIndex>()) {
    if (!index->name.empty()) {
      m_new_indexes.insert(sql::QualifiedName{index->table.schema, index->name}.key());
    }
  } else if (const auto* domain = statement.as<sql::CreateDomain>()) {
    m_new_types.insert(domain->name.key());
  } else if (const auto* enum_type = statement.as<sql::CreateEnum>()) {
    m_new_types.insert(enum_type->name.key());
  } else if (const auto* schema = statement.as<sql::CreateSchema>()) {
    if (!schema->name.empty() && !schema->if_not_exists) {
      m_new_schemas.insert(schema->name);
    }
  } else if (const auto* rename = statement.as<sql::Rename>()) {
    if (rename->kind == sql::ObjectKind::Table && is_new_table(rename->relation)) {
      m_new_tables.erase(rename->relation.key());
      m_new_tables.insert(sql::QualifiedName{rename->relation.schema, rename->new_name}.key());
    }
  }
  m_schema.apply(statement);
}

std::vector<RawFinding> Context::take_findings() {
  return std::exchange(m_findings, {});
}

} // namespace miglint::lint
