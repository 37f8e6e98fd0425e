#include "roundtrip/values.hpp"

#include "roundtrip/sql_text.hpp"

#include <pqxx/pqxx>

#include <algorithm>

namespace miglint::roundtrip {
namespace {

// Tables and partitioned tables of the user schemas (not partitions, not alembic_version, not
// an extension's): OID, quoted name for SQL, schema.name, relation name, kind.
constexpr const char* k_tables = R"sql(
SELECT c.oid::text, CASE WHEN c.relkind = 'r' THEN 'ONLY ' ELSE '' END
         || quote_ident(n.nspname) || '.' || quote_ident(c.relname),
       n.nspname || '.' || c.relname, lower(c.relname)
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.oid >= 16384 AND c.relkind IN ('r', 'p') AND NOT c.relispartition
  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname NOT LIKE 'pg_toast%' AND n.nspname NOT LIKE 'pg_temp%'
  AND c.relname <> 'alembic_version'
  AND (c.relkind = 'p' OR pg_relation_size(c.oid) > 0)
  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
                  AND d.objid = c.oid AND d.refclassid = 'pg_extension'::regclass
                  AND d.deptype = 'e')
)sql";

bool ident_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '$';
}

// Whether `word` occurs in `text` as a whole identifier.
bool names(const std::string& text, const std::string& word) {
  for (size_t at = text.find(word); at != std::string::npos; at = text.find(word, at + 1)) {
    const bool before = at == 0 || !ident_char(text[at - 1]);
    const bool after = at + word.size() == text.size() || !ident_char(text[at + word.size()]);
    if (before && after) {
      return true;
    }
  }
  return false;
}

std::string oid_array(const std::vector<std::string>& oids) {
  std::string a = "{";
  for (const auto& o : oids) {
    a += (a.size() > 1 ? "," : "") + o;
  }
  return a + "}";
}

// Tables by OID: (quoted SQL name, schema.name), as k_tables reads them.
struct Named {
  std::string sql;
  std::string name;
};

std::map<std::string, Named> select_tables(pqxx::connection& connection, const std::string& text,
                                           bool all) {
  std::map<std::string, Named> out;
  pqxx::nontransaction n(connection);
  for (const auto& row : n.exec(k_tables)) {
    if (all || names(text, row[3].c_str())) {
      out[row[0].c_str()] = {row[1].c_str(), row[2].c_str()};
    }
  }
  return out;
}

std::vector<TableValues> read(pqxx::connection& connection,
                              const std::map<std::string, Named>& tables) {
  std::vector<TableValues> out;
  if (tables.empty()) {
    return out;
  }
  pqxx::nontransaction n(connection);
  std::vector<std::string> oids;
  for (const auto& [oid, t] : tables) {
    oids.push_back(oid);
  }
  std::map<std::string, TableValues> by_oid;
  for (const auto& row :
       n.exec_params("SELECT attrelid::text, attnum, attname FROM pg_attribute WHERE attrelid = "
                     "ANY($1::oid[]) AND attnum > 0 AND NOT attisdropped ORDER BY attrelid, attnum",
                     oid_array(oids))) {
    TableValues& t = by_oid[row[0].c_str()];
    t.columns.push_back({row[1].as<int>(), row[2].c_str(), {}});
  }
  // One query for every table: each column's distinct values, hashed, and the row count.
  std::string q;
  for (auto& [oid, t] : by_oid) {
    const auto& named = tables.at(oid);
    t.oid = oid;
    t.name = named.name;
    std::string values;
    for (const auto& c : t.columns) {
      values += (values.empty() ? "" : ", ") + std::string("(") + std::to_string(c.num) + ", t." +
                quote_ident(c.name) + "::text)";
    }
    q += (q.empty() ? "" : " UNION ALL ") + std::string("SELECT ") + oid +
         "::oid, 0, 0::int8, count(*) FROM " + named.sql;
    if (!values.empty()) {
      q += " UNION ALL (SELECT " + oid + "::oid, x.a, hashtextextended(x.v, 0), count(*) FROM " +
           named.sql + " t CROSS JOIN LATERAL (VALUES " + values +
           ") x(a, v) WHERE x.v IS NOT NULL GROUP BY 2, 3)";
    }
  }
  for (const auto& row : n.exec(q)) {
    TableValues& t = by_oid[row[0].c_str()];
    const int num = row[1].as<int>();
    if (num == 0) {
      t.rows = row[3].as<uint64_t>();
      continue;
    }
    for (auto& c : t.columns) {
      if (c.num == num) {
        const uint64_t rows = row[3].as<uint64_t>();
        c.values[row[2].as<int64_t>()] += rows;
        c.count += rows;
        break;
      }
    }
  }
  for (auto& [oid, t] : by_oid) {
    if (t.rows > 0) {
      out.push_back(std::move(t));
    }
  }
  return out;
}

} // namespace

