#include "roundtrip/seed.hpp"

#include "roundtrip/sql_text.hpp"

#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <optional>
#include <utility>

namespace miglint::roundtrip {

std::string with_separators(uint64_t n) {
  std::string digits = std::to_string(n);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) {
      out += ',';
    }
    out += digits[i];
  }
  return out;
}

namespace {

using json = nlohmann::json;

// The user tables with no rows (their main file is empty), and those of $1 (OIDs) that have
// rows (or only pages: deleted rows), with their names. Leaf partitions are tables; partitioned
// parents are not (their rows are their leaves').
constexpr const char* k_candidates = R"sql(
SELECT c.oid::text, pg_relation_size(c.oid) = 0,
       quote_ident(n.nspname) || '.' || quote_ident(c.relname)
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.oid >= 16384 AND c.relkind = 'r'
  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname NOT LIKE 'pg_toast%' AND n.nspname NOT LIKE 'pg_temp%'
  AND c.relname <> 'alembic_version'
  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
                  AND d.objid = c.oid AND d.refclassid = 'pg_extension'::regclass
                  AND d.deptype = 'e')
  AND (pg_relation_size(c.oid) = 0 OR c.oid = ANY($1::oid[]))
)sql";

// Everything the generator needs about the tables $1, as one JSON document: the tables, their
// columns, constraints and plain unique indexes, and every type their columns use (element types
// of arrays, base types of domains, subtypes of ranges, field types of composites, transitively).
constexpr const char* k_catalog = R"sql(
WITH RECURSIVE sel AS (SELECT unnest($1::oid[]) AS oid),
ty(oid) AS (
  SELECT atttypid FROM pg_attribute WHERE attrelid IN (SELECT oid FROM sel) AND attnum > 0
    AND NOT attisdropped
  UNION
  SELECT x.oid FROM ty JOIN pg_type t ON t.oid = ty.oid CROSS JOIN LATERAL (
    SELECT t.typelem WHERE t.typelem <> 0 AND t.typcategory = 'A'
    UNION ALL SELECT t.typbasetype WHERE t.typbasetype <> 0
    UNION ALL SELECT r.rngsubtype FROM pg_range r WHERE r.rngtypid = t.oid
    UNION ALL SELECT a.atttypid FROM pg_attribute a
              WHERE t.typtype = 'c' AND a.attrelid = t.typrelid AND a.attnum > 0
                AND NOT a.attisdropped) x(oid)
)
SELECT json_build_object(
 'tables', (SELECT json_agg(json_build_object(
     'oid', c.oid::text, 'sql', quote_ident(n.nspname) || '.' || quote_ident(c.relname),
     'name', n.nspname || '.' || c.relname,
     'partition', CASE WHEN c.relispartition THEN pg_get_partition_constraintdef(c.oid) END))
   FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
   WHERE c.oid IN (SELECT oid FROM sel)),
 'columns', (SELECT json_agg(json_build_object(
     'rel', a.attrelid::text, 'num', a.attnum, 'name', a.attname, 'type', a.atttypid::text,
     'typmod', a.atttypmod, 'sql', format_type(a.atttypid, a.atttypmod),
     'notnull', a.attnotnull, 'identity', a.attidentity, 'generated', a.attgenerated,
     'default', pg_get_expr(d.adbin, d.adrelid),
     'sequence', CASE WHEN a.attidentity <> '' THEN
       pg_get_serial_sequence(quote_ident(n.nspname) || '.' || quote_ident(c.relname),
                              a.attname) END) ORDER BY a.attrelid, a.attnum)
   FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
   JOIN pg_namespace n ON n.oid = c.relnamespace
   LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
   WHERE a.attrelid IN (SELECT oid FROM sel) AND a.attnum > 0 AND NOT a.attisdropped),
 'constraints', (SELECT json_agg(json_build_object(
     'rel', con.conrelid::text, 'name', con.conname, 'type', con.contype, 'key', con.conkey,
     'def', pg_get_constraintdef(con.oid), 'parent', con.confrelid::text,
     'parent_sql', (SELECT CASE WHEN p.relkind = 'p' THEN '' ELSE 'ONLY ' END
                           || quote_ident(pn.nspname) || '.' || quote_ident(p.relname)
                    FROM pg_class p JOIN pg_namespace pn ON pn.oid = p.relnamespace
                    WHERE p.oid = con.confrelid),
     'parent_columns', (SELECT json_agg(pa.attname ORDER BY k.ord)
                        FROM unnest(con.confkey) WITH ORDINALITY k(num, ord)
                        JOIN pg_attribute pa ON pa.attrelid = con.confrelid
                                            AND pa.attnum = k.num)) ORDER BY con.conrelid, con.conname)
   FROM pg_constraint con WHERE con.conrelid IN (SELECT oid FROM sel)),
 'indexes', (SELECT json_agg(json_build_object('rel', i.indrelid::text, 'key', i.indkey::int2[])
                             ORDER BY i.indrelid, i.indexrelid)
   FROM pg_index i WHERE i.indrelid IN (SELECT oid FROM sel) AND i.indisunique
     AND i.indexprs IS NULL
     AND NOT EXISTS (SELECT 1 FROM pg_constraint con WHERE con.conindid = i.indexrelid)),
 'types', (SELECT json_agg(json_build_object(
     'oid', t.oid::text, 'sql', format_type(t.oid, NULL), 'name', t.typname,
     'schema', tn.nspname, 'type', t.typtype, 'category', t.typcategory,
     'elem', CASE WHEN t.typcategory = 'A' THEN t.typelem::text END,
     'base', CASE WHEN t.typtype = 'd' THEN t.typbasetype::text END,
     'base_typmod', t.typtypmod,
     'base_sql', CASE WHEN t.typtype = 'd' THEN format_type(t.typbasetype, t.typtypmod) END,
     'notnull', t.typnotnull, 'default', t.typdefault,
     'labels', (SELECT json_agg(e.enumlabel ORDER BY e.enumsortorder) FROM pg_enum e
                WHERE e.enumtypid = t.oid),
     'checks', (SELECT json_agg(pg_get_constraintdef(con.oid) ORDER BY con.conname)
                FROM pg_constraint con WHERE con.contypid = t.oid AND con.contype = 'c'),
     'subtype', (SELECT r.rngsubtype::text FROM pg_range r WHERE r.rngtypid = t.oid),
     'fields', (SELECT json_agg(json_build_object('name', a.attname, 'type', a.atttypid::text,
                                                  'typmod', a.atttypmod) ORDER BY a.attnum)
                FROM pg_attribute a WHERE t.typtype = 'c' AND a.attrelid = t.typrelid
                  AND a.attnum > 0 AND NOT a.attisdropped)))
   FROM pg_type t JOIN pg_namespace tn ON tn.oid = t.typnamespace
   WHERE t.oid IN (SELECT oid FROM ty)))
)sql";

struct Type {
  std::string oid;
  std::string sql;  // format_type(oid, NULL)
  std::string name; // typname
  std::string schema;
  char type = 'b';     // typtype
  char category = 'U'; // typcategory
  std::string elem;    // arrays
  std::string base;    // domains
  int base_typmod = -1;
  std::string base_sql;
  bool not_null = false;
  std::optional<std::string> default_value;
  std::vector<std::string> labels; // enums
  std::vector<std::string> checks; // domains: "CHECK ((VALUE > 0))"
  std::string subtype;             // ranges
  struct Field {
    std::string name;
    std::string type;
    int typmod = -1;
  };
  std::vector<Field> fields; // composites
};

