#include "roundtrip/snapshot.hpp"

#include <pqxx/pqxx>

#include <algorithm>
#include <cstdlib>
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
// comments, sequence row). Any DDL changes one: a new or altered catalog row carries the step's
// transaction id, newer than every row before it, and a step that only drops rows lowers a
// count. (One count and maximum over all kinds is enough for that, and a third cheaper than one
// per kind.)
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
)sql";

// Before every snapshot, as a row without owner: the next transaction id the server will assign
// (every change to the catalogs since the last snapshot was made by a transaction below it), and
// one signature for the objects outside relations (a table's row type, and the array types that
// come with every type, are not: creating a table does not make the objects outside relations be
// read again).
constexpr const char* k_state_body = R"sql(
SELECT '', '', txid_snapshot_xmax(txid_current_snapshot())::text, concat_ws(':',
  (SELECT count(*) || '/' || max(xmin::text::bigint) FROM pg_namespace),
  (SELECT count(*) || '/' || coalesce(max(xmin::text::bigint), 0) FROM pg_proc
   WHERE oid >= 16384 AND pronamespace IN (SELECT oid FROM ns)),
  (SELECT count(*) || '/' || coalesce(max(xmin::text::bigint), 0) FROM pg_type
   WHERE oid >= 16384 AND typnamespace IN (SELECT oid FROM ns) AND typrelid = 0
     AND typcategory <> 'A'),
  (SELECT count(*) || '/' || coalesce(max(xmin::text::bigint), 0) FROM pg_enum WHERE oid >= 16384),
  (SELECT count(*) || '/' || coalesce(max(xmin::text::bigint), 0) FROM pg_range WHERE rngtypid >= 16384),
  (SELECT count(*) || '/' || coalesce(max(xmin::text::bigint), 0) FROM pg_extension),
  (SELECT count(*) || '/' || coalesce(max(xmin::text::bigint), 0) FROM pg_collation WHERE oid >= 16384),
  (SELECT count(*) || '/' || coalesce(max(xmin::text::bigint), 0) FROM pg_constraint
   WHERE contypid >= 16384),
  (SELECT count(*) || '/' || coalesce(max(xmin::text::bigint), 0) FROM pg_description
   WHERE objoid >= 16384 AND classoid = 'pg_type'::regclass))
)sql";

// The relations whose description names one of the given ones: views over them, foreign keys
// to them, defaults using them (sequences), columns of their row type. Each look-up goes
// through an index (LATERAL ... OFFSET 0 keeps the planner from hashing whole catalogs for a
// handful of OIDs).
constexpr const char* k_dependents = R"sql(
WITH req AS MATERIALIZED (SELECT DISTINCT unnest($1::oid[]) AS oid),
refs AS MATERIALIZED (
  SELECT x.classid, x.objid FROM req, LATERAL (
    SELECT d.classid, d.objid FROM pg_depend d
    WHERE d.refclassid = 'pg_class'::regclass AND d.refobjid = req.oid
    UNION ALL
    SELECT d.classid, d.objid FROM pg_class c JOIN pg_depend d
      ON d.refclassid = 'pg_type'::regclass AND d.refobjid = c.reltype
    WHERE c.oid = req.oid
    OFFSET 0) x
)
SELECT DISTINCT oid::text FROM (
  SELECT CASE refs.classid
           WHEN 'pg_class'::regclass THEN refs.objid
           WHEN 'pg_rewrite'::regclass THEN (SELECT ev_class FROM pg_rewrite WHERE oid = refs.objid)
           WHEN 'pg_constraint'::regclass THEN (SELECT conrelid FROM pg_constraint WHERE oid = refs.objid)
           WHEN 'pg_attrdef'::regclass THEN (SELECT adrelid FROM pg_attrdef WHERE oid = refs.objid)
           WHEN 'pg_trigger'::regclass THEN (SELECT tgrelid FROM pg_trigger WHERE oid = refs.objid)
         END AS oid FROM refs
) o WHERE oid IS NOT NULL
)sql";

// The details of the given relations (an index stands for its table), with their columns,
// constraints, indexes, triggers and comments: owner oid, kind, name, definition.
constexpr const char* k_relations_body = R"sql(,
sel AS (SELECT * FROM rel
        WHERE rel.oid = ANY(array_cat($1::oid[], ARRAY(SELECT indrelid FROM pg_index
                                                       WHERE indexrelid = ANY($1::oid[]))))
          AND rel.relkind IN ('r', 'p', 'v', 'm', 'S', 'f', 'c'))
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

