#include "alembic/catalog_questions.hpp"

#include <algorithm>
#include <cctype>
#include <regex>

namespace miglint::alembic {
namespace {

using python::ValuePtr;

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

// White space collapsed to single blanks, trimmed, without a trailing semicolon.
std::string collapse(std::string_view sql) {
  std::string out;
  bool blank = false;
  for (const char c : sql) {
    if (std::isspace(static_cast<unsigned char>(c)) != 0) {
      blank = !out.empty();
      continue;
    }
    if (blank) {
      out += ' ';
      blank = false;
    }
    out += c;
  }
  while (!out.empty() && (out.back() == ';' || out.back() == ' ')) {
    out.pop_back();
  }
  return out;
}

constexpr std::string_view k_relations[] = {
    "information_schema.constraint_column_usage",
    "information_schema.key_column_usage",
    "information_schema.table_constraints",
    "information_schema.columns",
    "information_schema.tables",
    "pg_catalog.pg_indexes",
    "pg_catalog.pg_tables",
    "pg_catalog.pg_constraint",
    "pg_catalog.pg_class",
    "pg_catalog.pg_type",
    "pg_indexes",
    "pg_tables",
    "pg_constraint",
    "pg_class",
    "pg_type",
};

// A row as column name (lower case; qualified "alias.column" for joins) -> value.
using Row = std::map<std::string, ValuePtr>;

struct Condition {
  std::string qualifier; // "" or the alias written before the column
  std::string column;
  std::string value;
};

bool is_word(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_';
}

// Splits `s` at top-level commas (outside parentheses and quotes).
std::vector<std::string> split_top(const std::string& s) {
  std::vector<std::string> out;
  int depth = 0;
  bool quote = false;
  std::string cur;
  for (const char c : s) {
    if (c == '\'') {
      quote = !quote;
    } else if (!quote && c == '(') {
      ++depth;
    } else if (!quote && c == ')') {
      --depth;
    } else if (!quote && depth == 0 && c == ',') {
      out.push_back(collapse(cur));
      cur.clear();
      continue;
    }
    cur += c;
  }
  out.push_back(collapse(cur));
  return out;
}

// The position of keyword `kw` (lower case, whole word) at parenthesis depth 0, or npos.
size_t find_top(const std::string& low, std::string_view kw, size_t from = 0) {
  int depth = 0;
  bool quote = false;
  for (size_t i = from; i < low.size(); ++i) {
    const char c = low[i];
    if (c == '\'') {
      quote = !quote;
    } else if (!quote && c == '(') {
      ++depth;
    } else if (!quote && c == ')') {
      --depth;
    } else if (!quote && depth == 0 && low.compare(i, kw.size(), kw) == 0 &&
               (i == 0 || !is_word(low[i - 1])) &&
               (i + kw.size() >= low.size() || !is_word(low[i + kw.size()]))) {
      return i;
    }
  }
  return std::string::npos;
}

std::string unqualified(const std::string& relation) {
  const std::string prefix = "pg_catalog.";
  return relation.rfind(prefix, 0) == 0 ? relation.substr(prefix.size()) : relation;
}

class Answerer {
public:
  Answerer(const std::map<std::string, std::string>& params, const SchemaFacts& facts,
           python::Span at)
      : m_params(params), m_facts(facts), m_at(at) {}