struct Column {
  int num = 0;
  std::string name;
  std::string quoted;
  std::string type;
  int typmod = -1;
  std::string sql; // format_type(atttypid, atttypmod)
  bool not_null = false;
  char identity = 0;
  char generated = 0;
  std::optional<std::string> default_value;
  std::string sequence; // identity columns
};

struct ForeignKey {
  std::string name;
  std::vector<int> columns;
  std::string parent;     // OID
  std::string parent_sql; // "ONLY public.p" (a partitioned parent without ONLY)
  std::vector<std::string> parent_columns;
};

struct Check {
  std::string name;
  std::string expression; // the CHECK's condition, without CHECK, NOT VALID, NO INHERIT
  std::vector<int> columns;
};

struct Table {
  std::string oid;
  std::string sql;  // quoted
  std::string name; // schema.name
  std::optional<std::string> partition;
  std::vector<Column> columns;
  std::vector<Check> checks;
  std::vector<ForeignKey> foreign_keys;
  std::vector<std::vector<int>> keys; // primary key first, then unique constraints and indexes
  std::string definition;             // everything above, to tell a changed table
};

std::string quote_literal(const std::string& text) {
  std::string out = "'";
  for (char c : text) {
    out += c;
    if (c == '\'') {
      out += '\'';
    }
  }
  return out + "'";
}

std::string opt_string(const json& j, const char* key) {
  return j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : std::string();
}

std::vector<int> int_list(const json& j) {
  std::vector<int> out;
  if (j.is_array()) {
    for (const auto& v : j) {
      out.push_back(v.get<int>());
    }
  }
  return out;
}

// FNV-1a: a salt per column that does not depend on the standard library's hash.
uint64_t fnv(const std::string& text) {
  uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : text) {
    h = (h ^ c) * 1099511628211ULL;
  }
  return h;
}

bool ident_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '$';
}

// Whether `text` names `column` (bare as a word, or quoted).
bool mentions(const std::string& text, const std::string& column) {
  if (text.find(quote_ident(column)) != std::string::npos) {
    return true;
  }
  for (size_t at = text.find(column); at != std::string::npos; at = text.find(column, at + 1)) {
    if ((at == 0 || !ident_char(text[at - 1])) &&
        (at + column.size() == text.size() || !ident_char(text[at + column.size()]))) {
      return true;
    }
  }
  return false;
}

// The condition of a CHECK constraint's definition: "CHECK ((qty > 0)) NOT VALID" -> "(qty > 0)".
std::string check_expression(std::string def) {
  for (const char* suffix : {" NOT VALID", " NO INHERIT"}) {
    const std::string s = suffix;
    while (def.size() > s.size() && def.compare(def.size() - s.size(), s.size(), s) == 0) {
      def.resize(def.size() - s.size());
    }
  }
  if (def.rfind("CHECK ", 0) == 0) {
    def = def.substr(6);
  }
  return def;
}

// A domain's CHECK applied to a column: VALUE (outside string literals) becomes the column.
std::string domain_check(const std::string& def, const std::string& column) {
  const std::string e = check_expression(def);
  std::string out;
  bool quoted = false;
  for (size_t i = 0; i < e.size(); ++i) {
    if (e[i] == '\'') {
      quoted = !quoted;
    }
    if (!quoted && e.compare(i, 5, "VALUE") == 0 && (i == 0 || !ident_char(e[i - 1])) &&
        (i + 5 == e.size() || !ident_char(e[i + 5]))) {
      out += column;
      i += 4;
      continue;
    }
    out += e[i];
  }
  return out;
}

// Whether a default is a constant (no function call, no CURRENT_TIMESTAMP and the like): only
// such defaults are used for some rows, so that the rows stay the same from run to run.
bool constant_default(const std::string& e) {
  bool quoted = false;
  for (size_t i = 0; i < e.size(); ++i) {
    if (e[i] == '\'') {
      quoted = !quoted;
      continue;
    }
    if (quoted) {
      continue;
    }
    if (e[i] == '(') {
      size_t j = i;
      while (j > 0 && e[j - 1] == ' ') {
        --j;
      }
      if (j > 0 && ident_char(e[j - 1])) {
        return false; // a function call
      }
    }
    if (ident_char(e[i]) && (i == 0 || !ident_char(e[i - 1]))) {
      size_t j = i;
      while (j < e.size() && ident_char(e[j])) {
        ++j;
      }
      std::string word = e.substr(i, j - i);
      for (auto& c : word) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      }
      if (word.rfind("current_", 0) == 0 || word.rfind("localtime", 0) == 0 ||
          word == "session_user" || word == "user") {
        return false;
      }
      i = j - 1;
    }
  }
  return true;
}

// The literals a CHECK compares with: quoted strings ('a', '-1') and bare numbers.
struct Literals {
  std::vector<std::string> strings; // as written, quotes included
  std::vector<double> numbers;
};

Literals literals_of(const std::string& e) {
  Literals out;
  for (size_t i = 0; i < e.size(); ++i) {
    if (e[i] == '\'') {
      std::string value;
      size_t j = i + 1;
      for (; j < e.size(); ++j) {
        if (e[j] == '\'' && j + 1 < e.size() && e[j + 1] == '\'') {
          value += '\'';
          ++j;
        } else if (e[j] == '\'') {
          break;
        } else {
          value += e[j];
        }
      }
      out.strings.push_back(quote_literal(value));
      char* end = nullptr;
      const double number = std::strtod(value.c_str(), &end);
      if (!value.empty() && end != nullptr && *end == '\0') {
        out.numbers.push_back(number);
      }
      i = j;
    } else if (std::isdigit(static_cast<unsigned char>(e[i])) != 0 &&
               (i == 0 || (!ident_char(e[i - 1]) && e[i - 1] != '.' && e[i - 1] != '"'))) {
      size_t j = i;
      while (j < e.size() && (std::isdigit(static_cast<unsigned char>(e[j])) != 0 || e[j] == '.')) {
        ++j;
      }
      out.numbers.push_back(std::strtod(e.substr(i, j - i).c_str(), nullptr));
      i = j - 1;
    } else if (e[i] == '"') {
      const size_t j = e.find('"', i + 1);
      i = j == std::string::npos ? e.size() : j;
    }
  }
  return out;
}

