#include "roundtrip/snapshot.hpp"

#include <pqxx/pqxx>

#include <algorithm>
#include <set>

namespace miglint::roundtrip {
namespace {

// The user schemas, and their relations (not extension objects, not Alembic's bookkeeping):
// the start of every query below.
// Objects created after initdb have OIDs from 16384 (FirstNormalObjectId) on, even after the
// OID counter wraps: the user's objects are all there, and the conditions on it let every
// catalog be read through its index instead of scanned with its system rows (bench/README.md).
constexpr const char* k_scope = R"sql(
WITH ns AS (
  SELECT oid, nspname FROM pg_namespace
  WHERE nspname NOT IN ('pg_catalog', 'information_schema')
    AND nspname NOT LIKE 'pg_toast%' AND nspname NOT LIKE 'pg_temp%'
),
ext_objects AS (
  SELECT objid FROM pg_depend WHERE refclassid = 'pg_extension'::regclass AND deptype = 'e'
),
rel AS (
  SELECT c.*, c.xmin AS row_xmin, ns.nspname FROM pg_class c JOIN ns ON ns.oid = c.relnamespace
  WHERE c.oid >= 16384 AND NOT (c.relname = 'alembic_version' AND c.relkind = 'r')
    AND c.oid NOT IN (SELECT objid FROM ext_objects)
)
)sql";

// A signature per relation: its own catalog row's xmin, and the count and newest xmin of the
// rows that describe it (columns, defaults, constraints, indexes, triggers, rewrite rules,
// comments, sequence row); and one, under the empty owner, for the objects outside relations.
// Any DDL changes one: a new or altered catalog row carries the step's transaction id, newer
// than every row before it, and a step that only drops rows lowers a count. (One count and
// maximum over all kinds is enough for that, and a third cheaper than one per kind.)
constexpr const char* k_signatures_body = R"sql(
sub AS (
  SELECT attrelid AS oid, xmin FROM pg_attribute
  WHERE attnum > 0 AND attrelid >= 16384
  UNION ALL SELECT adrelid, xmin FROM pg_attrdef WHERE adrelid >= 16384
  UNION ALL SELECT conrelid, xmin FROM pg_constraint WHERE conrelid >= 16384
  UNION ALL SELECT i.indrelid, ic.xmin FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
            WHERE i.indrelid >= 16384
  UNION ALL SELECT indrelid, xmin FROM pg_index WHERE indrelid >= 16384
  UNION ALL SELECT tgrelid, xmin FROM pg_trigger WHERE tgrelid >= 16384
  UNION ALL SELECT ev_class, xmin FROM pg_rewrite WHERE ev_class >= 16384
  UNION ALL SELECT objoid, xmin FROM pg_description WHERE objoid >= 16384 AND classoid = 'pg_class'::regclass
  UNION ALL SELECT seqrelid, xmin FROM pg_sequence WHERE seqrelid >= 16384
),
agg AS (
  SELECT oid, count(*) AS n, max(xmin::text::bigint) AS x FROM sub GROUP BY oid
)
SELECT rel.oid::text, rel.row_xmin::text || ':' || coalesce(agg.n, 0) || '/' || coalesce(agg.x, 0)
FROM rel LEFT JOIN agg ON agg.oid = rel.oid WHERE rel.relkind IN ('r', 'p', 'v', 'm', 'S', 'f', 'c')
UNION ALL
SELECT '', concat_ws(':',
  (SELECT count(*) || '/' || max(xmin::text::bigint) FROM pg_namespace),
  (SELECT count(*) || '/' || coalesce(max(xmin::text::bigint), 0) FROM pg_proc
   WHERE oid >= 16384 AND pronamespace IN (SELECT oid FROM ns)),
  (SELECT count(*) || '/' || coalesce(max(xmin::text::bigint), 0) FROM pg_type
   WHERE oid >= 16384 AND typnamespace IN (SELECT oid FROM ns)),
  (SELECT count(*) || '/' || coalesce(max(xmin::text::bigint), 0) FROM pg_enum WHERE oid >= 16384),
  (SELECT count(*) || '/' || coalesce(max(xmin::text::bigint), 0) FROM pg_range WHERE rngtypid >= 16384),
  (SELECT count(*) || '/' || coalesce(max(xmin::text::bigint), 0) FROM pg_extension),
  (SELECT count(*) || '/' || coalesce(max(xmin::text::bigint), 0) FROM pg_constraint
   WHERE contypid >= 16384),
  (SELECT count(*) || '/' || coalesce(max(xmin::text::bigint), 0) FROM pg_description
   WHERE objoid >= 16384 AND classoid = 'pg_type'::regclass))
)sql";

