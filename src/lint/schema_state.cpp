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
  m_enums[name.key()] = EnumInfo{name, std::move(labels), {}};
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

namespace {

constexpr size_t k_max_name = 63; // NAMEDATALEN - 1

// The first `n` bytes of `s`, not splitting a UTF-8 character (pg_mbcliplen).
size_t clip(std::string_view s, size_t n) {
  n = std::min(n, s.size());
  while (n > 0 && n < s.size() && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) {
    --n;
  }
  return n;
}

// namespace.c makeObjectName: name1_name2_label, the longer of name1 and name2 cut until the
// whole fits 63 bytes. An empty name2 stands for NULL.
std::string make_object_name(std::string_view name1, std::string_view name2,
                             std::string_view label) {
  size_t overhead = name2.empty() ? 0 : 1;
  if (!label.empty()) {
    overhead += label.size() + 1;
  }
  const size_t avail = overhead >= k_max_name ? 0 : k_max_name - overhead;
  size_t n1 = name1.size();
  size_t n2 = name2.size();
  while (n1 + n2 > avail) {
    if (n1 > n2) {
      --n1;
    } else {
      --n2;
    }
  }
  std::string out(name1.substr(0, clip(name1, n1)));
  if (!name2.empty()) {
    out += '_';
    out += name2.substr(0, clip(name2, n2));
  }
  if (!label.empty()) {
    out += '_';
    out += label;
  }
  return out;
}

// indexcmds.c ChooseIndexColumnNames (de-duplication: a repeated name gets 1, 2, ...) and
// ChooseIndexNameAddition (joined with '_', stopping once 64 bytes are reached).
std::string index_name_addition(const std::vector<std::string>& columns) {
  std::vector<std::string> names;
  for (const auto& original : columns) {
    std::string current = original;
    for (int i = 1; std::find(names.begin(), names.end(), current) != names.end(); ++i) {
      const std::string n = std::to_string(i);
      current = original.substr(0, clip(original, k_max_name - n.size())) + n;
    }
    names.push_back(current);
  }
  std::string out;
  for (const auto& name : names) {
    if (!out.empty()) {
      out += '_';
    }
    out += name.substr(0, k_max_name);
    if (out.size() >= k_max_name + 1) {
      break;
    }
  }
  return out;
}

// The labels of ChooseIndexName and ChooseConstraintName (PostgreSQL 13-18; not_null: 18).
constexpr std::string_view k_generated_labels[] = {"idx",  "key",   "pkey",    "excl",
                                                   "fkey", "check", "not_null"};

// Whether `name` ends with `_<label>` or `_<label><digits>` for one of the labels.
bool has_generated_label(std::string_view name) {
  size_t end = name.size();
  while (end > 0 && std::isdigit(static_cast<unsigned char>(name[end - 1]))) {
    --end;
  }
  const std::string_view stem = name.substr(0, end);
  return std::any_of(std::begin(k_generated_labels), std::end(k_generated_labels),
                     [&](std::string_view label) {
                       return stem.size() > label.size() + 1 && stem.ends_with(label) &&
                              stem[stem.size() - label.size() - 1] == '_';
                     });
}

} // namespace

std::string SchemaState::choose_index_name(const sql::QualifiedName& table,
                                           const std::vector<std::string>& columns,
                                           std::string_view label) const {
  std::string addition;
  if (label != "pkey") {
    if (columns.empty() ||
        std::any_of(columns.begin(), columns.end(), [](const auto& c) { return c.empty(); })) {
      return {};
    }
    addition = index_name_addition(columns);
  }
  for (int pass = 0; pass < 1000; ++pass) {
    const std::string modlabel =
        pass == 0 ? std::string(label) : std::string(label) + std::to_string(pass);
    std::string name = make_object_name(table.name, addition, modlabel);
    const std::string key = sql::QualifiedName{table.schema, name}.key();
    if (!m_indexes.contains(key) && !m_tables.contains(key)) {
      return name;
    }
  }
  return {};
}

bool SchemaState::maybe_generated_name(std::string_view name) const {
  if (!has_generated_label(name)) {
    return false;
  }
  if (name.size() >= k_max_name) {
    return true; // cut to fit: the table's name may be cut too
  }
  return std::any_of(m_relation_names.begin(), m_relation_names.end(), [&](const auto& table) {
    return name.size() > table.size() + 1 && name.starts_with(table) && name[table.size()] == '_';
  });
}

bool SchemaState::rooted() const {
  return m_any_created && std::all_of(m_tables.begin(), m_tables.end(), [&](const auto& entry) {
           return entry.second.created || m_created_as.contains(entry.first);
         });
}

void SchemaState::note_relation(const sql::QualifiedName& name) {
  if (!name.name.empty()) {
    m_relation_names.insert(name.name);
  }
}

void SchemaState::add_constraint_index(const sql::Constraint& c, const sql::QualifiedName& table,
                                       TableInfo& table_info) {
  if (c.kind != sql::ConstraintKind::Unique && c.kind != sql::ConstraintKind::PrimaryKey &&
      c.kind != sql::ConstraintKind::Exclusion) {
    return;
  }
  std::string name = c.name;
  IndexInfo info{table, c.columns, c.kind != sql::ConstraintKind::Exclusion};
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
  if (name.empty()) { // PostgreSQL's name for it (ChooseIndexName)
    name = choose_index_name(table, c.columns,
                             c.kind == sql::ConstraintKind::PrimaryKey ? "pkey"
                             : c.kind == sql::ConstraintKind::Unique   ? "key"
                                                                       : "excl");
  }
  if (!name.empty()) {
    table_info.constraints.insert(name);
    note_relation({table.schema, name});
    m_indexes[sql::QualifiedName{table.schema, name}.key()] = std::move(info);
  }
}