std::string number_text(double v) {
  if (std::floor(v) == v && std::fabs(v) < 1e15) {
    return std::to_string(static_cast<long long>(v));
  }
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

// How a column's integer expression x varies over the rows.
struct XPlan {
  enum class Kind { Repeat, Distinct, Digit } kind = Kind::Repeat;
  std::string divisor = "1"; // Digit: x = (i / divisor) % modulus
  std::string modulus = "1";
};

class Generator {
public:
  Generator(const std::map<std::string, Type>& types, uint64_t seed, size_t rows)
      : m_types(types), m_seed(seed), m_repeat(std::max<size_t>(2, rows / 2)) {}

  const Type* type(const std::string& oid) const {
    auto it = m_types.find(oid);
    return it == m_types.end() ? nullptr : &it->second;
  }

  // The row's mixed number for a salt: (i + salt) * 2654435761 mod 4294967291 (a prime), >= 0.
  std::string hash(uint64_t salt) const {
    const uint64_t s = (salt ^ m_seed) % 1000003;
    return "((miglint_i + " + std::to_string(s) + ") * 2654435761 % 4294967291)";
  }

  std::string repeat_x(uint64_t salt) const {
    return "(" + hash(salt) + " % " + std::to_string(m_repeat) + ")";
  }

  // How many distinct values a type has when it is small (booleans, enums), else 0.
  size_t cardinality(const std::string& oid) const {
    const Type* t = resolve(oid);
    if (t == nullptr) {
      return 0;
    }
    if (t->type == 'e') {
      return t->labels.size();
    }
    return t->category == 'B' ? 2 : 0;
  }

  // Follows domains down to their base type.
  const Type* resolve(const std::string& oid) const {
    const Type* t = type(oid);
    for (int depth = 0; t != nullptr && t->type == 'd' && depth < 16; ++depth) {
      t = type(t->base);
    }
    return t;
  }

  // SQL of a value of type `oid` (with `typmod`) from the int8 expression `x` (>= 0), or nullopt
  // when miglint has no generator for the type. Lengths are bounded by the caller's final cast
  // (an explicit cast to varchar(n), char(n) or bit(n) truncates).
  std::optional<std::string> value(const std::string& oid, int typmod, const std::string& x,
                                   const std::string& column, int depth = 0) const {
    const Type* t = type(oid);
    if (t == nullptr || depth > 8) {
      return std::nullopt;
    }
    if (t->type == 'd') {
      auto base = value(t->base, t->base_typmod, x, column, depth + 1);
      return base ? std::optional("(" + *base + ")::" + t->sql) : std::nullopt;
    }
    if (t->type == 'e') {
      if (t->labels.empty()) {
        return std::nullopt;
      }
      std::string array = "ARRAY[";
      for (size_t i = 0; i < t->labels.size(); ++i) {
        array += (i == 0 ? "" : ", ") + quote_literal(t->labels[i]);
      }
      return "(" + array + "])[1 + (" + x + ") % " + std::to_string(t->labels.size()) +
             "]::" + t->sql;
    }
    if (t->category == 'A' && !t->elem.empty()) {
      std::string elements;
      for (int k = 0; k < 3; ++k) {
        auto e =
            value(t->elem, typmod, "(" + x + ") * 3 + " + std::to_string(k), column, depth + 1);
        if (!e) {
          return std::nullopt;
        }
        elements += (k == 0 ? "" : ", ") + *e;
      }
      const Type* elem = type(t->elem);
      return "(ARRAY[" + elements + "]::" + (elem != nullptr ? elem->sql : "text") + "[])[1:((" +
             x + ") % 4)]";
    }
    if (t->type == 'c') {
      std::string fields;
      for (const auto& f : t->fields) {
        auto v = value(f.type, f.typmod, x, f.name, depth + 1);
        const Type* ft = type(f.type);
        fields += (fields.empty() ? "" : ", ") +
                  (v ? *v : "NULL::" + (ft != nullptr ? ft->sql : std::string("text")));
      }
      return "ROW(" + fields + ")::" + t->sql;
    }
    if (t->type == 'r') {
      return range(*t, x);
    }
    return scalar(*t, typmod, x, column);
  }

private:
  std::optional<std::string> range(const Type& t, const std::string& x) const {
    const Type* sub = resolve(t.subtype);
    if (sub == nullptr) {
      return std::nullopt;
    }
    const std::string& n = sub->name;
    std::string lo;
    std::string hi;
    if (n == "int4" || n == "int8" || n == "int2" || n == "numeric") {
      lo = "(" + x + ") * 10";
      hi = "(" + x + ") * 10 + 5";
    } else if (n == "date") {
      lo = "DATE '2020-01-01' + ((" + x + ") * 2 % 2000000)::int";
      hi = "DATE '2020-01-01' + ((" + x + ") * 2 % 2000000 + 1)::int";
    } else if (n == "timestamp" || n == "timestamptz") {
      const std::string base = n == "timestamp" ? "TIMESTAMP '2020-01-01 00:00:00'"
                                                : "TIMESTAMPTZ '2020-01-01 00:00:00+00'";
      lo = base + " + (" + x + ") * INTERVAL '2 hours'";
      hi = base + " + (" + x + ") * INTERVAL '2 hours' + INTERVAL '1 hour'";
    } else {
      return std::nullopt;
    }
    return quote_ident(t.schema) + "." + quote_ident(t.name) + "((" + lo + ")::" + sub->sql +
           ", (" + hi + ")::" + sub->sql + ")";
  }

  std::optional<std::string> scalar(const Type& t, int typmod, const std::string& x,
                                    const std::string& column) const {
    const std::string& n = t.name;
    const std::string X = "(" + x + ")";
    if (n == "int2") {
      return "(" + X + " % 32767)::int2";
    }
    if (n == "int4" || n == "oid") {
      return "(" + X + " % 2147483647)::" + (n == "oid" ? std::string("oid") : "int4");
    }
    if (n == "int8") {
      return X;
    }
    if (n == "numeric") {
      if (typmod >= 4) {
        const int precision = ((typmod - 4) >> 16) & 0xffff;
        int scale = (typmod - 4) & 0xffff;
        scale = scale > 1000 ? 0 : scale; // negative scales (PostgreSQL 15): whole numbers
        const int digits = std::clamp(precision, 1, 15);
        const std::string bound = std::to_string(static_cast<long long>(std::pow(10, digits)) - 1);
        return "((" + X + " % " + bound + ")::numeric / 1" + std::string(scale, '0') + ")";
      }
      return "(" + X + "::numeric + (" + X + " % 100)::numeric / 100)";
    }
    if (n == "float4" || n == "float8") {
      return "(" + X + "::float8 / 4)::" + n;
    }
    if (n == "money") {
      return "(" + X + "::numeric / 100)::money";
    }
    if (n == "bool") {
      return "(" + X + " % 2 = 1)";
    }
    if (n == "date") {
      return "(DATE '2020-01-01' + (" + X + " * 3 % 2000000)::int)";
    }
    if (n == "timestamp") {
      return "(TIMESTAMP '2020-01-01 00:00:00' + " + X +
             " * INTERVAL '1 hour 7 minutes 13 seconds')";
    }
    if (n == "timestamptz") {
      return "(TIMESTAMPTZ '2020-01-01 00:00:00+00' + " + X +
             " * INTERVAL '1 hour 7 minutes 13 seconds')";
    }
    if (n == "time") {
      return "(TIME '00:00:00' + (" + X + " % 86400) * INTERVAL '1 second')";
    }
    if (n == "timetz") {
      return "(TIMETZ '00:00:00+00' + (" + X + " % 86400) * INTERVAL '1 second')";
    }
    if (n == "interval") {
      return "(" + X + " * INTERVAL '1 minute')";
    }
    if (n == "uuid") {
      return "md5('" + std::to_string(fnv(column) % 100000) + ":' || " + X + ")::uuid";
    }
    if (n == "json" || n == "jsonb") {
      return n + "_build_object('id', " + X + ", 'name', " + word(X) + ")";
    }
    if (n == "bytea") {
      return "decode(md5(" + X + "::text), 'hex')";
    }
    if (n == "inet" || n == "cidr") {
      return "('10.' || (" + X + " / 65536 % 256) || '.' || (" + X + " / 256 % 256) || '.' || (" +
             X + " % 256) || '/32')::" + n;
    }
    if (n == "macaddr" || n == "macaddr8") {
      return "('02:00:' || lpad(to_hex(" + X +
             " / 16777216 % 256), 2, '0') || ':' || lpad(to_hex(" + X +
             " / 65536 % 256), 2, '0') || ':' || lpad(to_hex(" + X +
             " / 256 % 256), 2, '0') || ':' || lpad(to_hex(" + X + " % 256), 2, '0'))::macaddr" +
             (n == "macaddr8" ? "::macaddr8" : "");
    }
    if (n == "bit" || n == "varbit") {
      const int bits = typmod > 0 ? typmod : (n == "bit" ? 1 : 16);
      return "lpad(right(" + X + "::bit(64)::text, " + std::to_string(std::min(bits, 64)) + "), " +
             std::to_string(bits) + ", '0')::" + n;
    }
    if (n == "xml") {
      return "('<v>' || " + X + " || '</v>')::xml";
    }
    if (n == "tsvector") {
      return "to_tsvector('simple', " + word(X) + " || ' ' || " + X + ")";
    }
    if (n == "tsquery") {
      return "plainto_tsquery('simple', " + word(X) + ")";
    }
    if (n == "point") {
      return "point(" + X + ", " + X + " % 97)";
    }
    if (n == "box" || n == "lseg") {
      return n + "(point(" + X + ", 0), point(" + X + " + 1, 1))";
    }
    if (n == "polygon" || n == "path") {
      return n + "(" + std::string(n == "path" ? "polygon(" : "") + "box(point(" + X +
             ", 0), point(" + X + " + 1, 1))" + (n == "path" ? ")" : "") + ")";
    }
    if (n == "circle") {
      return "circle(point(" + X + ", 0), 1 + " + X + " % 5)";
    }
    if (n == "line") {
      return "line(point(0, " + X + "), point(1, " + X + " + 1))";
    }
    if (t.category == 'S') { // text, varchar, char, name, citext...
      std::string lower = column;
      for (auto& c : lower) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      }
      std::string text;
      if (lower.find("email") != std::string::npos) {
        text = "'user' || " + X + " || '@example.com'";
      } else if (lower.find("url") != std::string::npos ||
                 lower.find("website") != std::string::npos) {
        text = "'https://example.com/' || " + X;
      } else {
        text = X + "::text || ' ' || " + word(X);
      }
      // Some values fill varchar(n) and char(n) to the brim, as real data does.
      const int length = (n == "varchar" || n == "bpchar") && typmod >= 5 ? typmod - 4 : 0;
      if (length > 0) {
        text = "CASE WHEN " + X + " % 7 = 3 THEN rpad(" + text + ", " + std::to_string(length) +
               ", 'x') ELSE " + text + " END";
      }
      // format_type() without a typmod says `character` for bpchar, which is char(1): the
      // column's own cast gives the length.
      const bool plain = n == "varchar" || n == "bpchar" || n == "text";
      return "(" + text + ")::" + (plain ? std::string("text") : t.sql);
    }
    return std::nullopt;
  }

  static std::string word(const std::string& x) {
    return "(ARRAY['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel', "
           "'india', 'juliet', 'kilo', 'lima', 'mike', 'november', 'oscar', 'papa'])[1 + " +
           x + " % 16]";
  }

  const std::map<std::string, Type>& m_types;
  uint64_t m_seed;
  size_t m_repeat;
};