  std::optional<std::vector<ValuePtr>> run(std::string sql) {
    std::string low = lower(sql);
    if (low.rfind("select ", 0) != 0) {
      return std::nullopt;
    }
    // SELECT EXISTS (SELECT ... ) [AS x]: one row, whether the inner query has any.
    static const std::regex exists(R"(^select (not )?exists ?\((.*)\)( as \w+)?$)",
                                   std::regex::icase);
    std::smatch m;
    if (std::regex_match(sql, m, exists)) {
      auto inner = run(m[2].str());
      if (!inner) {
        return std::nullopt;
      }
      const bool any = !inner->empty();
      return std::vector<ValuePtr>{python::make_list(
          python::ValueKind::Tuple, {python::make_bool(m[1].matched ? !any : any, m_at)}, m_at)};
    }
    const size_t from = find_top(low, "from");
    if (from == std::string::npos) {
      return std::nullopt;
    }
    const size_t where = find_top(low, "where", from);
    size_t end = low.size();
    for (std::string_view kw : {"order", "limit", "group"}) {
      end = std::min(end, find_top(low, kw, from));
    }
    const std::string select = collapse(sql.substr(7, from - 7));
    const std::string from_part =
        lower(collapse(sql.substr(from + 5, std::min(where, end) - from - 5)));
    const std::string where_part =
        where == std::string::npos ? std::string() : sql.substr(where + 6, end - where - 6);
    // Relations and their aliases.
    std::map<std::string, std::string> alias; // alias -> relation (and relation -> itself)
    std::vector<std::string> relations;
    for (size_t i = 0; i < from_part.size();) {
      if (i > 0 && (is_word(from_part[i - 1]) || from_part[i - 1] == '.')) {
        ++i;
        continue;
      }
      std::string_view found;
      for (const std::string_view r : k_relations) {
        if (from_part.compare(i, r.size(), r) == 0 &&
            (i + r.size() >= from_part.size() || !is_word(from_part[i + r.size()]))) {
          found = r;
          break;
        }
      }
      if (found.empty()) {
        ++i;
        continue;
      }
      const std::string r = unqualified(std::string(found));
      relations.push_back(r);
      alias[r] = r;
      i += found.size();
      static const std::regex as(R"(^ (?:as )?(\w+))");
      std::smatch am;
      const std::string tail = from_part.substr(i);
      if (std::regex_search(tail, am, as)) {
        const std::string a = am[1].str();
        if (a != "join" && a != "on" && a != "inner" && a != "left" && a != "cross" &&
            a != "where") {
          alias[a] = r;
        }
      }
    }
    if (relations.empty()) {
      return std::nullopt;
    }
    std::vector<Condition> conditions;
    if (!where_part.empty() && !parse_where(where_part, conditions)) {
      return std::nullopt;
    }
    std::vector<Row> rows;
    if (relations.size() == 1) {
      if (!rows_of(relations[0], rows)) {
        return std::nullopt;
      }
      for (auto& c : conditions) {
        c.qualifier.clear();
      }
    } else if (!incoming_foreign_keys(alias, conditions, rows)) {
      return std::nullopt;
    }
    std::vector<Row> kept;
    for (const auto& row : rows) {
      bool ok = true;
      for (const auto& c : conditions) {
        const std::string key = c.qualifier.empty() ? c.column : c.qualifier + "." + c.column;
        const auto v = row.find(key);
        if (v == row.end()) {
          return std::nullopt; // a condition on a column miglint does not model
        }
        ok = ok && v->second->kind == python::ValueKind::Str && v->second->s == c.value;
      }
      if (ok) {
        kept.push_back(row);
      }
    }
    return project(select, kept);
  }

private:
  bool parse_where(const std::string& where, std::vector<Condition>& out) const {
    // Conjunctions of `[q.]column = 'literal' | :param | 'name'::regclass`, and join
    // conditions between two columns (kept by the shapes that join).
    static const std::regex cond(
        R"(^\(?(?:(\w+)\.)?(\w+) ?= ?(?:'([^']*)'(?:::regclass)?|:(\w+)|(?:(\w+)\.)?(\w+))\)?$)",
        std::regex::icase);
    std::string rest = collapse(where);
    std::string low = lower(rest);
    std::vector<std::string> parts;
    size_t pos = 0;
    while (true) {
      const size_t and_at = find_top(low, "and", pos);
      parts.push_back(collapse(
          rest.substr(pos, and_at == std::string::npos ? std::string::npos : and_at - pos)));
      if (and_at == std::string::npos) {
        break;
      }
      pos = and_at + 3;
    }
    for (const auto& p : parts) {
      std::smatch m;
      if (!std::regex_match(p, m, cond)) {
        return false;
      }
      Condition c{lower(m[1].str()), lower(m[2].str()), {}};
      if (m[3].matched) {
        c.value = m[3].str();
      } else if (m[4].matched) {
        const auto v = m_params.find(m[4].str());
        if (v == m_params.end()) {
          return false;
        }
        c.value = v->second;
      } else {
        if (lower(m[6].str()) == "current_schema" || lower(m[6].str()) == "current_schema()") {
          c.value = "public";
        } else {
          continue; // a join condition: the join shape relates the rows itself
        }
      }
      out.push_back(c);
    }
    return true;
  }