// The details of the given relations (and their columns, constraints, indexes, triggers and
// comments): owner oid, kind, name, definition.
constexpr const char* k_relations_body = R"sql(,
sel AS (SELECT * FROM rel WHERE rel.oid = ANY($1::oid[]))
SELECT rel.oid::text, CASE relkind WHEN 'r' THEN 'table' WHEN 'p' THEN 'table' WHEN 'v' THEN 'view'
                    WHEN 'm' THEN 'materialized view' WHEN 'S' THEN 'sequence'
                    WHEN 'f' THEN 'foreign table' ELSE 'composite type' END,
       nspname || '.' || relname,
       CASE WHEN relkind IN ('v', 'm') THEN pg_get_viewdef(oid)
            WHEN relkind = 'S' THEN (SELECT format('%s start %s increment %s minvalue %s maxvalue %s%s',
                                                   format_type(s.seqtypid, NULL), s.seqstart,
                                                   s.seqincrement, s.seqmin, s.seqmax,
                                                   CASE WHEN s.seqcycle THEN ' cycle' ELSE '' END)
                                     FROM pg_sequence s WHERE s.seqrelid = rel.oid)
            WHEN relpersistence = 'u' THEN 'unlogged'
            ELSE '' END
FROM sel rel WHERE (relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
   OR (relkind = 'c' AND EXISTS (SELECT 1 FROM pg_type t WHERE t.typrelid = rel.oid AND t.typtype = 'c')))
UNION ALL
SELECT rel.oid::text, 'column', rel.nspname || '.' || rel.relname || '.' || a.attname,
       format_type(a.atttypid, a.atttypmod)
       || CASE WHEN a.attnotnull THEN ' not null' ELSE '' END
       || coalesce(' default ' || pg_get_expr(d.adbin, d.adrelid), '')
       || CASE a.attidentity WHEN 'a' THEN ' generated always as identity'
                             WHEN 'd' THEN ' generated by default as identity' ELSE '' END
       || CASE a.attgenerated WHEN 's' THEN ' stored' ELSE '' END
       || CASE WHEN a.attcollation <> 0 AND a.attcollation <> t.typcollation
               THEN ' collate ' || co.collname ELSE '' END
FROM pg_attribute a
JOIN sel rel ON rel.oid = a.attrelid
JOIN pg_type t ON t.oid = a.atttypid
LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
LEFT JOIN pg_collation co ON co.oid = a.attcollation
WHERE a.attnum > 0 AND NOT a.attisdropped AND rel.relkind IN ('r', 'p', 'v', 'm', 'f', 'c')
UNION ALL
SELECT rel.oid::text, 'constraint', rel.nspname || '.' || rel.relname || '.' || con.conname,
       pg_get_constraintdef(con.oid)
FROM pg_constraint con JOIN sel rel ON rel.oid = con.conrelid
UNION ALL
SELECT c.oid::text, 'index', c.nspname || '.' || ic.relname,
       pg_get_indexdef(i.indexrelid) || CASE WHEN i.indisvalid THEN '' ELSE ' (invalid)' END
FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid JOIN sel c ON c.oid = i.indrelid
UNION ALL
SELECT rel.oid::text, 'trigger', rel.nspname || '.' || rel.relname || '.' || tg.tgname, pg_get_triggerdef(tg.oid)
FROM pg_trigger tg JOIN sel rel ON rel.oid = tg.tgrelid WHERE NOT tg.tgisinternal
UNION ALL
SELECT rel.oid::text, 'comment', CASE WHEN d.objsubid = 0 THEN rel.nspname || '.' || rel.relname
                       ELSE rel.nspname || '.' || rel.relname || '.' ||
                            (SELECT attname FROM pg_attribute WHERE attrelid = rel.oid AND attnum = d.objsubid) END,
       d.description
FROM pg_description d JOIN sel rel ON rel.oid = d.objoid AND d.classoid = 'pg_class'::regclass
)sql";

// Objects outside relations: schemas, functions, types, domains, extensions, type comments.
constexpr const char* k_globals_body = R"sql(
SELECT 'schema', nspname, '' FROM ns WHERE nspname <> 'public'
UNION ALL
SELECT 'domain constraint', ns.nspname || '.' || t.typname || '.' || con.conname,
       pg_get_constraintdef(con.oid)