// A condition every inserted row must meet, with what to call it when none does.
struct Filter {
  std::string label; // "CHECK constraint orders_qty_check"
  std::string sql;   // true for a row that may be inserted
};

// The INSERT for one table, as the rounds run it with different row ranges.
struct Plan {
  std::string error;  // why the table cannot be seeded (no generator for a NOT NULL column)
  std::string prefix; // WITH the parents' keys, INSERT INTO ... SELECT ... FROM (
  std::string source; // ... generate_series($start, $end) ... up to the filtered rows
  std::vector<Filter> filters;
  std::string suffix; // ON CONFLICT DO NOTHING RETURNING ...
  std::string ctes;   // the parents' key arrays (for the diagnosis query)

  std::string rows_sql(uint64_t start, uint64_t count) const {
    std::string s = source;
    const std::string range =
        "generate_series(" + std::to_string(start) + ", " + std::to_string(start + count - 1) + ")";
    s.replace(s.find("@RANGE@"), 7, range);
    return s;
  }
  std::string where() const {
    std::string w;
    for (const auto& f : filters) {
      w += (w.empty() ? " WHERE " : " AND ") + f.sql;
    }
    return w;
  }
  // At most `limit` rows: a round that passes more than are missing inserts no more.
  std::string insert(uint64_t start, uint64_t count, uint64_t limit) const {
    return prefix + rows_sql(start, count) + where() + " LIMIT " + std::to_string(limit) + suffix;
  }
  // How many of the rows fail each filter: (total, failures per filter).
  std::string diagnosis(uint64_t start, uint64_t count) const {
    std::string q = ctes + "SELECT count(*)";
    for (const auto& f : filters) {
      q += ", count(*) FILTER (WHERE NOT coalesce(" + f.sql + ", false))";
    }
    return q + " FROM " + rows_sql(start, count);
  }
};

class Planner {
public:
  explicit Planner(const Generator& generator) : m_gen(generator) {}

