#include "lint/context.hpp"

#include <algorithm>
#include <functional>
#include <utility>

namespace miglint::lint {

bool needs_empty_table(const sql::ColumnDef& col) {
  const bool has_default = col.default_value && !col.default_value->is_null;
  return col.not_null && !has_default && !col.identity && !col.generated_stored &&
         !col.type.is_serial();
}

namespace {

std::string column_key(const sql::QualifiedName& table, const std::string& column) {
  return table.key() + "\n" + column;
}

// The ALTER TABLE adds a NOT NULL column without a DEFAULT to `table`: it fails on any row.
bool adds_column_needing_empty(const sql::Statement& statement, const sql::QualifiedName& table) {
  const auto* alter = statement.as<sql::AlterTable>();
  if (alter == nullptr || alter->relation_kind != sql::RelationKind::Table ||
      alter->table.key() != table.key()) {
    return false;
  }
  return std::any_of(alter->cmds.begin(), alter->cmds.end(), [](const sql::AlterTableCmd& cmd) {
    return cmd.kind == sql::AlterKind::AddColumn && cmd.column_def && !cmd.missing_ok &&
           needs_empty_table(*cmd.column_def);
  });
}

} // namespace

bool Context::is_new_column(const sql::QualifiedName& table, const std::string& column) const {
  return m_new_columns.contains(column_key(table, column));
}

bool Context::known_empty(const sql::QualifiedName& table) const {
  const std::string key = table.key();
  return m_new_tables.contains(key) || m_empty_tables.contains(key);
}

Context::AlterFacts& Context::facts_of(const sql::AlterTable& alter) const {
  if (m_alter_facts.alter != &alter) {
    m_alter_facts = AlterFacts{};
    m_alter_facts.alter = &alter;
  }
  return m_alter_facts;
}

bool Context::alters_new_table(const sql::AlterTable& alter) const {
  AlterFacts& facts = facts_of(alter);
  if (!facts.new_ready) {
    facts.table_new = is_new_table(alter.table);
    facts.new_ready = true;
  }
  return facts.table_new;
}

bool Context::must_be_empty(const sql::QualifiedName& table,
                            const sql::Statement& statement) const {
  const auto* alter = statement.as<sql::AlterTable>();
  if (alter == nullptr || &alter->table != &table) {
    return known_empty(table) || adds_column_needing_empty(statement, table);
  }
  AlterFacts& facts = facts_of(*alter);
  if (!facts.empty_ready) {
    facts.empty = known_empty(table) || adds_column_needing_empty(statement, table);
    facts.empty_ready = true;
  }
  return facts.empty;
}

bool Context::is_noop(const sql::AlterTable& alter, const sql::AlterTableCmd& cmd) const {
  const sql::AlterTableCmd* first = alter.cmds.data();
  const std::less<const sql::AlterTableCmd*> before;
  if (before(&cmd, first) || !before(&cmd, first + alter.cmds.size())) {
    return compute_noop(alter, cmd, m_schema.table(alter.table)); // not one of its subcommands
  }
  const auto index = static_cast<size_t>(&cmd - first);
  AlterFacts& facts = facts_of(alter);
  if (!facts.noop_ready) {
    const TableInfo* table = m_schema.table(alter.table);
    for (const auto& c : alter.cmds) {
      facts.noop.push_back(compute_noop(alter, c, table) ? 1 : 0);
    }
    facts.noop_ready = true;
  }
  return facts.noop[index] != 0;
}

bool Context::locks_nothing(const sql::Statement& statement) const {
  if (const auto* alter = statement.as<sql::AlterTable>()) {
    return alter->missing_ok && alter->relation_kind == sql::RelationKind::Table &&
           m_schema.table(alter->table) == nullptr && knows_table_gone(alter->table);
  }
  return statement.as<sql::Drop>() != nullptr && changes_nothing(statement);
}

bool Context::knows_table_gone(const sql::QualifiedName& table) const {
  return !m_history_gaps && !m_history_opaque && m_schema.table_gone(table) &&
         !m_schema.created_as(table);
}

bool Context::knows_absent(const sql::QualifiedName& relation) const {
  return !m_history_gaps && !m_history_opaque && m_schema.rooted() &&
         m_schema.table(relation) == nullptr && !m_schema.has_index(relation) &&
         !m_schema.created_as(relation) && !m_schema.maybe_generated_name(relation.name);
}

bool Context::knows_no_constraint(const TableInfo& table, const std::string& name) const {
  return table.complete && !m_history_gaps && !m_history_opaque && m_schema.rooted() &&
         !table.constraints.contains(name) && !m_schema.maybe_generated_name(name);
}

bool Context::compute_noop(const sql::AlterTable& alter, const sql::AlterTableCmd& cmd,
                           const TableInfo* table) const {
  if (alter.relation_kind != sql::RelationKind::Table) {
    return false;
  }
  if (table == nullptr) { // ALTER TABLE IF EXISTS of a table the history never had
    return alter.missing_ok && knows_table_gone(alter.table);
  }
  if (cmd.kind == sql::AlterKind::SetNotNull) { // PostgreSQL does nothing when it already is
    const ColumnInfo* col = table->column(cmd.column);
    return col != nullptr && col->not_null;
  }
  if (!cmd.missing_ok) {
    return false;
  }
  if (cmd.kind == sql::AlterKind::AddColumn && cmd.column_def) {
    return table->column(cmd.column_def->name) != nullptr;
  }
  if (cmd.kind == sql::AlterKind::DropColumn) {
    return table->complete && table->column(cmd.column) == nullptr;
  }
  if (cmd.kind == sql::AlterKind::DropConstraint) {
    return knows_no_constraint(*table, cmd.name);
  }
  return false;
}

std::optional<sql::Span> Context::copied_by(const sql::QualifiedName& table,
                                            const std::string& column) const {
  for (const auto& statement : m_data_statements) {
    const sql::DataAccess& data = *statement.access;
    const bool names_table =
        std::any_of(data.tables.begin(), data.tables.end(),
                    [&](const sql::QualifiedName& t) { return t.key() == table.key(); });
    const bool names_column =
        column.empty() ||
        std::any_of(data.columns.begin(), data.columns.end(),
                    [&](const std::string& c) { return c == column || c == "*"; });
    if (names_table && names_column) {
      return statement.span;
    }
  }
  return std::nullopt;
}

std::optional<Context::Copy> Context::copied_into(const sql::QualifiedName& from,
                                                  const sql::QualifiedName& to) const {
  const std::string source = from.key();
  for (const auto& statement : m_data_statements) {
    const sql::DataAccess& data = *statement.access;
    if (data.written.key() != to.key() ||
        std::none_of(data.tables.begin(), data.tables.end(),
                     [&](const sql::QualifiedName& t) { return t.key() == source; })) {
      continue;
    }
    Copy copy{statement.span, std::nullopt};
    for (const auto& [table, lock] : statement.write_blocked) {
      if (table == source) {
        copy.source_lock = lock;
      }
    }
    return copy;
  }
  return std::nullopt;
}

const UnanalysedPart* Context::unanalysed_before(uint32_t offset) const {
  for (const auto& part : m_unanalysed) {
    if (part.statement.begin <= offset) {
      return &part;
    }
  }
  return nullptr;
}

void Context::add_unanalysed(UnanalysedPart part) {
  m_unanalysed.push_back(std::move(part));
  std::stable_sort(m_unanalysed.begin(), m_unanalysed.end(),
                   [](const UnanalysedPart& a, const UnanalysedPart& b) {
                     return a.statement.begin < b.statement.begin;
                   });
}

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
  if (locks_nothing(statement)) {
    return {}; // DROP ... IF EXISTS of what is not there: PostgreSQL locks nothing
  }
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
  report(statement, span, std::move(message), {});
}

