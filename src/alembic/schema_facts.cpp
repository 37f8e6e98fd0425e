#include "alembic/schema_facts.hpp"

#include "sql/parser.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

namespace miglint::alembic {
namespace {

std::string key_of(const sql::QualifiedName& n) {
  return n.key();
}

std::string schema_of(const sql::QualifiedName& n) {
  return n.schema.empty() ? "public" : n.schema;
}

// PostgreSQL's name for an unnamed constraint (ChooseConstraintName: table_columns_suffix).
std::string default_name(const std::string& table, const std::vector<std::string>& columns,
                         const std::string& suffix) {
  std::string out = table;
  if (suffix != "pkey") {
    for (const auto& c : columns) {
      out += "_" + c;
    }
    if (columns.empty()) {
      out += "_" + table;
    }
  }
  return out.substr(0, 63 - suffix.size() - 1) + "_" + suffix;
}

// The expression of the CHECK constraint written at `location` of `text`, as written (the text
// between the parentheses after CHECK); "" when the text is not at hand.
std::string check_text(std::string_view text, uint32_t location) {
  if (location >= text.size()) {
    return {};
  }
  size_t at = location;
  for (; at + 5 <= text.size(); ++at) {
    const std::string_view word = text.substr(at, 5);
    if ((word[0] == 'C' || word[0] == 'c') && (word[1] == 'H' || word[1] == 'h') &&
        (word[2] == 'E' || word[2] == 'e') && (word[3] == 'C' || word[3] == 'c') &&
        (word[4] == 'K' || word[4] == 'k')) {
      break;
    }
  }
  const size_t open = text.find('(', at);
  if (open == std::string_view::npos) {
    return {};
  }
  int depth = 0;
  bool quoted = false;
  for (size_t i = open; i < text.size(); ++i) {
    const char ch = text[i];
    if (ch == '\'') {
      quoted = !quoted;
    } else if (!quoted && ch == '(') {
      ++depth;
    } else if (!quoted && ch == ')' && --depth == 0) {
      std::string out(text.substr(open + 1, i - open - 1));
      while (!out.empty() && std::isspace(static_cast<unsigned char>(out.front())) != 0) {
        out.erase(out.begin());
      }
      while (!out.empty() && std::isspace(static_cast<unsigned char>(out.back())) != 0) {
        out.pop_back();
      }
      return out;
    }
  }
  return {};
}

bool is_word_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '$';
}

std::string lower(std::string s) {
  for (auto& c : s) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return s;
}

std::string trimmed(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())) != 0) {
    s.remove_prefix(1);
  }
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())) != 0) {
    s.remove_suffix(1);
  }
  return std::string(s);
}

// The DEFAULT expression of the column definition (or ALTER COLUMN ... SET DEFAULT) written at
// `location` of `text`, as written: from after the word DEFAULT to the end of the definition
// (a comma or closing parenthesis outside parentheses) or the next column constraint. nullopt
// when the text is not at hand or has no DEFAULT.
std::optional<std::string> default_text(std::string_view text, uint32_t location) {
  static const std::set<std::string, std::less<>> constraint_words = {
      "not",   "null",       "constraint", "primary", "unique",
      "check", "references", "generated",  "collate", "deferrable"};
  if (location >= text.size()) {
    return std::nullopt;
  }
  int depth = 0;
  size_t expr_begin = std::string_view::npos;
  size_t i = location;
  while (i < text.size()) {
    const char c = text[i];
    if (c == '\'') { // a string literal, its quotes doubled inside
      for (++i; i < text.size(); ++i) {
        if (text[i] == '\'' && (i + 1 >= text.size() || text[i + 1] != '\'')) {
          break;
        }
        if (text[i] == '\'') {
          ++i;
        }
      }
      ++i;
      continue;
    }
    if (c == '"') {
      i = text.find('"', i + 1);
      i = i == std::string_view::npos ? text.size() : i + 1;
      continue;
    }
    if (c == '(') {
      ++depth;
    } else if (c == ')' && --depth < 0) {
      break;
    } else if ((c == ',' && depth == 0) || c == ';') {
      break;
    }
    if (depth == 0 && is_word_char(c) && (i == 0 || !is_word_char(text[i - 1]))) {
      size_t end = i;
      while (end < text.size() && is_word_char(text[end])) {
        ++end;
      }
      const std::string word = lower(std::string(text.substr(i, end - i)));
      if (expr_begin == std::string_view::npos) {
        if (word == "default") {
          expr_begin = end;
        }
      } else if (constraint_words.contains(word) &&
                 trimmed(text.substr(expr_begin, i - expr_begin)) != "") {
        return trimmed(text.substr(expr_begin, i - expr_begin));
      }
      i = end;
      continue;
    }
    ++i;
  }
  if (expr_begin == std::string_view::npos) {
    return std::nullopt;
  }
  return trimmed(text.substr(expr_begin, std::min(i, text.size()) - expr_begin));
}