// Objects outside relations: schemas, functions, types, domains, collations, extensions, type
// comments: (oid, kind, name, definition). The public schema's row only tells a rename.
constexpr const char* k_globals_body = R"sql(
SELECT oid::text, 'schema', nspname, '' FROM ns
UNION ALL
SELECT con.oid::text, 'domain constraint', ns.nspname || '.' || t.typname || '.' || con.conname,
       pg_get_constraintdef(con.oid)
FROM pg_constraint con JOIN pg_type t ON t.oid = con.contypid JOIN ns ON ns.oid = t.typnamespace
WHERE con.contypid >= 16384
UNION ALL
SELECT p.oid::text,
       CASE p.prokind WHEN 'p' THEN 'procedure' WHEN 'a' THEN 'aggregate' WHEN 'w' THEN 'window function'
                      ELSE 'function' END,
       ns.nspname || '.' || p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')',
       CASE WHEN p.prokind IN ('f', 'p') THEN md5(pg_get_functiondef(p.oid)) ELSE '' END
FROM pg_proc p JOIN ns ON ns.oid = p.pronamespace
WHERE p.oid >= 16384 AND p.oid NOT IN (SELECT objid FROM ext_objects)
UNION ALL
SELECT t.oid::text, 'enum type', ns.nspname || '.' || t.typname,
       (SELECT string_agg(quote_literal(e.enumlabel), ', ' ORDER BY e.enumsortorder)
        FROM pg_enum e WHERE e.enumtypid = t.oid)
FROM pg_type t JOIN ns ON ns.oid = t.typnamespace
WHERE t.oid >= 16384 AND t.typtype = 'e' AND t.oid NOT IN (SELECT objid FROM ext_objects)
UNION ALL
SELECT t.oid::text, 'domain', ns.nspname || '.' || t.typname,
       format_type(t.typbasetype, t.typtypmod) || CASE WHEN t.typnotnull THEN ' not null' ELSE '' END
       || coalesce(' default ' || t.typdefault, '')
FROM pg_type t JOIN ns ON ns.oid = t.typnamespace WHERE t.oid >= 16384 AND t.typtype = 'd'
UNION ALL
SELECT t.oid::text, 'range type', ns.nspname || '.' || t.typname, format_type(r.rngsubtype, NULL)
FROM pg_type t JOIN ns ON ns.oid = t.typnamespace JOIN pg_range r ON r.rngtypid = t.oid
WHERE t.oid >= 16384
UNION ALL
SELECT co.oid::text, 'collation', ns.nspname || '.' || co.collname,
       (to_jsonb(co) - 'oid' - 'collname' - 'collnamespace' - 'collowner' - 'collversion')::text