  // variant 0: CHECK literals (for columns outside unique keys) and constant defaults in some
  // rows; 1: CHECK literals for every column, keys too (`code UNIQUE CHECK (code IN (...))`);
  // 2: neither.
  Plan plan(const Table& t, int variant) const {
    Plan plan;
    std::map<int, const Column*> by_num;
    for (const auto& c : t.columns) {
      by_num[c.num] = &c;
    }
    // Foreign key groups: the first foreign key a column belongs to.
    std::map<int, size_t> fk_of;
    for (size_t f = 0; f < t.foreign_keys.size(); ++f) {
      for (int num : t.foreign_keys[f].columns) {
        fk_of.emplace(num, f);
      }
    }
    auto sequence_backed = [](const Column& c) {
      return c.identity != 0 ||
             (c.default_value && c.default_value->find("nextval(") != std::string::npos);
    };
    // Unique keys: one column takes the row number, or the key's columns enumerate their
    // combinations (mixed radix: booleans, enums and foreign keys have few values).
    std::map<int, XPlan> xplans;
    std::map<size_t, XPlan> fk_plans;
    std::set<int> distinct;
    for (const auto& key : t.keys) {
      bool done = false;
      for (int num : key) {
        const Column* c = by_num.count(num) ? by_num[num] : nullptr;
        done = done || (c != nullptr && (distinct.contains(num) || sequence_backed(*c)));
      }
      if (done) {
        continue;
      }
      for (int num : key) {
        const Column* c = by_num.count(num) ? by_num[num] : nullptr;
        if (c != nullptr && !fk_of.contains(num) && c->generated == 0 &&
            m_gen.cardinality(c->type) == 0 && m_gen.value(c->type, c->typmod, "0", c->name)) {
          distinct.insert(num);
          xplans[num] = {XPlan::Kind::Distinct, "1", "1"};
          done = true;
          break;
        }
      }
      if (done) {
        continue;
      }
      std::string divisor = "1";
      std::set<size_t> fks_done;
      for (int num : key) {
        std::string modulus;
        if (auto f = fk_of.find(num); f != fk_of.end()) {
          if (!fks_done.insert(f->second).second || fk_plans.contains(f->second)) {
            continue;
          }
          modulus = "greatest(miglint_p" + std::to_string(f->second) + ".n, 1)";
          fk_plans[f->second] = {XPlan::Kind::Digit, divisor, modulus};
        } else if (by_num.count(num) && !xplans.contains(num)) {
          const size_t card = m_gen.cardinality(by_num[num]->type);
          if (card == 0) {
            continue;
          }
          modulus = std::to_string(card);
          xplans[num] = {XPlan::Kind::Digit, divisor, modulus};
        } else {
          continue;
        }
        divisor = "(" + divisor + " * " + modulus + ")";
      }
    }
    auto x_of = [&](const XPlan& p, uint64_t salt) {
      switch (p.kind) {
      case XPlan::Kind::Distinct:
        return std::string("miglint_i");
      case XPlan::Kind::Digit:
        return "(miglint_i / " + p.divisor + " % " + p.modulus + ")";
      case XPlan::Kind::Repeat:
        break;
      }
      return m_gen.repeat_x(salt);
    };

    // Literals of the CHECKs, per column, and of the partition bound for the columns it names.
    std::map<int, Literals> literals;
    auto add_literals = [&](const std::string& expression, const std::vector<int>& columns) {
      const Literals l = literals_of(expression);
      for (int num : columns) {
        auto& mine = literals[num];
        mine.strings.insert(mine.strings.end(), l.strings.begin(), l.strings.end());
        mine.numbers.insert(mine.numbers.end(), l.numbers.begin(), l.numbers.end());
      }
    };
    for (const auto& check : t.checks) {
      add_literals(check.expression, check.columns);
    }
    if (t.partition && !t.partition->empty()) {
      std::vector<int> named;
      for (const auto& c : t.columns) {
        if (mentions(*t.partition, c.name)) {
          named.push_back(c.num);
        }
      }
      add_literals(*t.partition, named);
    }

    std::string level1; // plain columns
    std::string level2; // foreign key columns
    std::string level3; // generated columns (only to test the CHECKs that use them)
    std::vector<std::string> inserted;
    bool overriding = false;
    for (const auto& c : t.columns) {
      const uint64_t salt = fnv(t.name + "." + c.name);
      const Type* ct = m_gen.type(c.type);
      bool not_null = c.not_null;
      std::vector<std::string> domain_checks;
      std::optional<std::string> domain_default;
      for (const Type* d = ct; d != nullptr && d->type == 'd'; d = m_gen.type(d->base)) {
        not_null = not_null || d->not_null;
        domain_checks.insert(domain_checks.end(), d->checks.begin(), d->checks.end());
        if (!domain_default && d->default_value) {
          domain_default = d->default_value;
        }
      }
      const std::optional<std::string> default_value =
          c.default_value ? c.default_value : domain_default;
      if (c.generated != 0) {
        if (default_value) {
          level3 += ", (" + *default_value + ") AS " + c.quoted;
        }
        continue;
      }
      inserted.push_back(c.quoted);
      if (not_null) {
        std::string label = "NOT NULL column " + c.name;
        if (auto f = fk_of.find(c.num); f != fk_of.end()) {
          std::string parent = t.foreign_keys[f->second].parent_sql;
          parent = parent.rfind("ONLY ", 0) == 0 ? parent.substr(5) : parent;
          label += " (a foreign key to " + parent + ", which has no rows to refer to)";
        }
        plan.filters.push_back({label, c.quoted + " IS NOT NULL"});
      }
      for (size_t k = 0; k < domain_checks.size(); ++k) {
        plan.filters.push_back({"the CHECK of domain " + ct->sql + " (column " + c.name + ")",
                                "(" + domain_check(domain_checks[k], c.quoted) + ") IS NOT FALSE"});
      }
      // The type the generated value has: the column's, or for a domain its innermost base type
      // (the domain's CHECKs are filters, so a value that fails them is never cast to it).
      std::string cast = c.sql;
      std::string value_type = c.type;
      int value_typmod = c.typmod;
      for (const Type* d = ct; d != nullptr && d->type == 'd'; d = m_gen.type(d->base)) {
        cast = d->base_sql;
        value_type = d->base;
        value_typmod = d->base_typmod;
      }
      if (c.identity != 0) {
        overriding = overriding || c.identity == 'a';
        level1 += ", nextval(" + quote_literal(c.sequence) + ") AS " + c.quoted;
        continue;
      }
      if (sequence_backed(c)) {
        level1 += ", " + *c.default_value + " AS " + c.quoted;
        continue;
      }
      if (auto f = fk_of.find(c.num); f != fk_of.end()) {
        const ForeignKey& fk = t.foreign_keys[f->second];
        const size_t pos = static_cast<size_t>(
            std::find(fk.columns.begin(), fk.columns.end(), c.num) - fk.columns.begin());
        const std::string p = "miglint_p" + std::to_string(f->second);
        const uint64_t fk_salt = fnv(t.name + "#" + fk.name);
        std::string v;
        bool nullable = true;
        for (int num : fk.columns) {
          nullable = nullable && by_num.count(num) && !by_num[num]->not_null;
        }
        if (fk.parent == t.oid && !nullable) {
          v = quote_ident(fk.parent_columns[pos]); // the row itself
        } else {
          const XPlan xp = fk_plans.count(f->second) ? fk_plans.at(f->second) : XPlan{};
          const std::string rn = "(" + x_of(xp, fk_salt) + ") % greatest(" + p + ".n, 1)";
          v = p + ".a" + std::to_string(pos) + "[1 + " + rn + "]";
          if (nullable) {
            v = "CASE WHEN " + m_gen.hash(fk_salt + 1) + " % 10 = 0 THEN NULL ELSE " + v + " END";
          }
        }
        level2 += ", (" + v + ")::" + cast + " AS " + c.quoted;
        continue;
      }
      const XPlan xp = xplans.count(c.num) ? xplans.at(c.num) : XPlan{};
      const std::string x = x_of(xp, salt);
      auto value = m_gen.value(value_type, value_typmod, x, c.name);
      if (!value) {
        if (!not_null) {
          level1 += ", NULL::" + cast + " AS " + c.quoted;
        } else if (default_value) {
          level1 += ", (" + *default_value + ")::" + cast + " AS " + c.quoted;
        } else {
          plan.error = "no value generator for type " + (ct != nullptr ? ct->sql : c.sql) +
                       " (NOT NULL column " + c.name + ", no default)";
          return plan;
        }
        continue;
      }
      std::string v = "(" + *value + ")::" + cast;
      const bool key = xp.kind != XPlan::Kind::Repeat;
      if (variant < 2) {
        const std::vector<std::string> candidates =
            variant == 0 && key ? std::vector<std::string>{}
                                : candidates_of(c, literals[c.num], x, cast);
        if (!candidates.empty()) {
          std::string array;
          for (const auto& cand : candidates) {
            array += (array.empty() ? "" : ", ") + cand;
          }
          v = "CASE WHEN " + m_gen.hash(salt + 2) + " % 2 = 0 THEN (ARRAY[" + array + "])[1 + " +
              m_gen.hash(salt + 3) + " % " + std::to_string(candidates.size()) + "] ELSE " + v +
              " END";
        }
        if (variant == 0 && default_value && !key && constant_default(*default_value)) {
          v = "CASE WHEN " + m_gen.hash(salt + 4) + " % 8 = 0 THEN (" + *default_value +
              ")::" + cast + " ELSE " + v + " END";
        }
      }
      if (!not_null) {
        v = "CASE WHEN " + m_gen.hash(salt + 1) + " % 10 = 0 THEN NULL ELSE " + v + " END";
      }
      level1 += ", " + v + " AS " + c.quoted;
    }
    for (const auto& check : t.checks) {
      plan.filters.push_back(
          {"CHECK constraint " + check.name, "(" + check.expression + ") IS NOT FALSE"});
    }
    if (t.partition && !t.partition->empty()) {
      plan.filters.push_back({"the partition bound", "(" + *t.partition + ") IS TRUE"});
    }

    std::string ctes;
    std::string joins;
    for (size_t f = 0; f < t.foreign_keys.size(); ++f) {
      const ForeignKey& fk = t.foreign_keys[f];
      std::string order;
      std::string not_null;
      for (const auto& pc : fk.parent_columns) {
        order += (order.empty() ? "" : ", ") + quote_ident(pc);
        not_null += (not_null.empty() ? " WHERE " : " AND ") + quote_ident(pc) + " IS NOT NULL";
      }
      std::string arrays;
      for (size_t k = 0; k < fk.parent_columns.size(); ++k) {
        arrays += "array_agg(" + quote_ident(fk.parent_columns[k]) + " ORDER BY " + order +
                  ") AS a" + std::to_string(k) + ", ";
      }
      ctes += std::string(ctes.empty() ? "WITH " : ", ") + "miglint_p" + std::to_string(f) +
              " AS (SELECT " + arrays + "count(*) AS n FROM " + fk.parent_sql + not_null + ")";
      joins += " CROSS JOIN miglint_p" + std::to_string(f);
    }
    std::string columns;
    for (const auto& c : inserted) {
      columns += (columns.empty() ? "" : ", ") + c;
    }
    plan.ctes = ctes.empty() ? "" : ctes + " ";
    plan.prefix = (ctes.empty() ? std::string("WITH ") : ctes + ", ") +
                  "miglint_ins AS (INSERT INTO " + t.sql +
                  (columns.empty() ? std::string() : " (" + columns + ")") +
                  (overriding ? " OVERRIDING SYSTEM VALUE" : "") + " SELECT " + columns + " FROM ";
    plan.source = "(SELECT s2.*" + level3 + " FROM (SELECT s1.*" + level2 +
                  " FROM (SELECT miglint_i" + level1 + " FROM @RANGE@ AS g(miglint_i)" + joins +
                  ") s1" + joins + ") s2) s3";
    plan.suffix = " ON CONFLICT DO NOTHING RETURNING 1) "
                  "SELECT count(*), txid_current_if_assigned() FROM miglint_ins";
    return plan;
  }

private:
  // Values offered to a column that CHECKs compare with literals: the literals themselves and
  // their neighbours for numbers, strings of the lengths they name for text.
  std::vector<std::string> candidates_of(const Column& c, const Literals& l, const std::string& x,
                                         const std::string& cast) const {
    std::vector<std::string> out;
    const Type* t = m_gen.resolve(c.type);
    if (t == nullptr || (l.strings.empty() && l.numbers.empty())) {
      return out;
    }
    std::set<std::string> seen;
    auto add = [&](const std::string& v) {
      if (out.size() < 32 && seen.insert(v).second) {
        out.push_back("(" + v + ")::" + cast);
      }
    };
    if (t->category == 'N') {
      for (double v : l.numbers) {
        for (double d : {-1.0, 0.0, 1.0}) {
          if (t->name != "int2" || std::fabs(v + d) < 32767) {
            add(number_text(v + d));
          }
        }
      }
    } else if (t->type == 'e') {
      for (const auto& s : l.strings) {
        for (const auto& label : t->labels) {
          if (s == quote_literal(label)) {
            add(s);
          }
        }
      }
    } else if (t->category == 'S' || t->category == 'D' || t->category == 'U') {
      for (const auto& s : l.strings) {
        add(s);
      }
      if (t->category == 'S') {
        for (double v : l.numbers) {
          for (double d : {-1.0, 0.0, 1.0}) {
            const double k = v + d;
            if (k >= 1 && k <= 1000 && std::floor(k) == k) {
              const std::string len = number_text(k);
              add("left(rpad((" + x + ")::text, " + len + ", 'x'), " + len + ")");
            }
          }
        }
      }
    }
    return out;
  }