  ValuePtr str(const std::string& s) const { return python::make_str(s, m_at); }

  bool rows_of(const std::string& relation, std::vector<Row>& rows) const {
    for (const auto& entry : m_facts.tables) {
      const auto& t = entry.second; // a name lambdas can capture (clang 14: not a binding)
      if (relation == "pg_tables" || relation == "information_schema.tables" ||
          relation == "pg_class") {
        rows.push_back({{"tablename", str(t.name)},
                        {"table_name", str(t.name)},
                        {"relname", str(t.name)},
                        {"schemaname", str(t.schema)},
                        {"table_schema", str(t.schema)},
                        {"table_type", str("BASE TABLE")},
                        {"relkind", str("r")}});
        if (relation == "pg_class") {
          for (const auto& ix : t.indexes) {
            rows.push_back({{"relname", str(ix.name)}, {"relkind", str("i")}});
          }
        }
      } else if (relation == "pg_indexes") {
        auto add = [&](const std::string& name) {
          rows.push_back({{"indexname", str(name)},
                          {"tablename", str(t.name)},
                          {"schemaname", str(t.schema)}});
        };
        for (const auto& c : t.constraints) { // constraints backed by an index
          if (c.kind == "primary_key" || c.kind == "unique") {
            add(c.name);
          }
        }
        for (const auto& ix : t.indexes) {
          if (std::none_of(t.constraints.begin(), t.constraints.end(),
                           [&](const ConstraintFacts& c) { return c.name == ix.name; })) {
            add(ix.name);
          }
        }
      } else if (relation == "information_schema.columns") {
        for (const auto& c : t.columns) {
          rows.push_back(
              {{"table_name", str(t.name)},
               {"table_schema", str(t.schema)},
               {"column_name", str(c.name)},
               {"is_nullable", str(c.nullable ? "YES" : "NO")},
               {"column_default", c.default_sql ? str(*c.default_sql) : python::make_none(m_at)}});
        }
      } else if (relation == "information_schema.table_constraints" ||
                 relation == "pg_constraint") {
        for (const auto& c : t.constraints) {
          const std::string type = c.kind == "primary_key"   ? "PRIMARY KEY"
                                   : c.kind == "unique"      ? "UNIQUE"
                                   : c.kind == "foreign_key" ? "FOREIGN KEY"
                                                             : "CHECK";
          const std::string contype = c.kind == "primary_key"   ? "p"
                                      : c.kind == "unique"      ? "u"
                                      : c.kind == "foreign_key" ? "f"
                                                                : "c";
          rows.push_back({{"constraint_name", str(c.name)},
                          {"conname", str(c.name)},
                          {"constraint_type", str(type)},
                          {"contype", str(contype)},
                          {"table_name", str(t.name)},
                          {"table_schema", str(t.schema)},
                          {"conrelid", str(t.name)}});
        }
      } else {
        break;
      }
    }
    if (relation == "pg_type") {
      for (const auto& [key, en] : m_facts.enums) {
        rows.push_back({{"typname", str(en.name)}, {"typtype", str("e")}});
      }
      return true;
    }
    return relation == "pg_tables" || relation == "information_schema.tables" ||
           relation == "pg_class" || relation == "pg_indexes" ||
           relation == "information_schema.columns" ||
           relation == "information_schema.table_constraints" || relation == "pg_constraint";
  }

