#include "lint/schema_state.hpp"

#include <algorithm>
#include <utility>

namespace miglint::lint {

const ColumnInfo* TableInfo::column(std::string_view name) const {
  auto it = std::find_if(columns.begin(), columns.end(),
                         [&](const ColumnInfo& c) { return c.name == name; });
  return it == columns.end() ? nullptr : &*it;
}

ColumnInfo* TableInfo::column(std::string_view name) {
  return const_cast<ColumnInfo*>(std::as_const(*this).column(name));
}

bool TableInfo::has_validated_not_null_check(std::string_view name) const {
  return std::any_of(checks.begin(), checks.end(), [&](const auto& entry) {
    return entry.second.validated && entry.second.column == name;
  });
}

namespace {

CheckInfo check_info(const sql::Constraint& c) {
  CheckInfo info;
  if (c.check && c.check->not_null_column) {
    info.column = *c.check->not_null_column;
  }
  info.validated = !c.not_valid;
  return info;
}

std::string check_name(const sql::Constraint& c, const std::string& table, size_t n) {
  return c.name.empty() ? table + "_check_" + std::to_string(n) : c.name;
}

} // namespace

const TableInfo* SchemaState::table(const sql::QualifiedName& name) const {
  auto it = m_tables.find(name.key());
  return it == m_tables.end() ? nullptr : &it->second;
}

std::optional<sql::QualifiedName>
SchemaState::table_of_index(const sql::QualifiedName& index) const {
  auto it = m_index_tables.find(index.key());
  if (it == m_index_tables.end()) {
    return std::nullopt;
  }
  return it->second;
}

void SchemaState::add_constraint_index(const sql::Constraint& c, const sql::QualifiedName& table) {
  if (c.kind != sql::ConstraintKind::Unique && c.kind != sql::ConstraintKind::PrimaryKey) {
    return;
  }
  if (!c.using_index.empty()) { // the index is renamed to the constraint's name
    m_index_tables.erase(sql::QualifiedName{table.schema, c.using_index}.key());
  }
  std::string name = c.name;
  if (name.empty() && c.kind == sql::ConstraintKind::PrimaryKey) {
    name = table.name + "_pkey"; // PostgreSQL's name for an unnamed primary key
  }
  if (!name.empty()) {
    m_index_tables[sql::QualifiedName{table.schema, name}.key()] = table;
  }
}

void SchemaState::apply(const sql::Statement& statement) {
  if (const auto* create = statement.as<sql::CreateTable>()) {
    if (create->if_not_exists && m_tables.contains(create->table.key())) {
      return; // a no-op
    }
    TableInfo info;
    info.complete = !create->partition_of;
    info.partitioned = create->partitioned;
    for (const auto& col : create->columns) {
      info.columns.push_back({col.name, col.type, col.not_null});
      for (const auto& c : col.constraints) {
        if (c.kind == sql::ConstraintKind::Check) {
          info.checks[check_name(c, create->table.name, info.checks.size())] = check_info(c);
        }
        add_constraint_index(c, create->table);
      }
    }
    for (const auto& c : create->constraints) {
      if (c.kind == sql::ConstraintKind::Check) {
        info.checks[check_name(c, create->table.name, info.checks.size())] = check_info(c);
      }
      add_constraint_index(c, create->table);
    }
    m_tables[create->table.key()] = std::move(info);
  } else if (const auto* alter = statement.as<sql::AlterTable>()) {
    apply_alter(*alter);
  } else if (const auto* drop = statement.as<sql::Drop>()) {
    for (const auto& obj : drop->objects) {
      if (drop->kind == sql::ObjectKind::Table) {
        m_tables.erase(obj.key());
        std::erase_if(m_index_tables,
                      [&](const auto& entry) { return entry.second.key() == obj.key(); });
      } else if (drop->kind == sql::ObjectKind::Index) {
        m_index_tables.erase(obj.key());
      } else if (drop->kind == sql::ObjectKind::Type) {
        m_types.erase(obj.key());
      }
    }
  } else if (const auto* create_enum = statement.as<sql::CreateEnum>()) {
    m_types.insert(create_enum->name.key());
  } else if (const auto* rename = statement.as<sql::Rename>()) {
    if (rename->kind == sql::ObjectKind::Table) {
      const sql::QualifiedName renamed{rename->relation.schema, rename->new_name};
      auto node = m_tables.extract(rename->relation.key());
      if (!node.empty()) {
        node.key() = renamed.key();
        m_tables.insert(std::move(node));
      }
      for (auto& [index, table] : m_index_tables) {
        if (table.key() == rename->relation.key()) {
          table = renamed;
        }
      }
    } else if (rename->kind == sql::ObjectKind::Index) {
      auto node = m_index_tables.extract(rename->relation.key());
      if (!node.empty()) {
        node.key() = sql::QualifiedName{rename->relation.schema, rename->new_name}.key();
        m_index_tables.insert(std::move(node));
      }
    } else if (rename->kind == sql::ObjectKind::Type) {
      if (m_types.erase(rename->relation.key()) > 0) {
        m_types.insert(sql::QualifiedName{rename->relation.schema, rename->new_name}.key());
      }
    } else if (rename->kind == sql::ObjectKind::Column) {
      auto it = m_tables.find(rename->relation.key());
      if (it != m_tables.end()) {
        if (ColumnInfo* col = it->second.column(rename->old_name)) {
          col->name = rename->new_name;
        }
      }
    }
  } else if (const auto* index = statement.as<sql::CreateIndex>()) {
    if (!index->name.empty()) {
      m_index_tables[sql::QualifiedName{index->table.schema, index->name}.key()] = index->table;
    }
  }
}

void SchemaState::apply_alter(const sql::AlterTable& alter) {
  if (alter.relation_kind != sql::RelationKind::Table) {
    return;
  }
  // A table whose creation was not seen still gets an entry: what the migrations do to it
  // (constraints added and validated, columns added) is known even if the rest is not.
  TableInfo& table = m_tables[alter.table.key()];
  for (const auto& cmd : alter.cmds) {
    switch (cmd.kind) {
    case sql::AlterKind::AddColumn:
      if (cmd.column_def && table.column(cmd.column_def->name) == nullptr) {
        table.columns.push_back(
            {cmd.column_def->name, cmd.column_def->type, cmd.column_def->not_null});
      }
      break;
    case sql::AlterKind::DropColumn:
      std::erase_if(table.columns, [&](const ColumnInfo& c) { return c.name == cmd.column; });
      // PostgreSQL drops the indexes that use the column (as a key, in an expression or in a
      // predicate); which ones is not tracked, so forget the table's indexes: an index miglint
      // believes missing is only reported, never assumed.
      std::erase_if(m_index_tables,
                    [&](const auto& entry) { return entry.second.key() == alter.table.key(); });
      break;
    case sql::AlterKind::AlterColumnType:
      if (ColumnInfo* col = table.column(cmd.column); col != nullptr && cmd.type) {
        col->type = *cmd.type;
      }
      break;
    case sql::AlterKind::SetNotNull:
    case sql::AlterKind::DropNotNull:
      if (ColumnInfo* col = table.column(cmd.column)) {
        col->not_null = cmd.kind == sql::AlterKind::SetNotNull;
      }
      break;
    case sql::AlterKind::AddConstraint:
      if (cmd.constraint && cmd.constraint->kind == sql::ConstraintKind::Check) {
        table.checks[check_name(*cmd.constraint, alter.table.name, table.checks.size())] =
            check_info(*cmd.constraint);
      }
      if (cmd.constraint) {
        add_constraint_index(*cmd.constraint, alter.table);
      }
      break;
    case sql::AlterKind::ValidateConstraint:
      if (auto c = table.checks.find(cmd.name); c != table.checks.end()) {
        c->second.validated = true;
      }
      break;
    case sql::AlterKind::DropConstraint:
      table.checks.erase(cmd.name);
      m_index_tables.erase(sql::QualifiedName{alter.table.schema, cmd.name}.key());
      break;
    default:
      break;
    }
  }
}

} // namespace miglint::lint