  const Generator& m_gen;
};

// Reads the catalog document of k_catalog into tables and types.
void read_catalog(const json& doc, std::map<std::string, Table>& tables,
                  std::map<std::string, Type>& types) {
  if (doc["tables"].is_array()) {
    for (const auto& j : doc["tables"]) {
      Table t;
      t.oid = j["oid"];
      t.sql = j["sql"];
      t.name = j["name"];
      if (j["partition"].is_string()) {
        t.partition = j["partition"].get<std::string>();
      }
      tables[t.oid] = std::move(t);
    }
  }
  if (doc["columns"].is_array()) {
    for (const auto& j : doc["columns"]) {
      auto it = tables.find(j["rel"].get<std::string>());
      if (it == tables.end()) {
        continue;
      }
      Column c;
      c.num = j["num"];
      c.name = j["name"];
      c.quoted = quote_ident(c.name);
      c.type = j["type"];
      c.typmod = j["typmod"];
      c.sql = j["sql"];
      c.not_null = j["notnull"];
      const std::string identity = opt_string(j, "identity");
      const std::string generated = opt_string(j, "generated");
      c.identity = identity.empty() ? 0 : identity[0];
      c.generated = generated.empty() ? 0 : generated[0];
      if (j["default"].is_string()) {
        c.default_value = j["default"].get<std::string>();
      }
      c.sequence = opt_string(j, "sequence");
      it->second.definition += c.name + " " + c.sql + (c.not_null ? " not null" : "") +
                               (c.default_value ? " default " + *c.default_value : "") + ";";
      it->second.columns.push_back(std::move(c));
    }
  }
  if (doc["constraints"].is_array()) {
    for (const auto& j : doc["constraints"]) {
      auto it = tables.find(j["rel"].get<std::string>());
      if (it == tables.end()) {
        continue;
      }
      Table& t = it->second;
      const std::string type = j["type"];
      const std::string def = opt_string(j, "def");
      t.definition += def + ";";
      if (type == "c") {
        t.checks.push_back({j["name"], check_expression(def), int_list(j["key"])});
      } else if (type == "f" && j["parent_columns"].is_array()) {
        ForeignKey fk;
        fk.name = j["name"];
        fk.columns = int_list(j["key"]);
        fk.parent = j["parent"];
        fk.parent_sql = opt_string(j, "parent_sql");
        for (const auto& pc : j["parent_columns"]) {
          fk.parent_columns.push_back(pc);
        }
        if (fk.parent_columns.size() == fk.columns.size()) {
          t.foreign_keys.push_back(std::move(fk));
        }
      } else if (type == "p") {
        t.keys.insert(t.keys.begin(), int_list(j["key"]));
      } else if (type == "u") {
        t.keys.push_back(int_list(j["key"]));
      }
    }
  }
  if (doc["indexes"].is_array()) {
    for (const auto& j : doc["indexes"]) {
      if (auto it = tables.find(j["rel"].get<std::string>()); it != tables.end()) {
        it->second.keys.push_back(int_list(j["key"]));
      }
    }
  }
  if (doc["types"].is_array()) {
    for (const auto& j : doc["types"]) {
      Type t;
      t.oid = j["oid"];
      t.sql = j["sql"];
      t.name = j["name"];
      t.schema = j["schema"];
      t.type = opt_string(j, "type").empty() ? 'b' : opt_string(j, "type")[0];
      t.category = opt_string(j, "category").empty() ? 'U' : opt_string(j, "category")[0];
      t.elem = opt_string(j, "elem");
      t.base = opt_string(j, "base");
      t.base_typmod = j["base_typmod"];
      t.base_sql = opt_string(j, "base_sql");
      t.not_null = j["notnull"];
      if (j["default"].is_string()) {
        t.default_value = j["default"].get<std::string>();
      }
      if (j["labels"].is_array()) {
        for (const auto& l : j["labels"]) {
          t.labels.push_back(l);
        }
      }
      if (j["checks"].is_array()) {
        for (const auto& c : j["checks"]) {
          t.checks.push_back(c);
        }
      }
      t.subtype = opt_string(j, "subtype");
      if (j["fields"].is_array()) {
        for (const auto& f : j["fields"]) {
          t.fields.push_back({f["name"], f["type"], f["typmod"]});
        }
      }
      types[t.oid] = std::move(t);
    }
  }
  // A table's definition also covers the types it uses (an enum label added, a domain changed).
  for (auto& [oid, t] : tables) {
    for (const auto& c : t.columns) {
      for (auto it = types.find(c.type); it != types.end() && it->second.type == 'd';
           it = types.find(it->second.base)) {
        for (const auto& check : it->second.checks) {
          t.definition += check + ";";
        }
      }
      if (auto it = types.find(c.type); it != types.end()) {
        for (const auto& l : it->second.labels) {
          t.definition += l + ",";
        }
      }
    }
  }
}