// `type` (a ColumnFacts::type, "varchar(255)") as PostgreSQL's format_type() names it in a
// cast, without modifiers; "" for types not named here.
std::string cast_type_name(const std::string& type, const SchemaFacts& facts) {
  const std::string base = type.substr(0, type.find('('));
  static const std::map<std::string, std::string, std::less<>> names = {
      {"varchar", "character varying"},
      {"character varying", "character varying"},
      {"char", "bpchar"},
      {"text", "text"},
      {"jsonb", "jsonb"},
      {"json", "json"},
      {"uuid", "uuid"},
      {"citext", "citext"},
      {"integer", "integer"},
      {"bigint", "bigint"},
      {"smallint", "smallint"},
      {"numeric", "numeric"}};
  if (const auto it = names.find(base); it != names.end()) {
    return it->second;
  }
  for (const auto& [key, en] : facts.enums) {
    if (en.name == base) {
      return base;
    }
  }
  return {};
}

bool is_integer_text(std::string_view s) {
  if (!s.empty() && s.front() == '-') {
    s.remove_prefix(1);
  }
  return !s.empty() && s.size() < 10 && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isdigit(static_cast<unsigned char>(c)) != 0;
  });
}

bool is_decimal_text(std::string_view s) {
  if (!s.empty() && s.front() == '-') {
    s.remove_prefix(1);
  }
  const auto dot = s.find('.');
  return dot != std::string_view::npos && dot > 0 && dot + 1 < s.size() &&
         is_integer_text(s.substr(0, dot)) && is_integer_text(s.substr(dot + 1));
}

} // namespace