void Context::report(const sql::Statement& statement, sql::Span span, std::string message,
                     std::string help) {
  m_reported_rules.insert(std::string(m_rule));
  if (m_focus.end > m_focus.begin && span.begin == statement.span.begin &&
      span.end == statement.span.end) {
    span = m_focus; // the subcommand the rule is looking at
  }
  m_findings.push_back(
      {std::string(m_rule), span, statement.span.begin, std::move(message), std::move(help)});
}

void Context::report_on(sql::Span statement, std::string message) {
  report_on(statement, std::move(message), {});
}

void Context::report_on(sql::Span statement, std::string message, std::string help) {
  m_reported_rules.insert(std::string(m_rule));
  m_findings.push_back(
      {std::string(m_rule), statement, statement.begin, std::move(message), std::move(help)});
}

void Context::report_on(sql::Span statement, sql::Span at, std::string message) {
  m_reported_rules.insert(std::string(m_rule));
  m_findings.push_back({std::string(m_rule), at, statement.begin, std::move(message), {}});
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
                           const std::map<std::string, std::string>& session, core::Phase phase,
                           bool same_deploy) {
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
  m_indexes_dropped.clear();
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
  if (!same_deploy) {
    m_new_tables.clear();
    m_new_indexes.clear();
    m_new_types.clear();
    m_new_schemas.clear();
    m_new_columns.clear();
  }
  m_reported_rules.clear();
  m_empty_tables.clear();
  m_data_statements.clear();
  m_unanalysed.clear();
  m_noop_statements.clear();
}

namespace {

bool enables_timeout(const sql::SetVariable& set) {
  return !set.reset && enables_timeout(set.value);
}

} // namespace