void SchemaState::add_constraint(const sql::Constraint& c, const sql::QualifiedName& table,
                                 TableInfo& info) {
  if (!c.name.empty()) {
    info.constraints.insert(c.name);
  }
  add_constraint_index(c, table, info);
}

void SchemaState::apply(const sql::Statement& statement) {
  if (const auto* create = statement.as<sql::CreateTable>()) {
    if (create->if_not_exists && m_tables.contains(create->table.key())) {
      return; // a no-op
    }
    TableInfo info;
    info.complete = !create->partition_of && !create->copies_other;
    info.created = true;
    info.partitioned = create->partitioned;
    m_any_created = true;
    note_relation(create->table);
    for (const auto& col : create->columns) {
      info.columns.push_back({col.name, col.type, col.not_null});
      for (const auto& c : col.constraints) {
        if (c.kind == sql::ConstraintKind::Check) {
          info.checks[check_name(c, create->table.name, info.checks.size())] = check_info(c);
        }
        add_constraint(c, create->table, info);
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
      add_constraint(c, create->table, info);
    }
    m_tables[create->table.key()] = std::move(info);
  } else if (const auto* create_as = statement.as<sql::CreateTableAs>()) {
    note_relation(create_as->table);
    m_created_as.insert(create_as->table.key());
  } else if (const auto* alter = statement.as<sql::AlterTable>()) {
    apply_alter(*alter);
  } else if (const auto* drop = statement.as<sql::Drop>()) {
    for (const auto& obj : drop->objects) {
      if (drop->kind == sql::ObjectKind::Table) {
        m_tables.erase(obj.key());
        m_gone_tables.insert(obj.key());
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
    note_relation(rename->relation);
    if (rename->kind == sql::ObjectKind::Table) {
      const sql::QualifiedName renamed{rename->relation.schema, rename->new_name};
      note_relation(renamed);
      auto node = m_tables.extract(rename->relation.key());
      m_gone_tables.insert(rename->relation.key());
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
        node.mapped().renamed_from = rename->relation.name;
        node.key() = renamed.key();
        m_enums.insert(std::move(node));
      }
      // A column refers to its type by OID: it keeps the type under the new name.
      for (auto& [key, info] : m_tables) {
        for (auto& col : info.columns) {
          auto& names = col.type.names;
          if (names.empty() || names.back() != rename->relation.name) {
            continue;
          }
          const sql::QualifiedName used{names.size() >= 2 ? names[names.size() - 2] : "",
                                        names.back()};
          if (used.key() == rename->relation.key()) {
            names.back() = rename->new_name;
          }
        }
      }
    } else if (rename->kind == sql::ObjectKind::Index) {
      note_relation({rename->relation.schema, rename->new_name});
      auto node = m_indexes.extract(rename->relation.key());
      if (!node.empty()) {
        // The constraint an index backs is renamed with it (and the other way round).
        if (auto t = m_tables.find(node.mapped().table.key());
            t != m_tables.end() && t->second.constraints.erase(rename->relation.name) > 0) {
          t->second.constraints.insert(rename->new_name);
        }
        node.key() = sql::QualifiedName{rename->relation.schema, rename->new_name}.key();
        m_indexes.insert(std::move(node));
      }
    } else if (rename->kind == sql::ObjectKind::Constraint) {
      if (auto t = m_tables.find(rename->relation.key()); t != m_tables.end()) {
        TableInfo& info = t->second;
        if (info.constraints.erase(rename->old_name) > 0) {
          info.constraints.insert(rename->new_name);
        }
        if (auto c = info.checks.extract(rename->old_name); !c.empty()) {
          c.key() = rename->new_name;
          info.checks.insert(std::move(c));
        }
      }
      auto node =
          m_indexes.extract(sql::QualifiedName{rename->relation.schema, rename->old_name}.key());
      if (!node.empty()) {
        note_relation({rename->relation.schema, rename->new_name});
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
    note_relation(index->table);
    std::string name = index->name;
    if (name.empty() && index->name_known) { // PostgreSQL's name for it (ChooseIndexName)
      name = choose_index_name(index->table, index->name_columns, "idx");
    }
    if (!name.empty()) {
      const sql::QualifiedName q{index->table.schema, name};
      note_relation(q);
      m_indexes[q.key()] = IndexInfo{index->table, index->columns, index->unique};
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
  note_relation(alter.table);
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
        add_constraint(*cmd.constraint, alter.table, table);
      }
      break;
    case sql::AlterKind::ValidateConstraint:
      if (auto c = table.checks.find(cmd.name); c != table.checks.end()) {
        c->second.validated = true;
      }
      break;
    case sql::AlterKind::DropConstraint:
      table.checks.erase(cmd.name);
      table.constraints.erase(cmd.name);
      m_indexes.erase(sql::QualifiedName{alter.table.schema, cmd.name}.key());
      break;
    default:
      break;
    }
  }
}

} // namespace miglint::lint