std::optional<std::string> stored_default(const std::string& written, const std::string& type,
                                          const SchemaFacts& facts) {
  const std::string expr = trimmed(written);
  const std::string low = lower(expr);
  const std::string base = type.substr(0, type.find('('));
  if (expr.empty()) {
    return std::nullopt;
  }
  // A string literal, perhaps cast: a constant of the column's type (or of the cast's).
  if (expr.front() == '\'') {
    std::string value;
    size_t i = 1;
    for (; i < expr.size(); ++i) {
      if (expr[i] == '\'') {
        if (i + 1 < expr.size() && expr[i + 1] == '\'') {
          value += '\'';
          ++i;
          continue;
        }
        break;
      }
      value += expr[i];
    }
    if (i >= expr.size()) {
      return std::nullopt;
    }
    const std::string rest = trimmed(std::string_view(expr).substr(i + 1));
    std::string target = base;
    if (!rest.empty()) {
      if (rest.rfind("::", 0) != 0) {
        return std::nullopt;
      }
      target = lower(trimmed(std::string_view(rest).substr(2)));
      if (target == "character varying") {
        target = "varchar";
      }
    }
    std::string quoted = "'";
    for (const char c : value) {
      quoted += c;
      if (c == '\'') {
        quoted += c;
      }
    }
    quoted += "'";
    if (target == "boolean" || target == "bool") {
      const std::string v = lower(trimmed(value));
      if (v == "true" || v == "t" || v == "yes" || v == "y" || v == "on" || v == "1") {
        return std::string("true");
      }
      if (v == "false" || v == "f" || v == "no" || v == "n" || v == "off" || v == "0") {
        return std::string("false");
      }
      return std::nullopt;
    }
    if (target == "integer" || target == "bigint" || target == "smallint" || target == "int" ||
        target == "int4" || target == "int8" || target == "int2") {
      if (!is_integer_text(value)) {
        return std::nullopt;
      }
      const std::string shown = target == "bigint" || target == "int8"     ? "bigint"
                                : target == "smallint" || target == "int2" ? "smallint"
                                                                           : "integer";
      return value.front() == '-' ? quoted + "::" + shown : value;
    }
    if (target == "numeric") {
      if (!is_integer_text(value) && !is_decimal_text(value)) {
        return std::nullopt;
      }
      return value.front() == '-' ? quoted + "::numeric" : value;
    }
    const std::string cast = cast_type_name(target, facts);
    if (cast.empty()) {
      return std::nullopt; // dates and times are stored normalised; other types not named here
    }
    return quoted + "::" + cast;
  }
  if (low == "true" || low == "false") {
    return low;
  }
  if (low == "null") {
    return std::nullopt; // PostgreSQL stores no default for a NULL constant
  }
  if (is_integer_text(expr)) {
    return expr.front() == '-' ? "'" + expr + "'::integer" : expr;
  }
  if (is_decimal_text(expr)) {
    return expr.front() == '-' ? "'" + expr + "'::numeric" : expr;
  }
  static const std::set<std::string, std::less<>> keywords = {
      "current_timestamp", "current_date", "current_time", "localtimestamp",
      "localtime",         "current_user", "session_user", "current_role"};
  if (keywords.contains(low)) {
    std::string up = expr;
    for (auto& c : up) {
      c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    return up;
  }
  // A function called without arguments: now(), gen_random_uuid(), ...
  if (low.size() > 2 && low.compare(low.size() - 2, 2, "()") == 0 &&
      std::all_of(low.begin(), low.end() - 2, [](char c) { return is_word_char(c); })) {
    return low;
  }
  if (low.rfind("nextval('", 0) == 0) {
    const auto close = low.find('\'', 9);
    if (close != std::string::npos &&
        (low.substr(close) == "')" || low.substr(close) == "'::regclass)")) {
      return "nextval(" + expr.substr(8, close - 8 + 1) + "::regclass)";
    }
  }
  return std::nullopt;
}

namespace {

ConstraintFacts constraint_facts(const sql::Constraint& c, const std::string& table,
                                 const std::vector<std::string>& columns,
                                 std::string_view text = {}) {
  ConstraintFacts out;
  out.columns = c.columns.empty() ? columns : c.columns;
  std::string suffix;
  switch (c.kind) {
  case sql::ConstraintKind::PrimaryKey:
    out.kind = "primary_key";
    suffix = "pkey";
    break;
  case sql::ConstraintKind::Unique:
    out.kind = "unique";
    suffix = "key";
    break;
  case sql::ConstraintKind::ForeignKey:
    out.kind = "foreign_key";
    suffix = "fkey";
    out.ref_schema = c.references.schema;
    out.ref_table = c.references.name;
    out.ref_columns = c.ref_columns;
    out.ondelete = c.on_delete;
    out.onupdate = c.on_update;
    break;
  case sql::ConstraintKind::Check:
    out.kind = "check";
    suffix = "check";
    out.sqltext = check_text(text, c.location);
    break;
  case sql::ConstraintKind::Exclusion:
    out.kind = "exclude";
    suffix = "excl";
    break;
  default:
    out.kind = "other";
    suffix = "con";
    break;
  }
  out.name = c.name.empty() ? default_name(table, out.columns, suffix) : c.name;
  return out;
}

void replace_column(std::vector<std::string>& columns, const std::string& from,
                    const std::string& to) {
  std::replace(columns.begin(), columns.end(), from, to);
}

class Learner {
public:
  Learner(SchemaFacts& facts, std::string_view text) : m_facts(facts), m_text(text) {}

  void statement(const sql::Statement& s) {
    if (const auto* t = s.as<sql::CreateTable>()) {
      create_table(*t);
    } else if (const auto* as = s.as<sql::CreateTableAs>()) {
      if (!m_facts.tables.contains(key_of(as->table))) {
        m_facts.tables[key_of(as->table)] =
            TableFacts{schema_of(as->table), as->table.name, {}, {}, {}, ++m_facts.tables_created};
      }
    } else if (const auto* i = s.as<sql::CreateIndex>()) {
      if (auto* table = find(i->table)) {
        if (std::none_of(table->indexes.begin(), table->indexes.end(),
                         [&](const IndexFacts& x) { return x.name == i->name; })) {
          std::string name = i->name;
          if (name.empty()) {
            std::vector<std::string> cols;
            for (const auto& c : i->columns) {
              cols.push_back(c.empty() ? "expr" : c);
            }
            name = default_name(i->table.name, cols, "idx");
          }
          table->indexes.push_back({name, i->columns, i->unique});
        }
      }
    } else if (const auto* a = s.as<sql::AlterTable>()) {
      if (a->relation_kind == sql::RelationKind::Table) {
        alter(*a);
      }
    } else if (const auto* d = s.as<sql::Drop>()) {
      drop(*d);
    } else if (const auto* r = s.as<sql::Rename>()) {
      rename(*r);
    } else if (const auto* e = s.as<sql::CreateEnum>()) {
      m_facts.enums[key_of(e->name)] = EnumFacts{schema_of(e->name), e->name.name, e->labels};
    }
  }

private:
  TableFacts* find(const sql::QualifiedName& n) {
    auto it = m_facts.tables.find(key_of(n));
    return it == m_facts.tables.end() ? nullptr : &it->second;
  }

  // A column as PostgreSQL's catalog (and so SQLAlchemy's reflection) shows it: a serial is an
  // integer whose default takes the next value of `<table>_<column>_seq`.
  ColumnFacts column(const sql::ColumnDef& c, const std::string& table) const {
    ColumnFacts out;
    out.name = c.name;
    out.type = c.type.display();
    out.nullable = !c.not_null && !c.primary_key && !c.identity;
    if (c.type.is_serial()) {
      const std::string base = c.type.base();
      out.type = base == "bigserial" || base == "serial8"     ? "bigint"
                 : base == "smallserial" || base == "serial2" ? "smallint"
                                                              : "integer";
      out.default_sql = "nextval('" + table + "_" + c.name + "_seq'::regclass)";
      out.nullable = false;
    } else if (c.default_value && !c.default_value->is_null) {
      const auto written = default_text(m_text, c.location);
      const auto stored = written ? stored_default(*written, out.type, m_facts) : std::nullopt;
      out.default_sql = stored.value_or("DEFAULT"); // "DEFAULT": present, its text not known
    }
    return out;
  }

  void add_column_constraints(TableFacts& t, const sql::ColumnDef& c) {
    for (const auto& k : c.constraints) {
      t.constraints.push_back(constraint_facts(k, t.name, {c.name}, m_text));
    }
    if (c.primary_key &&
        std::none_of(c.constraints.begin(), c.constraints.end(), [](const sql::Constraint& k) {
          return k.kind == sql::ConstraintKind::PrimaryKey;
        })) {
      sql::Constraint pk;
      pk.kind = sql::ConstraintKind::PrimaryKey;
      t.constraints.push_back(constraint_facts(pk, t.name, {c.name}, m_text));
    }
  }

  void create_table(const sql::CreateTable& ct) {
    if (ct.temporary || (ct.if_not_exists && find(ct.table) != nullptr)) {
      return;
    }
    TableFacts t{schema_of(ct.table), ct.table.name, {}, {}, {}, ++m_facts.tables_created};
    for (const auto& c : ct.columns) {
      t.columns.push_back(column(c, t.name));
      add_column_constraints(t, c);
    }
    for (const auto& k : ct.constraints) {
      t.constraints.push_back(constraint_facts(k, t.name, {}, m_text));
      if (k.kind == sql::ConstraintKind::PrimaryKey) {
        for (auto& col : t.columns) {
          if (std::find(k.columns.begin(), k.columns.end(), col.name) != k.columns.end()) {
            col.nullable = false;
          }
        }
      }
    }
    m_facts.tables[key_of(ct.table)] = std::move(t);
  }

  void alter(const sql::AlterTable& a) {
    TableFacts* t = find(a.table);
    if (t == nullptr) {
      return;
    }
    for (const auto& cmd : a.cmds) {
      auto col = std::find_if(t->columns.begin(), t->columns.end(),
                              [&](const ColumnFacts& c) { return c.name == cmd.column; });
      switch (cmd.kind) {
      case sql::AlterKind::AddColumn:
        if (cmd.column_def &&
            std::none_of(t->columns.begin(), t->columns.end(),
                         [&](const ColumnFacts& c) { return c.name == cmd.column_def->name; })) {
          t->columns.push_back(column(*cmd.column_def, t->name));
          add_column_constraints(*t, *cmd.column_def);
        }
        break;
      case sql::AlterKind::DropColumn:
        if (col != t->columns.end()) {
          t->columns.erase(col);
        }
        // PostgreSQL drops the indexes and constraints that use the column.
        std::erase_if(t->indexes, [&](const IndexFacts& i) {
          return std::find(i.columns.begin(), i.columns.end(), cmd.column) != i.columns.end();
        });
        std::erase_if(t->constraints, [&](const ConstraintFacts& c) {
          return std::find(c.columns.begin(), c.columns.end(), cmd.column) != c.columns.end();
        });
        break;
      case sql::AlterKind::AlterColumnType:
        if (col != t->columns.end() && cmd.type) {
          col->type = cmd.type->display();
        }
        break;
      case sql::AlterKind::SetNotNull:
      case sql::AlterKind::DropNotNull:
        if (col != t->columns.end()) {
          col->nullable = cmd.kind == sql::AlterKind::DropNotNull;
        }
        break;
      case sql::AlterKind::SetDefault:
      case sql::AlterKind::DropDefault:
        if (col != t->columns.end()) {
          col->default_sql = std::nullopt;
          if (cmd.kind == sql::AlterKind::SetDefault &&
              !(cmd.default_value && cmd.default_value->is_null)) {
            const auto written = cmd.span.end > cmd.span.begin && cmd.span.end <= m_text.size()
                                     ? default_text(m_text.substr(0, cmd.span.end), cmd.span.begin)
                                     : std::nullopt;
            col->default_sql =
                (written ? stored_default(*written, col->type, m_facts) : std::nullopt)
                    .value_or("DEFAULT");
          }
        }
        break;
      case sql::AlterKind::AddConstraint:
        if (cmd.constraint) {
          t->constraints.push_back(constraint_facts(*cmd.constraint, t->name, {}, m_text));
        }
        break;
      case sql::AlterKind::DropConstraint:
        std::erase_if(t->constraints, [&](const ConstraintFacts& c) { return c.name == cmd.name; });
        break;
      default:
        break;
      }
    }
  }

  void drop(const sql::Drop& d) {
    for (const auto& o : d.objects) {
      if (d.kind == sql::ObjectKind::Table) {
        m_facts.tables.erase(key_of(o));
      } else if (d.kind == sql::ObjectKind::Index) {
        for (auto& [k, t] : m_facts.tables) {
          if (t.schema == schema_of(o)) {
            std::erase_if(t.indexes, [&](const IndexFacts& i) { return i.name == o.name; });
          }
        }
      } else if (d.kind == sql::ObjectKind::Type) {
        m_facts.enums.erase(key_of(o));
      }
    }
  }

  void rename(const sql::Rename& r) {
    if (r.kind == sql::ObjectKind::Table) {
      auto it = m_facts.tables.find(key_of(r.relation));
      if (it == m_facts.tables.end()) {
        return;
      }
      TableFacts t = std::move(it->second);
      m_facts.tables.erase(it);
      // Foreign keys point at the table itself (its oid), not its name: those of other tables
      // (and its own) now name the new one, as pg_constraint and so the inspector say.
      const std::string schema = schema_of(r.relation);
      auto follow = [&](TableFacts& other) {
        for (auto& c : other.constraints) {
          if (c.kind == "foreign_key" && c.ref_table == r.relation.name &&
              (c.ref_schema.empty() ? other.schema : c.ref_schema) == schema) {
            c.ref_table = r.new_name;
          }
        }
      };
      for (auto& [k, other] : m_facts.tables) {
        follow(other);
      }
      follow(t);
      t.name = r.new_name;
      sql::QualifiedName to{r.relation.schema, r.new_name};
      m_facts.tables[key_of(to)] = std::move(t);
      return;
    }
    if (r.kind == sql::ObjectKind::Index) {
      for (auto& [k, t] : m_facts.tables) {
        for (auto& i : t.indexes) {
          if (i.name == r.relation.name && t.schema == schema_of(r.relation)) {
            i.name = r.new_name;
          }
        }
        for (auto& c : t.constraints) { // ALTER INDEX ... RENAME renames a constraint's index too
          if (c.name == r.relation.name && t.schema == schema_of(r.relation)) {
            c.name = r.new_name;
          }
        }
      }
      return;
    }
    TableFacts* t = find(r.relation);
    if (t == nullptr) {
      return;
    }
    if (r.kind == sql::ObjectKind::Column) {
      for (auto& c : t->columns) {
        if (c.name == r.old_name) {
          c.name = r.new_name;
        }
      }
      for (auto& i : t->indexes) {
        replace_column(i.columns, r.old_name, r.new_name);
      }
      for (auto& c : t->constraints) {
        replace_column(c.columns, r.old_name, r.new_name);
      }
    } else if (r.kind == sql::ObjectKind::Constraint) {
      for (auto& c : t->constraints) {
        if (c.name == r.old_name) {
          c.name = r.new_name;
        }
      }
    }
  }

  SchemaFacts& m_facts;
  std::string_view m_text; // the script's text, for the expressions of CHECK constraints
};

} // namespace

void answer_schema_questions(const std::vector<const Revision*>& order,
                             const std::vector<char>& asked,
                             std::vector<source::Migration>& migrations,
                             const NamingConvention* naming) {
  size_t last = order.size();
  for (size_t i = order.size(); i-- > 0;) {
    if (asked[i]) {
      last = i;
      break;
    }
  }
  if (last == order.size()) {
    return;
  }
  SchemaFacts facts;
  for (size_t i = 0; i <= last; ++i) {
    source::Migration& m = migrations[i];
    if (asked[i]) {
      // Findings of the translation are replaced; the others (metadata, syntax) are kept.
      std::erase_if(m.findings, [](const core::Finding& f) {
        return f.rule == "unanalyzable-code" || f.rule == "drop-constraint-without-name";
      });
      Translation up = translate(*order[i], core::Phase::Upgrade, &facts, naming);
      m.upgrade = std::move(up.script);
      m.findings.insert(m.findings.end(), up.findings.begin(), up.findings.end());
    }
    if (m.upgrade) {
      learn(facts, sql::parse(m.upgrade->sql), m.upgrade->sql);
    }
    if (asked[i]) {
      Translation down = translate(*order[i], core::Phase::Downgrade, &facts, naming);
      m.downgrade = std::move(down.script);
      m.findings.insert(m.findings.end(), down.findings.begin(), down.findings.end());
      for (auto& f : m.findings) {
        f.migration = order[i]->id;
      }
    }
  }
}

std::vector<const TableFacts*> SchemaFacts::table_order(const std::string& schema) const {
  std::vector<const TableFacts*> out;
  for (const auto& [key, table] : tables) {
    if (table.schema == schema) {
      out.push_back(&table);
    }
  }
  std::stable_sort(out.begin(), out.end(), [](const TableFacts* a, const TableFacts* b) {
    return a->heap_order < b->heap_order;
  });
  return out;
}

void learn(SchemaFacts& facts, const sql::ParsedScript& script, std::string_view text) {
  Learner learner(facts, text);
  for (const auto& s : script.statements) {
    learner.statement(s);
  }
}

} // namespace miglint::alembic