void Context::remember_changes(const sql::Statement& statement) {
  if (statement.data) {
    DataStatement data{statement.span, &*statement.data, {}};
    for (const auto& table : statement.data->tables) {
      const HeldLock* held = held_lock(table);
      if (held != nullptr && held->mode >= sql::LockMode::Share &&
          held->statement.begin < statement.span.begin) {
        data.write_blocked.emplace_back(table.key(), *held);
      }
    }
    m_data_statements.push_back(std::move(data));
    // Rows the migration writes itself: the table may no longer be empty.
    if (!statement.data->written.name.empty()) {
      m_empty_tables.erase(statement.data->written.key());
    }
  }
  if (statement.tag == "DoStmt" || statement.tag == "CallStmt") {
    add_unanalysed(
        {statement.span, std::string(statement.tag == "DoStmt" ? "the DO block" : "the CALL") +
                             " on line " + std::to_string(line_of(statement.span))});
  }
  if (const auto* alter = statement.as<sql::AlterTable>()) {
    const TableInfo* known = m_schema.table(alter->table);
    if (m_in_transaction && !is_new_table(alter->table) &&
        adds_column_needing_empty(statement, alter->table)) {
      m_empty_tables.insert(alter->table.key());
    }
    for (const auto& cmd : alter->cmds) {
      if (is_noop(*alter, cmd)) {
        continue;
      }
      const sql::Span at = cmd.span.end > cmd.span.begin ? cmd.span : statement.span;
      if (cmd.kind == sql::AlterKind::AddColumn && cmd.column_def && !is_new_table(alter->table)) {
        m_new_columns.insert(column_key(alter->table, cmd.column_def->name));
      }
      if (cmd.kind == sql::AlterKind::AddColumn && cmd.column_def) {
        m_columns_added.push_back(
            {alter->table, cmd.column_def->name, cmd.column_def->type, statement.span, at});
      } else if (cmd.kind == sql::AlterKind::DropColumn) {
        const ColumnInfo* col = known ? known->column(cmd.column) : nullptr;
        m_columns_dropped.push_back({alter->table, cmd.column,
                                     col ? std::optional(col->type) : std::nullopt, statement.span,
                                     at});
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
  } else if (const auto* rename = statement.as<sql::Rename>();
             rename && rename->kind == sql::ObjectKind::Column &&
             m_new_columns.erase(column_key(rename->relation, rename->old_name)) > 0) {
    m_new_columns.insert(column_key(rename->relation, rename->new_name));
  } else if (const auto* truncate = statement.as<sql::Truncate>(); truncate && m_in_transaction) {
    for (const auto& table : truncate->tables) {
      m_empty_tables.insert(table.key());
    }
  } else if (const auto* drop = statement.as<sql::Drop>()) {
    for (const auto& object : drop->objects) {
      if (drop->kind == sql::ObjectKind::Index) {
        IndexDrop d{object,
                    m_schema.table_of_index(object),
                    drop->concurrent,
                    is_new_index(object),
                    false,
                    false,
                    statement.span};
        if (d.table) {
          d.table_new = is_new_table(*d.table);
          const TableInfo* known = m_schema.table(*d.table);
          d.table_partitioned = known != nullptr && known->partitioned;
        }
        m_indexes_dropped.push_back(std::move(d));
      } else if (drop->kind == sql::ObjectKind::Table) {
        const TableInfo* known = m_schema.table(object);
        m_tables_dropped.push_back(
            {object, known ? known->columns : std::vector<ColumnInfo>{}, statement.span});
      }
    }
  }
}

bool Context::changes_nothing(const sql::Statement& statement) const {
  if (const auto* alter = statement.as<sql::AlterTable>()) {
    return !alter->cmds.empty() &&
           std::all_of(alter->cmds.begin(), alter->cmds.end(),
                       [&](const sql::AlterTableCmd& cmd) { return is_noop(*alter, cmd); });
  }
  if (const auto* index = statement.as<sql::CreateIndex>()) {
    return index->if_not_exists && !index->name.empty() &&
           m_schema.has_index({index->table.schema, index->name});
  }
  if (const auto* create = statement.as<sql::CreateTable>()) {
    return create->if_not_exists && m_schema.table(create->table) != nullptr;
  }
  if (const auto* drop = statement.as<sql::Drop>();
      drop != nullptr && drop->missing_ok && !drop->objects.empty() &&
      (drop->kind == sql::ObjectKind::Index || drop->kind == sql::ObjectKind::Table)) {
    return std::all_of(drop->objects.begin(), drop->objects.end(),
                       [&](const sql::QualifiedName& object) {
                         return drop->kind == sql::ObjectKind::Index ? knows_absent(object)
                                                                     : knows_table_gone(object);
                       });
  }
  return false;
}

void Context::after_statement(const sql::Statement& statement) {
  if (statement.tag == "DoStmt" || statement.tag == "CallStmt") {
    m_history_opaque = true;
  }
  const bool noop = changes_nothing(statement);
  m_alter_facts = AlterFacts{}; // the next statement may reuse this one's address
  if (noop) {
    m_noop_statements.insert(statement.span.begin);
    if (!locks_nothing(statement)) {
      track_transaction(statement); // ALTER TABLE locks its table even when it changes nothing
    }
    return; // the schema stays as it is; no table, index or column is new
  }
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
      m_empty_tables.clear(); // other sessions may write to them now
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
