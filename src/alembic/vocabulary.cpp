#include "alembic/vocabulary.hpp"

#include <array>

namespace miglint::alembic {
namespace {

// SQLAlchemy 1.4 and 2.0 generic types, their upper-case SQL standard names, and the PostgreSQL
// dialect's own (sqlalchemy.dialects.postgresql); sqlmodel's AutoString; common extensions.
constexpr std::array k_types = {
    TypeEntry{"Integer", "INTEGER", TypeArgs::None, "INTEGER"},
    TypeEntry{"INTEGER", "INTEGER", TypeArgs::None, "INTEGER"},
    TypeEntry{"INT", "INTEGER", TypeArgs::None, "INTEGER"},
    TypeEntry{"BigInteger", "BIGINT", TypeArgs::None, "BIGINT"},
    TypeEntry{"BIGINT", "BIGINT", TypeArgs::None, "BIGINT"},
    TypeEntry{"SmallInteger", "SMALLINT", TypeArgs::None, "SMALLINT"},
    TypeEntry{"SMALLINT", "SMALLINT", TypeArgs::None, "SMALLINT"},
    TypeEntry{"String", "VARCHAR", TypeArgs::Length, ""},
    TypeEntry{"VARCHAR", "VARCHAR", TypeArgs::Length, ""},
    TypeEntry{"Unicode", "VARCHAR", TypeArgs::Length, ""},
    TypeEntry{"NVARCHAR", "VARCHAR", TypeArgs::Length, ""},
    TypeEntry{"AutoString", "VARCHAR", TypeArgs::Length, ""},
    TypeEntry{"Text", "TEXT", TypeArgs::None, ""},
    TypeEntry{"TEXT", "TEXT", TypeArgs::None, ""},
    TypeEntry{"UnicodeText", "TEXT", TypeArgs::None, ""},
    TypeEntry{"CHAR", "CHAR", TypeArgs::Length, ""},
    TypeEntry{"NCHAR", "CHAR", TypeArgs::Length, ""},
    TypeEntry{"Boolean", "BOOLEAN", TypeArgs::None, ""},
    TypeEntry{"BOOLEAN", "BOOLEAN", TypeArgs::None, ""},
    TypeEntry{"DateTime", "TIMESTAMP", TypeArgs::Timezone, ""},
    TypeEntry{"TIMESTAMP", "TIMESTAMP", TypeArgs::Timezone, ""},
    TypeEntry{"DATETIME", "TIMESTAMP", TypeArgs::Timezone, ""},
    TypeEntry{"Time", "TIME", TypeArgs::Timezone, ""},
    TypeEntry{"TIME", "TIME", TypeArgs::Timezone, ""},
    TypeEntry{"Date", "DATE", TypeArgs::None, ""},
    TypeEntry{"DATE", "DATE", TypeArgs::None, ""},
    TypeEntry{"Numeric", "NUMERIC", TypeArgs::Numeric, ""},
    TypeEntry{"NUMERIC", "NUMERIC", TypeArgs::Numeric, ""},
    TypeEntry{"DECIMAL", "DECIMAL", TypeArgs::Numeric, ""},
    TypeEntry{"Float", "FLOAT", TypeArgs::Precision, ""},
    TypeEntry{"FLOAT", "FLOAT", TypeArgs::Precision, ""},
    TypeEntry{"REAL", "REAL", TypeArgs::None, ""},
    TypeEntry{"DOUBLE_PRECISION", "DOUBLE PRECISION", TypeArgs::None, ""},
    TypeEntry{"Double", "DOUBLE PRECISION", TypeArgs::None, ""},
    TypeEntry{"DOUBLE", "DOUBLE PRECISION", TypeArgs::None, ""},
    TypeEntry{"JSON", "JSON", TypeArgs::None, ""},
    TypeEntry{"JSONB", "JSONB", TypeArgs::None, ""},
    TypeEntry{"UUID", "UUID", TypeArgs::None, ""},
    TypeEntry{"Uuid", "UUID", TypeArgs::None, ""},
    TypeEntry{"INET", "INET", TypeArgs::None, ""},
    TypeEntry{"CIDR", "CIDR", TypeArgs::None, ""},
    TypeEntry{"MACADDR", "MACADDR", TypeArgs::None, ""},
    TypeEntry{"MACADDR8", "MACADDR8", TypeArgs::None, ""},
    TypeEntry{"MONEY", "MONEY", TypeArgs::None, ""},
    TypeEntry{"TSVECTOR", "TSVECTOR", TypeArgs::None, ""},
    TypeEntry{"TSQUERY", "TSQUERY", TypeArgs::None, ""},
    TypeEntry{"HSTORE", "HSTORE", TypeArgs::None, ""},
    TypeEntry{"CITEXT", "CITEXT", TypeArgs::None, ""},
    TypeEntry{"OID", "OID", TypeArgs::None, ""},
    TypeEntry{"REGCLASS", "REGCLASS", TypeArgs::None, ""},
    TypeEntry{"XML", "XML", TypeArgs::None, ""},
    TypeEntry{"INTERVAL", "INTERVAL", TypeArgs::None, ""},
    TypeEntry{"Interval", "INTERVAL", TypeArgs::None, ""},
    TypeEntry{"BYTEA", "BYTEA", TypeArgs::None, ""},
    TypeEntry{"LargeBinary", "BYTEA", TypeArgs::None, ""},
    TypeEntry{"BLOB", "BYTEA", TypeArgs::None, ""},
    TypeEntry{"BINARY", "BYTEA", TypeArgs::None, ""},
    TypeEntry{"VARBINARY", "BYTEA", TypeArgs::None, ""},
    TypeEntry{"BIT", "BIT", TypeArgs::Length, ""},
    TypeEntry{"INT4RANGE", "INT4RANGE", TypeArgs::None, ""},
    TypeEntry{"INT8RANGE", "INT8RANGE", TypeArgs::None, ""},
    TypeEntry{"NUMRANGE", "NUMRANGE", TypeArgs::None, ""},
    TypeEntry{"DATERANGE", "DATERANGE", TypeArgs::None, ""},
    TypeEntry{"TSRANGE", "TSRANGE", TypeArgs::None, ""},
    TypeEntry{"TSTZRANGE", "TSTZRANGE", TypeArgs::None, ""},
    TypeEntry{"ARRAY", "", TypeArgs::Array, ""},
    TypeEntry{"Enum", "", TypeArgs::Enum, ""},
    TypeEntry{"ENUM", "", TypeArgs::Enum, ""},
    // geoalchemy2 (PostGIS)
    TypeEntry{"Geometry", "geometry", TypeArgs::None, ""},
    TypeEntry{"Geography", "geography", TypeArgs::None, ""},
};

} // namespace

const TypeEntry* find_type(std::string_view name) {
  for (const auto& t : k_types) {
    if (t.name == name) {
      return &t;
    }
  }
  return nullptr;
}

std::optional<std::string_view> constant_construct(std::string_view name) {
  if (name == "true" || name == "true_") {
    return "true";
  }
  if (name == "false" || name == "false_") {
    return "false";
  }
  if (name == "null") {
    return "NULL";
  }
  return std::nullopt;
}

bool is_library_name(std::string_view q) {
  static constexpr std::array k_prefixes = {
      "sqlalchemy", "sqlmodel", "alembic",  "geoalchemy2", "sqlalchemy_utils",
      "datetime.",  "uuid.",    "decimal.", "enum.",       "typing.",
      "json.",      "os.",      "re.",      "time.",       "collections."};
  for (std::string_view p : k_prefixes) {
    if (q.substr(0, p.size()) == p) {
      return true;
    }
  }
  return false;
}

} // namespace miglint::alembic
