#include "lint/schema_state.hpp"

#include <algorithm>
#include <cctype>
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

const IndexInfo* SchemaState::index(const sql::QualifiedName& name) const {
  auto it = m_indexes.find(name.key());
  return it == m_indexes.end() ? nullptr : &it->second;
}

const EnumInfo* SchemaState::enum_type(const sql::QualifiedName& name) const {
  auto it = m_enums.find(name.key());
  return it == m_enums.end() ? nullptr : &it->second;
}

bool SchemaState::type_dropped(const sql::QualifiedName& name) const {
  return !m_dropped_types.empty() && m_dropped_types.contains(name.key());
}

void SchemaState::create_enum(const sql::QualifiedName& name, std::vector<std::string> labels) {
  m_enums[name.key()] = EnumInfo{name, std::move(labels)};
  m_dropped_types.erase(name.key());
}

void SchemaState::drop_type(const sql::QualifiedName& name) {
  m_enums.erase(name.key());
  m_dropped_types.insert(name.key());
}

namespace {

// A lower-case copy, for reading code miglint does not parse.
std::string lower_copy(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

// Reads a possibly qualified, possibly quoted name at `pos` of lower-cased `text`; a quoted part
// keeps its case from `original`, of which `text` is a lower-case copy.
std::optional<sql::QualifiedName> read_name(std::string_view original, std::string_view text,
                                            size_t& pos) {
  std::vector<std::string> parts;
  while (true) {
    while (pos < text.size() && is_space(text[pos])) {
      ++pos;
    }
    std::string part;
    if (pos < text.size() && text[pos] == '"') {
      const size_t end = text.find('"', pos + 1);
      if (end == std::string_view::npos) {
        return std::nullopt;
      }
      part = std::string(original.substr(pos + 1, end - pos - 1));
      pos = end + 1;
    } else {
      while (pos < text.size() &&
             (std::isalnum(static_cast<unsigned char>(text[pos])) || text[pos] == '_')) {
        part += text[pos++];
      }
    }
    if (part.empty()) {
      return std::nullopt;
    }
    parts.push_back(std::move(part));
    if (pos < text.size() && text[pos] == '.') {
      ++pos;
      continue;
    }
    break;
  }
  sql::QualifiedName q;
  q.name = parts.back();
  if (parts.size() >= 2) {
    q.schema = parts[parts.size() - 2];
  }
  return q;
}

// Whether `word` follows at `pos` (after blanks), consuming it.
bool read_word(std::string_view text, size_t& pos, std::string_view word) {
  size_t p = pos;
  while (p < text.size() && is_space(text[p])) {
    ++p;
  }
  if (text.substr(p, word.size()) != word) {
    return false;
  }
  pos = p + word.size();
  return true;
}

} // namespace

void SchemaState::apply_do_block(const sql::DoBlock& block) {
  // The common idiom creates an enum type only if it is missing:
  //   DO $$ BEGIN CREATE TYPE s AS ENUM (...); EXCEPTION WHEN duplicate_object THEN null; END $$
  // Whichever branch runs, the type exists afterwards. DROP TYPE in a block removes it.
  const std::string text = lower_copy(block.body);
  for (size_t at = text.find("type"); at != std::string::npos; at = text.find("type", at + 4)) {
    size_t before = at;
    while (before > 0 && is_space(text[before - 1])) {
      --before;
    }
    const bool create = before >= 6 && text.compare(before - 6, 6, "create") == 0;
    const bool drop = before >= 4 && text.compare(before - 4, 4, "drop") == 0;
    if (!create && !drop) {
      continue;
    }
    size_t pos = at + 4;
    if (pos < text.size() && !is_space(text[pos]) && text[pos] != '"') {
      continue; // "types", "type_name": not the keyword
    }
    if (drop) {
      size_t p = pos;
      if (read_word(text, p, "if") && read_word(text, p, "exists")) {
        pos = p;
      }
    }
    const auto name = read_name(block.body, text, pos);
    if (!name) {
      continue;
    }
    if (drop) {
      drop_type(*name);
    } else if (size_t p = pos; read_word(text, p, "as") && read_word(text, p, "enum")) {
      create_enum(*name, {});
    } else {
      m_dropped_types.erase(name->key()); // a composite, range or base type of that name
    }
  }
}

std::optional<sql::QualifiedName>
SchemaState::table_of_index(const sql::QualifiedName& index) const {
  const IndexInfo* info = this->index(index);
  if (info == nullptr) {
    return std::nullopt;
  }
  return info->table;
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

void SchemaState::add_constraint_index(const sql::Constraint& c, const sql::QualifiedName& table) {
  if (c.kind != sql::ConstraintKind::Unique && c.kind != sql::ConstraintKind::PrimaryKey) {
    return;
  }
  std::string name = c.name;
  IndexInfo info{table, c.columns, true};
  if (!c.using_index.empty()) {
    // USING INDEX: the index becomes the constraint's and takes its name, when it has one.
    auto node = m_indexes.extract(sql::QualifiedName{table.schema, c.using_index}.key());
    if (!node.empty()) {
      info = std::move(node.mapped());
      info.unique = true;
    }
    if (name.empty()) {
      name = c.using_index;
    }
  }
  if (name.empty() && c.kind == sql::ConstraintKind::PrimaryKey) {
    name = table.name + "_pkey"; // PostgreSQL's name for an unnamed primary key
  }
  if (!name.empty()) {
    m_indexes[sql::QualifiedName{table.schema, name}.key()] = std::move(info);
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
      } else if (c.kind == sql::ConstraintKind::PrimaryKey) {
        for (const auto& name : c.columns) { // a primary key makes its columns NOT NULL
          if (ColumnInfo* col = info.column(name)) {
            col->not_null = true;
          }
        }
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
        std::erase_if(m_indexes,
                      [&](const auto& entry) { return entry.second.table.key() == obj.key(); });
      } else if (drop->kind == sql::ObjectKind::Index) {
        m_indexes.erase(obj.key());
      } else if (drop->kind == sql::ObjectKind::Type) {
        m_domains.erase(obj.key());
        drop_type(obj);
      } else if (drop->kind == sql::ObjectKind::Schema) {
        // Not empty only with CASCADE, which drops its tables and types too.
        std::erase_if(m_tables,
                      [&](const auto& entry) { return schema_of_key(entry.first) == obj.name; });
        for (auto it = m_enums.begin(); it != m_enums.end();) {
          if (it->first.rfind(obj.name + ".", 0) == 0) {
            m_dropped_types.insert(it->first);
            it = m_enums.erase(it);
          } else {
            ++it;
          }
        }
      }
    }
  } else if (const auto* domain = statement.as<sql::CreateDomain>()) {
    m_domains.insert(domain->name.key());
  } else if (const auto* rename = statement.as<sql::Rename>()) {
    if (rename->kind == sql::ObjectKind::Table) {
      const sql::QualifiedName renamed{rename->relation.schema, rename->new_name};
      auto node = m_tables.extract(rename->relation.key());
      if (!node.empty()) {
        node.key() = renamed.key();
        m_tables.insert(std::move(node));
      }
      for (auto& [key, index] : m_indexes) {
        if (index.table.key() == rename->relation.key()) {
          index.table = renamed;
        }
      }
    } else if (rename->kind == sql::ObjectKind::Type) {
      auto node = m_enums.extract(rename->relation.key());
      if (!node.empty()) {
        sql::QualifiedName renamed{rename->relation.schema, rename->new_name};
        node.mapped().name = renamed;
        node.key() = renamed.key();
        m_enums.insert(std::move(node));
      }
    } else if (rename->kind == sql::ObjectKind::Index) {
      auto node = m_indexes.extract(rename->relation.key());
      if (!node.empty()) {
        node.key() = sql::QualifiedName{rename->relation.schema, rename->new_name}.key();
        m_indexes.insert(std::move(node));
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
      const std::string key = sql::QualifiedName{index->table.schema, index->name}.key();
      m_indexes[key] = IndexInfo{index->table, index->columns, index->unique};
    }
  } else if (const auto* create_enum_stmt = statement.as<sql::CreateEnum>()) {
    create_enum(create_enum_stmt->name, create_enum_stmt->labels);
  } else if (const auto* alter_enum = statement.as<sql::AlterEnum>()) {
    if (auto it = m_enums.find(alter_enum->type.key()); it != m_enums.end()) {
      auto& labels = it->second.labels;
      if (alter_enum->is_rename()) {
        std::replace(labels.begin(), labels.end(), alter_enum->old_value, alter_enum->value);
      } else if (std::find(labels.begin(), labels.end(), alter_enum->value) == labels.end()) {
        labels.push_back(alter_enum->value);
      }
    }
  } else if (const auto* type = statement.as<sql::CreateType>()) {
    m_dropped_types.erase(type->name.key()); // exists again, as another kind of type
  } else if (const auto* block = statement.as<sql::DoBlock>()) {
    apply_do_block(*block);
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
      // predicate). Expressions and predicates are not tracked: those with an expression go
      // too, so an index miglint still believes in is one PostgreSQL kept (a predicate aside).
      std::erase_if(m_indexes, [&](const auto& entry) {
        const auto& cols = entry.second.columns;
        return entry.second.table.key() == alter.table.key() &&
               (std::find(cols.begin(), cols.end(), cmd.column) != cols.end() ||
                std::find(cols.begin(), cols.end(), std::string()) != cols.end());
      });
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
      } else if (cmd.constraint && cmd.constraint->kind == sql::ConstraintKind::PrimaryKey) {
        // The key columns become NOT NULL; USING INDEX renames the index to the constraint.
        std::vector<std::string> columns = cmd.constraint->columns;
        if (!cmd.constraint->using_index.empty()) {
          if (const IndexInfo* index = this->index(
                  sql::QualifiedName{alter.table.schema, cmd.constraint->using_index})) {
            columns = index->columns;
          }
        }
        for (const auto& name : columns) {
          if (ColumnInfo* col = table.column(name)) {
            col->not_null = true;
          }
        }
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
      m_indexes.erase(sql::QualifiedName{alter.table.schema, cmd.name}.key());
      break;
    default:
      break;
    }
  }
}

} // namespace miglint::lint