FROM pg_constraint con JOIN pg_type t ON t.oid = con.contypid JOIN ns ON ns.oid = t.typnamespace
WHERE con.contypid >= 16384
UNION ALL
SELECT CASE p.prokind WHEN 'p' THEN 'procedure' WHEN 'a' THEN 'aggregate' WHEN 'w' THEN 'window function'
                      ELSE 'function' END,
       ns.nspname || '.' || p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')',
       CASE WHEN p.prokind IN ('f', 'p') THEN md5(pg_get_functiondef(p.oid)) ELSE '' END
FROM pg_proc p JOIN ns ON ns.oid = p.pronamespace
WHERE p.oid >= 16384 AND p.oid NOT IN (SELECT objid FROM ext_objects)
UNION ALL
SELECT 'enum type', ns.nspname || '.' || t.typname,
       (SELECT string_agg(quote_literal(e.enumlabel), ', ' ORDER BY e.enumsortorder)
        FROM pg_enum e WHERE e.enumtypid = t.oid)
FROM pg_type t JOIN ns ON ns.oid = t.typnamespace
WHERE t.oid >= 16384 AND t.typtype = 'e' AND t.oid NOT IN (SELECT objid FROM ext_objects)
UNION ALL
SELECT 'domain', ns.nspname || '.' || t.typname,
       format_type(t.typbasetype, t.typtypmod) || CASE WHEN t.typnotnull THEN ' not null' ELSE '' END
       || coalesce(' default ' || t.typdefault, '')
FROM pg_type t JOIN ns ON ns.oid = t.typnamespace WHERE t.oid >= 16384 AND t.typtype = 'd'
UNION ALL
SELECT 'range type', ns.nspname || '.' || t.typname, format_type(r.rngsubtype, NULL)
FROM pg_type t JOIN ns ON ns.oid = t.typnamespace JOIN pg_range r ON r.rngtypid = t.oid
WHERE t.oid >= 16384
UNION ALL
SELECT 'extension', extname, extversion FROM pg_extension WHERE extname <> 'plpgsql'
UNION ALL
SELECT 'comment', ns.nspname || '.' || t.typname, d.description
FROM pg_description d JOIN pg_type t ON t.oid = d.objoid AND d.classoid = 'pg_type'::regclass
JOIN ns ON ns.oid = t.typnamespace WHERE d.objoid >= 16384
)sql";

// Each query is the scope followed by its own part.
const std::string& signatures_query() {
  static const std::string q = std::string(k_scope) + ",\n" + k_signatures_body;
  return q;
}
const std::string& relations_query() {
  static const std::string q = std::string(k_scope) + "\n" + k_relations_body;
  return q;
}
const std::string& globals_query() {
  static const std::string q = std::string(k_scope) + "\n" + k_globals_body;
  return q;
}

} // namespace

bool Snapshot::contains(const Key& key) const {
  for (const auto& [owner, part] : m_parts) {
    auto it = std::lower_bound(part->begin(), part->end(), key,
                               [](const auto& entry, const Key& k) { return entry.first < k; });
    if (it != part->end() && it->first == key) {
      return true;
    }
  }
  return false;
}

bool Snapshot::empty() const {
  return std::all_of(m_parts.begin(), m_parts.end(),
                     [](const auto& p) { return p.second->empty(); });
}

std::map<Snapshot::Key, std::string> Snapshot::entries() const {
  std::map<Key, std::string> out;
  for (const auto& [owner, part] : m_parts) {
    for (const auto& [key, definition] : *part) {
      out[key] = definition;
    }
  }
  return out;
}