// Parents before children among the tables to seed (a cycle is broken at the first table by
// name: its foreign keys to tables not seeded yet find no parent row).
std::vector<const Table*> dependency_order(const std::map<std::string, Table>& tables,
                                           const std::set<std::string>& seeding) {
  std::vector<const Table*> pending;
  for (const auto& oid : seeding) {
    if (auto it = tables.find(oid); it != tables.end()) {
      pending.push_back(&it->second);
    }
  }
  std::sort(pending.begin(), pending.end(),
            [](const Table* a, const Table* b) { return a->name < b->name; });
  std::vector<const Table*> out;
  std::set<std::string> done;
  while (!pending.empty()) {
    auto ready = std::find_if(pending.begin(), pending.end(), [&](const Table* t) {
      return std::all_of(t->foreign_keys.begin(), t->foreign_keys.end(), [&](const ForeignKey& fk) {
        return fk.parent == t->oid || !seeding.contains(fk.parent) || done.contains(fk.parent);
      });
    });
    if (ready == pending.end()) {
      ready = pending.begin();
    }
    done.insert((*ready)->oid);
    out.push_back(*ready);
    pending.erase(ready);
  }
  return out;
}

std::string oid_array(const std::set<std::string>& oids) {
  std::string a = "{";
  for (const auto& o : oids) {
    a += (a.size() > 1 ? "," : "") + o;
  }
  return a + "}";
}

// Rounds of INSERT per table: the rows a round loses to the filter (CHECKs) or to unique keys
// are made up by the next, which generates as many more as the last one's yield calls for.
constexpr int k_rounds = 6;

std::string first_line(const std::string& s) {
  std::string line = s.substr(0, s.find('\n'));
  while (!line.empty() && (line.back() == ' ' || line.back() == '\r')) {
    line.pop_back();
  }
  return line;
}

} // namespace

void Seeder::reset() {
  m_configured = nullptr;
  m_emptied.clear();
  m_next_row.clear();
  m_failed.clear();
  m_said.clear();
  m_seeded.clear();
  m_xids.clear();
}

