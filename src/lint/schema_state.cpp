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

namespace {

// The name a table key ("schema.name") stands for; tables of `public` are shown unqualified.
sql::QualifiedName name_of_key(const std::string& key) {
  const auto dot = key.find('.');
  std::string schema = key.substr(0, dot);
  return {schema == "public" ? std::string() : schema, key.substr(dot + 1)};
}

std::string schema_of_key(const std::string& key) {
  return key.substr(0, key.find('.'));
}

} // namespace

std::vector<sql::QualifiedName> SchemaState::tables_in_schema(const std::string& schema) const {
  const std::string wanted = schema.empty() ? "public" : schema;
  std::vector<sql::QualifiedName> out;
  for (const auto& [key, info] : m_tables) {
    if (schema_of_key(key) == wanted) {
      out.push_back(name_of_key(key));
    }
  }
  return out;
}

std::vector<std::pair<sql::QualifiedName, std::string>>
SchemaState::columns_of_type(const sql::QualifiedName& type) const {
  std::vector<std::pair<sql::QualifiedName, std::string>> out;
  for (const auto& [key, info] : m_tables) {
    for (const auto& col : info.columns) {
      if (!col.type.names.empty() && col.type.names.back() == type.name) {
        out.emplace_back(name_of_key(key), col.name);
      }
    }
  }
  return out;
}

void SchemaState::apply(const sql::Statement& statement) {
  if (const auto* create = statement.as<sql::CreateTable>()) {
    TableInfo info;
    for (const auto& col : create->columns) {
      info.columns.push_back({col.name, col.type, col.not_null});
      for (const auto& c : col.constraints) {
        if (c.kind == sql::ConstraintKind::Check) {
          info.checks[check_name(c, create->table.name, info.checks.size())] = check_info(c);
        }
      }
    }
    for (const auto& c : create->constraints) {
      if (c.kind == sql::ConstraintKind::Check) {
        info.checks[check_name(c, create->table.name, info.checks.size())] = check_info(c);
      }
    }
    m_tables[create->table.key()] = std::move(info);
  } else if (const auto* alter = statement.as<sql::AlterTable>()) {
    apply_alter(*alter);
  } else if (const auto* drop = statement.as<sql::Drop>()) {
    for (const auto& obj : drop->objects) {
      if (drop->kind == sql::ObjectKind::Table) {
        m_tables.erase(obj.key());
      } else if (drop->kind == sql::ObjectKind::Index) {
        m_index_tables.erase(obj.key());
      } else if (drop->kind == sql::ObjectKind::Type) {
        m_domains.erase(obj.key());
      } else if (drop->kind == sql::ObjectKind::Schema && drop->cascade) {
        std::erase_if(m_tables,
                      [&](const auto& entry) { return schema_of_key(entry.first) == obj.name; });
      }
    }
  } else if (const auto* domain = statement.as<sql::CreateDomain>()) {
    m_domains.insert(domain->name.key());
  } else if (const auto* rename = statement.as<sql::Rename>()) {
    if (rename->kind == sql::ObjectKind::Table) {
      auto node = m_tables.extract(rename->relation.key());
      if (!node.empty()) {
        node.key() = sql::QualifiedName{rename->relation.schema, rename->new_name}.key();
        m_tables.insert(std::move(node));
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
      if (cmd.column_def) {
        table.columns.push_back(
            {cmd.column_def->name, cmd.column_def->type, cmd.column_def->not_null});
      }
      break;
    case sql::AlterKind::DropColumn:
      std::erase_if(table.columns, [&](const ColumnInfo& c) { return c.name == cmd.column; });
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
      break;
    case sql::AlterKind::ValidateConstraint:
      if (auto c = table.checks.find(cmd.name); c != table.checks.end()) {
        c->second.validated = true;
      }
      break;
    case sql::AlterKind::DropConstraint:
      table.checks.erase(cmd.name);
      break;
    default:
      break;
    }
  }
}

} // namespace miglint::lint