FROM pg_collation co JOIN ns ON ns.oid = co.collnamespace WHERE co.oid >= 16384
UNION ALL
SELECT oid::text, 'extension', extname, extversion FROM pg_extension WHERE extname <> 'plpgsql'
UNION ALL
SELECT t.oid::text, 'comment', ns.nspname || '.' || t.typname, d.description
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
const std::string& state_query() {
  static const std::string q = std::string(k_scope) + "\n" + k_state_body;
  return q;
}
// The relations' details and the state in one round trip (the usual snapshot after a step).
const std::string& state_relations_query() {
  static const std::string q =
      std::string(k_scope) + "\n" + k_relations_body + "UNION ALL" + k_state_body;
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

const std::string* Snapshot::table(const std::string& oid) const {
  auto it = m_parts.find(oid);
  if (it == m_parts.end() || oid.empty()) {
    return nullptr;
  }
  for (const auto& [key, definition] : *it->second) {
    if (key.first == "table" || key.first == "materialized view") {
      return &key.second;
    }
  }
  return nullptr;
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

namespace {

// The labels of an enum type's definition as the globals query writes it: 'a', 'b', E'c\\d'.
std::set<std::string> enum_labels(const std::string& definition) {
  std::set<std::string> out;
  size_t i = 0;
  while (i < definition.size()) {
    const size_t quote = definition.find('\'', i);
    if (quote == std::string::npos) {
      break;
    }
    const bool escaped = quote > 0 && definition[quote - 1] == 'E';
    std::string label;
    for (i = quote + 1; i < definition.size(); ++i) {
      if (definition[i] == '\'' && i + 1 < definition.size() && definition[i + 1] == '\'') {
        label += '\'';
        ++i;
      } else if (definition[i] == '\'') {
        ++i;
        break;
      } else if (escaped && definition[i] == '\\' && i + 1 < definition.size()) {
        label += definition[++i];
      } else {
        label += definition[i];
      }
    }
    out.insert(std::move(label));
  }
  return out;
}

// Whether a change to an object outside relations can change how relations read: a new name
// (columns print their type's name, defaults their function's, every relation its schema's), an
// enum label renamed (defaults and checks print labels), another extension version.
bool renames(const std::string& kind, const std::pair<std::string, std::string>& before,
             const std::pair<std::string, std::string>& after) {
  if (before.first != after.first) {
    return true;
  }
  if (kind == "enum type" && before.second != after.second) {
    const auto old_labels = enum_labels(before.second);
    const auto new_labels = enum_labels(after.second);
    return !std::includes(new_labels.begin(), new_labels.end(), old_labels.begin(),
                          old_labels.end());
  }
  return kind == "extension" && before.second != after.second;
}

std::string oid_array(const std::set<std::string>& oids) {
  std::string array = "{";
  for (const auto& oid : oids) {
    array += (array.size() > 1 ? "," : "") + oid;
  }
  return array + "}";
}

// Relation rows (owner oid, kind, name, definition) into sorted parts; the state row (no owner)
// is not one.
std::map<std::string, Snapshot::Part> parts_of(const pqxx::result& rows) {
  std::map<std::string, Snapshot::Part> fresh;
  for (const auto& row : rows) {
    if (row[0].size() != 0) {
      fresh[row[0].c_str()].push_back({{row[1].c_str(), row[2].is_null() ? "" : row[2].c_str()},
                                       row[3].is_null() ? "" : row[3].c_str()});
    }
  }
  for (auto& [owner, part] : fresh) {
    std::sort(part.begin(), part.end());
  }
  return fresh;
}

// The parts of the given relations (an index stands for its table).
std::map<std::string, Snapshot::Part> read_relations(pqxx::transaction_base& n,
                                                     const std::set<std::string>& oids) {
  return parts_of(n.exec_prepared("miglint_relations", oid_array(oids)));
}

// Whether a relation's new part renames it or one of its columns (a column gone and another
// one new), which changes how the relations that refer to it read.
bool renames_relation(const Snapshot::Part& before, const Snapshot::Part& after) {
  auto own = [](const Snapshot::Part& part) -> const Snapshot::Key* {
    for (const auto& [key, definition] : part) {
      if (key.first != "column" && key.first != "constraint" && key.first != "index" &&
          key.first != "trigger" && key.first != "comment") {
        return &key;
      }
    }
    return nullptr;
  };
  const Snapshot::Key* old_name = own(before);
  const Snapshot::Key* new_name = own(after);
  if (old_name == nullptr || new_name == nullptr || *old_name != *new_name) {
    return true;
  }
  auto columns = [](const Snapshot::Part& part) {
    std::set<std::string> out;
    for (const auto& [key, definition] : part) {
      if (key.first == "column") {
        out.insert(key.second);
      }
    }
    return out;
  };
  const auto old_columns = columns(before);
  const auto new_columns = columns(after);
  auto missing_from = [](const std::set<std::string>& a, const std::set<std::string>& b) {
    return std::any_of(a.begin(), a.end(), [&](const std::string& c) { return !b.contains(c); });
  };
  return missing_from(old_columns, new_columns) && missing_from(new_columns, old_columns);
}

} // namespace

Snapshot Snapshotter::take(pqxx::connection& connection, const StepTrace* trace) {
  if (m_prepared_on != &connection) {
    // Parsing and planning these long queries costs more than running them: prepare them once,
    // and plan them once (on miglint's own connection: the migrations run on another).
    pqxx::nontransaction(connection).exec("SET plan_cache_mode = force_generic_plan");
    connection.prepare("miglint_state", state_query());
    connection.prepare("miglint_state_relations", state_relations_query());
    connection.prepare("miglint_signatures", signatures_query());
    connection.prepare("miglint_dependents", k_dependents);
    connection.prepare("miglint_relations", relations_query());
    connection.prepare("miglint_globals", globals_query());
    m_prepared_on = &connection;
  }
  pqxx::nontransaction n(connection);
  // The user's relations the step locked (system catalogs are locked by every query). When the
  // trace will most likely be trusted, they are read in the same round trip as the state.
  std::set<std::string> locked;
  if (trace != nullptr) {
    for (const auto& oid : trace->relations) {
      if (std::strtoul(oid.c_str(), nullptr, 10) >= 16384) {
        locked.insert(oid);
      }
    }
  }
  const bool speculate = m_next_xid != 0 && !locked.empty();
  const pqxx::result first = speculate
                                 ? n.exec_prepared("miglint_state_relations", oid_array(locked))
                                 : n.exec_prepared("miglint_state");
  uint64_t next_xid = 0;
  std::string globals_signature;
  for (const auto& row : first) {
    if (row[0].size() == 0) { // the state row: ('', '', next xid, globals signature)
      next_xid = row[2].as<uint64_t>();
      globals_signature = row[3].c_str();
    }
  }
  // Every transaction since the last snapshot was seen by the runner: its locks say it all.
  bool guided = trace != nullptr && m_next_xid != 0 && next_xid >= m_next_xid &&
                next_xid - m_next_xid <= trace->xids.size();
  for (uint64_t x = m_next_xid; guided && x < next_xid; ++x) {
    guided = trace->xids.contains(x);
  }
  m_next_xid = next_xid;

  auto& parts = m_current.m_parts;
  bool everything = false; // an object outside relations was renamed
  if (globals_signature != m_globals_signature) {
    std::map<std::string, std::pair<std::string, std::string>> globals;
    Snapshot::Part part;
    for (const auto& row : n.exec_prepared("miglint_globals")) {
      std::string kind = row[1].c_str();
      std::string name = row[2].is_null() ? "" : row[2].c_str();
      std::string definition = row[3].is_null() ? "" : row[3].c_str();
      if (!(kind == "schema" && name == "public")) {
        part.push_back({{kind, name}, definition});
      }
      globals[kind + ' ' + row[0].c_str()] = {std::move(name), std::move(definition)};
    }
    for (const auto& [key, now] : globals) {
      auto it = m_globals.find(key);
      everything = everything || (it != m_globals.end() &&
                                  renames(key.substr(0, key.rfind(' ')), it->second, now));
    }
    std::sort(part.begin(), part.end());
    parts[""] = std::make_shared<const Snapshot::Part>(std::move(part));
    m_globals = std::move(globals);
    m_globals_signature = globals_signature;
  }

  m_guided = guided && !everything;
  std::set<std::string> requested; // relations read again
  std::map<std::string, Snapshot::Part> fresh;
  if (m_guided) {
    requested = std::move(locked);
    for (const auto& oid : requested) {
      m_signatures.erase(oid); // changed since the signature: the next one must not trust it
    }
    fresh = parts_of(first);
  } else {
    std::map<std::string, std::string> signatures;
    for (const auto& row : n.exec_prepared("miglint_signatures")) {
      signatures[row[0].c_str()] = row[1].is_null() ? "" : row[1].c_str();
    }
    for (const auto& [oid, signature] : signatures) {
      auto it = m_signatures.find(oid);
      if (everything || it == m_signatures.end() || it->second != signature) {
        requested.insert(oid);
      }
    }
    for (auto it = parts.begin(); it != parts.end();) {
      it = it->first.empty() || signatures.contains(it->first) ? std::next(it)
                                                               : parts.erase(it); // dropped
    }
    m_signatures = std::move(signatures);
    if (!requested.empty()) {
      fresh = read_relations(n, requested);
    }
  }
  for (const auto& oid : requested) {
    if (!fresh.contains(oid)) {
      parts.erase(oid); // dropped (or never a relation with a description: an index)
    }
  }
  // Relations whose description names a renamed one (or one of its columns) read differently
  // now, without a catalog row of their own changing: read them too.
  std::set<std::string> renamed;
  for (const auto& [oid, part] : fresh) {
    if (auto it = parts.find(oid); it != parts.end() && renames_relation(*it->second, part)) {
      renamed.insert(oid);
    }
  }
  if (!renamed.empty()) {
    std::set<std::string> dependents;
    for (const auto& row : n.exec_prepared("miglint_dependents", oid_array(renamed))) {
      if (!fresh.contains(row[0].c_str())) {
        dependents.insert(row[0].c_str());
      }
    }
    if (!dependents.empty()) {
      fresh.merge(read_relations(n, dependents));
    }
  }
  for (auto& [owner, part] : fresh) {
    parts[owner] = std::make_shared<const Snapshot::Part>(std::move(part));
  }
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