SeedReport Seeder::seed(pqxx::connection& connection, const std::set<std::string>& grow) {
  const auto started = std::chrono::steady_clock::now();
  SeedReport report;
  pqxx::nontransaction n(connection);
  if (m_configured != &connection) {
    // The catalog query and the INSERTs are estimated costly enough for JIT compilation, which
    // takes longer than running them (0.4 s for the catalog query of ten tables). Both queries
    // run before most steps: prepared once, their plans are kept.
    n.exec("SET jit = off");
    connection.prepare("miglint_seed_candidates", k_candidates);
    connection.prepare("miglint_seed_catalog", k_catalog);
    m_configured = &connection;
  }
  std::set<std::string> empty;
  std::set<std::string> growing;
  std::set<std::string> check = grow;
  check.insert(m_emptied.begin(), m_emptied.end());
  std::map<std::string, std::string> emptied; // OID -> name: tables clear() emptied
  for (const auto& row : n.exec_prepared("miglint_seed_candidates", oid_array(check))) {
    const std::string oid = row[0].c_str();
    if (row[1].as<bool>()) {
      empty.insert(oid);
    } else if (m_emptied.contains(oid)) {
      emptied[oid] = row[2].c_str();
    } else {
      growing.insert(oid);
    }
  }
  m_emptied.clear();
  if (!emptied.empty()) {
    // Deleting rows leaves a table's pages: whether it has rows is asked of the table.
    std::string q;
    for (const auto& [oid, name] : emptied) {
      q += (q.empty() ? "" : " UNION ALL ") + std::string("SELECT ") + oid + "::oid::text, " +
           "EXISTS (SELECT 1 FROM ONLY " + name + ")";
    }
    for (const auto& row : n.exec(q)) {
      const std::string oid = row[0].c_str();
      if (!row[1].as<bool>()) {
        empty.insert(oid);
      } else if (grow.contains(oid)) {
        growing.insert(oid);
      }
    }
  }
  if (empty.empty() && growing.empty()) {
    return report;
  }
  std::set<std::string> all = empty;
  all.insert(growing.begin(), growing.end());
  const json doc =
      json::parse(n.exec_prepared("miglint_seed_catalog", oid_array(all))[0][0].c_str());
  std::map<std::string, Table> tables;
  std::map<std::string, Type> types;
  read_catalog(doc, tables, types);
  const Generator generator(types, m_options.seed, m_options.rows);
  const Planner planner(generator);

  for (const Table* t : dependency_order(tables, all)) {
    const bool is_empty = empty.contains(t->oid);
    const size_t want = is_empty ? m_options.rows : std::max<size_t>(1, m_options.rows / 10);
    if (want == 0) {
      continue;
    }
    auto failed = m_failed.find(t->name);
    if (failed != m_failed.end() && failed->second == t->definition) {
      continue; // said already; the table has not changed since
    }
    uint64_t& next = m_next_row[t->oid];
    size_t total = 0;
    std::string error;
    std::string diagnosis;
    for (int variant = 0; variant < 3 && total == 0; ++variant) {
      const Plan plan = planner.plan(*t, variant);
      if (!plan.error.empty()) {
        error = plan.error;
        break;
      }
      error.clear();
      diagnosis.clear();
      uint64_t count = want;
      for (int round = 0; round < k_rounds && total < want; ++round) {
        const uint64_t start = next;
        next += count;
        try {
          const pqxx::result r = n.exec(plan.insert(start, count, want - total));
          const size_t inserted = r[0][0].as<size_t>();
          if (!r[0][1].is_null()) {
            const uint64_t xid = r[0][1].as<uint64_t>();
            report.xids.insert(xid);
            m_xids.insert(xid);
          }
          total += inserted;
          if (inserted == 0) {
            if (total == 0) {
              diagnosis = plan.diagnosis(start, count);
            }
            break;
          }
          const uint64_t missing = want - std::min(want, total);
          const uint64_t rate = (count + inserted - 1) / inserted;
          count = std::min<uint64_t>(missing * rate, missing * 8);
        } catch (const pqxx::broken_connection&) {
          throw;
        } catch (const pqxx::sql_error& e) {
          error = first_line(e.what());
          break;
        }
      }
      if (total == 0 && error.empty() && !diagnosis.empty()) {
        // Which condition no generated row met.
        try {
          const pqxx::row r = n.exec(diagnosis)[0];
          const Plan& p = plan;
          for (size_t k = 0; k < p.filters.size(); ++k) {
            if (r[static_cast<int>(k + 1)].as<uint64_t>() == r[0].as<uint64_t>()) {
              error = "no generated row satisfies " + p.filters[k].label;
              break;
            }
          }
          if (error.empty()) {
            error = "every generated row was a duplicate of a unique key";
          }
        } catch (const pqxx::sql_error& e) {
          error = first_line(e.what());
        }
      }
    }
    if (total > 0) {
      report.tables.push_back(t->name);
      report.rows += total;
      m_seeded.push_back(t->oid);
      m_failed.erase(t->name);
    } else if (is_empty) {
      m_failed[t->name] = t->definition;
      const std::string reason = error.empty() ? "no generated row could be inserted" : error;
      if (std::exchange(m_said[t->name], reason) != reason) {
        report.problems.push_back({t->name, reason});
      }
    }
  }
  report.ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  return report;
}

bool Seeder::clear(pqxx::connection& connection, const std::string& text, bool all,
                   std::set<uint64_t>& xids) {
  if (m_seeded.empty()) {
    return false;
  }
  std::string xmins = "{";
  for (uint64_t x : m_xids) {
    xmins += (xmins.size() > 1 ? "," : "") + std::to_string(x & 0xffffffffULL);
  }
  xmins += "}";
  std::set<std::string> seen(m_seeded.begin(), m_seeded.end());
  pqxx::nontransaction n(connection);
  // The seeded tables `text` names, and those that refer to them (their rows would keep the
  // named ones' rows from being deleted), transitively, among the seeded ones.
  std::set<std::string> named;
  for (const auto& row : n.exec_params(
           "SELECT c.oid::text, lower(c.relname) FROM pg_class c WHERE c.oid = ANY($1::oid[])",
           oid_array(seen))) {
    if (all || mentions(text, row[1].c_str())) {
      named.insert(row[0].c_str());
    }
  }
  std::map<std::string, std::string> by_oid; // OID -> quoted name
  if (!named.empty()) {
    for (const auto& row : n.exec_params(
             "WITH RECURSIVE t(oid) AS (SELECT unnest($1::oid[]) UNION SELECT c.conrelid "
             "FROM pg_constraint c JOIN t ON c.confrelid = t.oid WHERE c.contype = 'f') "
             "SELECT r.oid::text, quote_ident(s.nspname) || '.' || quote_ident(r.relname) "
             "FROM t JOIN pg_class r ON r.oid = t.oid "
             "JOIN pg_namespace s ON s.oid = r.relnamespace WHERE r.relkind = 'r'",
             oid_array(named))) {
      if (seen.contains(row[0].c_str())) {
        by_oid[row[0].c_str()] = row[1].c_str();
      }
    }
  }
  if (by_oid.empty()) {
    return false;
  }
  // Children first: the reverse of the order they were seeded in.
  std::vector<std::string> names;
  std::set<std::string> done;
  for (auto it = m_seeded.rbegin(); it != m_seeded.rend(); ++it) {
    if (auto t = by_oid.find(*it); t != by_oid.end() && done.insert(*it).second) {
      names.push_back(t->second);
    }
  }
  std::string script = "BEGIN;";
  for (const auto& name : names) {
    // A migration that rewrote the table (ALTER COLUMN TYPE, a volatile default) copied every
    // row with its own transaction as xmin: then no row has a seeding one, and the seeded rows
    // are those of the oldest xmin left (rows written since have newer ones).
    const std::string seeded = "xmin::text::int8 = ANY('" + xmins + "'::int8[])";
    script += " DELETE FROM ONLY " + name + " WHERE " + seeded +
              " OR (NOT EXISTS (SELECT FROM ONLY " + name + " WHERE " + seeded +
              ") AND xmin = (SELECT xmin FROM ONLY " + name + " ORDER BY age(xmin) DESC LIMIT 1));";
  }
  script += " SELECT txid_current_if_assigned();";
  try {
    const pqxx::result r = n.exec(script);
    if (!r[0][0].is_null()) {
      xids.insert(r[0][0].as<uint64_t>());
    }
    n.exec("COMMIT");
  } catch (const pqxx::broken_connection&) {
    throw;
  } catch (const pqxx::sql_error&) {
    n.exec("ROLLBACK");
    std::string list;
    for (const auto& name : names) {
      list += (list.empty() ? "" : ", ") + name;
    }
    try {
      const pqxx::result r =
          n.exec("BEGIN; TRUNCATE " + list + " CASCADE; SELECT txid_current_if_assigned()");
      if (!r[0][0].is_null()) {
        xids.insert(r[0][0].as<uint64_t>());
      }
      n.exec("COMMIT");
    } catch (const pqxx::broken_connection&) {
      throw;
    } catch (const pqxx::sql_error&) {
      n.exec("ROLLBACK"); // the rows stay: the caller's retry then fails as the first attempt
      return false;
    }
  }
  for (const auto& [oid, name] : by_oid) {
    m_emptied.insert(oid);
  }
  std::erase_if(m_seeded, [&](const std::string& oid) { return by_oid.contains(oid); });
  if (m_seeded.empty()) {
    m_xids.clear();
  }
  return true;
}

} // namespace miglint::roundtrip