  // table_constraints tc JOIN key_column_usage kcu JOIN constraint_column_usage ccu: one row
  // per column of each foreign key, keyed "tc.table_name", "kcu.column_name", "ccu.table_name",
  // "ccu.column_name", ...
  bool incoming_foreign_keys(const std::map<std::string, std::string>& alias,
                             const std::vector<Condition>& conditions,
                             std::vector<Row>& rows) const {
    std::string tc, kcu, ccu;
    for (const auto& [a, r] : alias) {
      if (a == r) {
        continue;
      }
      (r == "information_schema.table_constraints"         ? tc
       : r == "information_schema.key_column_usage"        ? kcu
       : r == "information_schema.constraint_column_usage" ? ccu
                                                           : tc) = a;
    }
    if (tc.empty() || kcu.empty() || ccu.empty() || alias.size() != 6) {
      return false;
    }
    bool fk_only = false;
    for (const auto& c : conditions) {
      fk_only = fk_only ||
                (c.qualifier == tc && c.column == "constraint_type" && c.value == "FOREIGN KEY");
    }
    if (!fk_only) {
      return false;
    }
    for (const auto& [key, t] : m_facts.tables) {
      for (const auto& c : t.constraints) {
        if (c.kind != "foreign_key") {
          continue;
        }
        for (size_t i = 0; i < c.columns.size() && i < c.ref_columns.size(); ++i) {
          rows.push_back(
              {{tc + ".table_name", str(t.name)},
               {tc + ".table_schema", str(t.schema)},
               {tc + ".constraint_name", str(c.name)},
               {tc + ".constraint_type", str("FOREIGN KEY")},
               {kcu + ".column_name", str(c.columns[i])},
               {kcu + ".table_name", str(t.name)},
               {kcu + ".constraint_name", str(c.name)},
               {ccu + ".table_name", str(c.ref_table)},
               {ccu + ".table_schema", str(c.ref_schema.empty() ? "public" : c.ref_schema)},
               {ccu + ".column_name", str(c.ref_columns[i])}});
        }
      }
    }
    return true;
  }

  std::optional<std::vector<ValuePtr>> project(const std::string& select,
                                               const std::vector<Row>& rows) const {
    static const std::regex number(R"(^-?\d+$)");
    static const std::regex count(R"(^count ?\( ?(\*|1) ?\)( as \w+)?$)", std::regex::icase);
    static const std::regex column(R"(^(?:(\w+)\.)?(\w+)(?: (?:as )?\w+)?$)", std::regex::icase);
    const auto items = split_top(select);
    if (items.size() == 1 && std::regex_match(items[0], count)) {
      return std::vector<ValuePtr>{
          python::make_list(python::ValueKind::Tuple,
                            {python::make_int(static_cast<int64_t>(rows.size()), m_at)}, m_at)};
    }
    std::vector<ValuePtr> out;
    for (const auto& row : rows) {
      std::vector<ValuePtr> values;
      for (const auto& item : items) {
        std::smatch m;
        if (std::regex_match(item, number)) {
          values.push_back(python::make_int(std::stoll(item), m_at));
        } else if (std::regex_match(item, m, column)) {
          const std::string q = lower(m[1].str());
          const std::string c = lower(m[2].str());
          auto v = row.find(q.empty() ? c : q + "." + c);
          if (v == row.end() && !q.empty()) {
            v = row.find(c);
          }
          if (v == row.end()) {
            return std::nullopt;
          }
          values.push_back(v->second);
        } else {
          return std::nullopt;
        }
      }
      out.push_back(python::make_list(python::ValueKind::Tuple, std::move(values), m_at));
    }
    return out;
  }

  const std::map<std::string, std::string>& m_params;
  const SchemaFacts& m_facts;
  python::Span m_at;
};

} // namespace

std::string catalog_relation(std::string_view sql) {
  const std::string low = lower(collapse(sql));
  if (low.rfind("select ", 0) != 0) {
    return {};
  }
  for (const std::string_view r : k_relations) {
    size_t at = low.find(r);
    while (at != std::string::npos) {
      const size_t end = at + r.size();
      if ((at == 0 || (!is_word(low[at - 1]) && low[at - 1] != '.')) &&
          (end >= low.size() || !is_word(low[end]))) {
        return unqualified(std::string(r));
      }
      at = low.find(r, at + 1);
    }
  }
  return {};
}

std::optional<std::vector<python::ValuePtr>>
answer_catalog_query(std::string_view sql, const std::map<std::string, std::string>& params,
                     const SchemaFacts& facts, python::Span at) {
  return Answerer(params, facts, at).run(collapse(sql));
}

} // namespace miglint::alembic