Snapshot Snapshotter::take(pqxx::connection& connection) {
  if (m_prepared_on != &connection) {
    // Parsing and planning these long queries costs more than running them: prepare them once.
    connection.prepare("miglint_signatures", signatures_query());
    connection.prepare("miglint_relations", relations_query());
    connection.prepare("miglint_globals", globals_query());
    m_prepared_on = &connection;
  }
  pqxx::nontransaction n(connection);
  std::map<std::string, std::string> signatures;
  for (const auto& row : n.exec_prepared("miglint_signatures")) {
    signatures[row[0].c_str()] = row[1].is_null() ? "" : row[1].c_str();
  }
  std::string changed = "{";
  bool globals = false;
  for (const auto& [owner, signature] : signatures) {
    auto it = m_signatures.find(owner);
    if (it != m_signatures.end() && it->second == signature) {
      continue;
    }
    if (owner.empty()) {
      globals = true;
    } else {
      changed += (changed.size() > 1 ? "," : "") + owner;
    }
  }
  changed += "}";
  auto& parts = m_current.m_parts;
  for (auto it = parts.begin(); it != parts.end();) {
    it = signatures.contains(it->first) ? std::next(it) : parts.erase(it); // dropped
  }
  std::map<std::string, Snapshot::Part> fresh;
  if (changed.size() > 2) {
    for (const auto& row : n.exec_prepared("miglint_relations", changed)) {
      fresh[row[0].c_str()].push_back({{row[1].c_str(), row[2].is_null() ? "" : row[2].c_str()},
                                       row[3].is_null() ? "" : row[3].c_str()});
    }
    // A changed relation with no rows left (it cannot happen for a table) still gets a part.
    std::string oid;
    for (char c : changed.substr(1)) {
      if (c == ',' || c == '}') {
        fresh.try_emplace(oid);
        oid.clear();
      } else {
        oid += c;
      }
    }
  }
  if (globals) {
    auto& global = fresh[""];
    for (const auto& row : n.exec_prepared("miglint_globals")) {
      global.push_back({{row[0].c_str(), row[1].is_null() ? "" : row[1].c_str()},
                        row[2].is_null() ? "" : row[2].c_str()});
    }
  }
  for (auto& [owner, part] : fresh) {
    std::sort(part.begin(), part.end());
    parts[owner] = std::make_shared<const Snapshot::Part>(std::move(part));
  }
  m_signatures = std::move(signatures);
  return m_current;
}

Snapshot take_snapshot(pqxx::connection& connection) {
  return Snapshotter().take(connection);
}

struct DiffAccess {
  static const auto& parts(const Snapshot& s) { return s.m_parts; }
};

std::vector<Difference> diff(const Snapshot& before_snapshot, const Snapshot& after_snapshot) {
  // Parts shared by both cancel out (names are unique per kind): compare the others only.
  std::map<Snapshot::Key, std::string> before;
  std::map<Snapshot::Key, std::string> after;
  const auto& a = DiffAccess::parts(before_snapshot);
  const auto& b = DiffAccess::parts(after_snapshot);
  for (const auto& [owner, part] : a) {
    auto it = b.find(owner);
    if (it == b.end() || it->second != part) {
      for (const auto& [key, definition] : *part) {
        before[key] = definition;
      }
    }
  }
  for (const auto& [owner, part] : b) {
    auto it = a.find(owner);
    if (it == a.end() || it->second != part) {
      for (const auto& [key, definition] : *part) {
        after[key] = definition;
      }
    }
  }
  std::vector<Difference> out;
  auto x = before.begin();
  auto y = after.begin();
  while (x != before.end() || y != after.end()) {
    if (y == after.end() || (x != before.end() && x->first < y->first)) {
      out.push_back({Difference::Kind::Removed, x->first.first, x->first.second, x->second, {}});
      ++x;
    } else if (x == before.end() || y->first < x->first) {
      out.push_back({Difference::Kind::Added, y->first.first, y->first.second, {}, y->second});
      ++y;
    } else {
      if (x->second != y->second) {
        out.push_back(
            {Difference::Kind::Changed, y->first.first, y->first.second, x->second, y->second});
      }
      ++x;
      ++y;
    }
  }
  return out;
}

std::string describe(const std::vector<Difference>& differences, size_t limit) {
  std::string out;
  size_t shown = 0;
  for (const auto& d : differences) {
    if (shown == limit) {
      out += "; and " + std::to_string(differences.size() - limit) + " more";
      break;
    }
    out += shown++ == 0 ? "" : "; ";
    switch (d.change) {
    case Difference::Kind::Added:
      out += d.kind + " " + d.name + " still exists";
      break;
    case Difference::Kind::Removed:
      out += d.kind + " " + d.name + " missing";
      break;
    case Difference::Kind::Changed:
      out += d.kind + " " + d.name + " changed: " + (d.before.empty() ? "(none)" : d.before) +
             " -> " + (d.after.empty() ? "(none)" : d.after);
      break;
    }
  }
  return out;
}

} // namespace miglint::roundtrip