void ValueTracker::capture(pqxx::connection& connection, const std::string& text, bool all) {
  m_said.clear();
  m_before = read(connection, select_tables(connection, text, all));
}

const TableValues* ValueTracker::table(const std::string& name) const {
  for (const auto& t : m_before) {
    if (t.name == name) {
      return &t;
    }
  }
  return nullptr;
}

std::vector<LostValues> ValueTracker::lost(pqxx::connection& connection, const std::string& text,
                                           bool all, const std::set<std::string>* touched) {
  std::vector<LostValues> out;
  if (m_before.empty() ||
      (touched != nullptr && std::none_of(m_before.begin(), m_before.end(), [&](const auto& t) {
         return touched->contains(t.oid);
       }))) {
    return out;
  }
  // Which captured columns still exist (same table OID, same attnum).
  std::vector<std::string> oids;
  for (const auto& t : m_before) {
    oids.push_back(t.oid);
  }
  std::set<std::pair<std::string, int>> present;
  std::set<std::string> tables;
  {
    pqxx::nontransaction n(connection);
    for (const auto& row :
         n.exec_params("SELECT c.oid::text, a.attnum FROM pg_class c LEFT JOIN pg_attribute a ON "
                       "a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped "
                       "WHERE c.oid = ANY($1::oid[])",
                       oid_array(oids))) {
      tables.insert(row[0].c_str());
      if (!row[1].is_null()) {
        present.insert({row[0].c_str(), row[1].as<int>()});
      }
    }
  }
  struct Gone {
    const TableValues* table;
    const TableValues::Column* column;
  };
  std::vector<Gone> gone;
  for (const auto& t : m_before) {
    for (const auto& c : t.columns) {
      if (!c.values.empty() && !present.contains({t.oid, c.num}) &&
          !m_said.contains({t.oid, c.num})) {
        gone.push_back({&t, &c});
      }
    }
  }
  if (gone.empty()) {
    return out;
  }
  const std::vector<TableValues> now = read(connection, select_tables(connection, text, all));
  std::map<std::string, LostValues> by_table;
  for (const auto& g : gone) {
    const size_t total = g.column->values.size();
    bool held = false;
    for (const auto& t : now) {
      for (const auto& c : t.columns) {
        uint64_t found = 0;
        for (const auto& [v, n] : g.column->values) {
          if (auto it = c.values.find(v); it != c.values.end()) {
            found += std::min(n, it->second);
          }
        }
        held = held || found * 10 >= g.column->count * 9;
      }
    }
    if (held) {
      continue;
    }
    m_said.insert({g.table->oid, g.column->num});
    LostValues& l = by_table[g.table->oid];
    l.table = g.table->name;
    l.rows = g.table->rows;
    l.table_gone = !tables.contains(g.table->oid);
    l.columns.push_back(g.column->name);
    l.values.push_back(total);
  }
  for (auto& [oid, l] : by_table) {
    out.push_back(std::move(l));
  }
  std::sort(out.begin(), out.end(),
            [](const LostValues& a, const LostValues& b) { return a.table < b.table; });
  return out;
}

} // namespace miglint::roundtrip
