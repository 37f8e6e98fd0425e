#pragma once

#include "sql/statement.hpp"

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace miglint::lint {

struct ColumnInfo {
  std::string name;
  sql::TypeName type;
  bool not_null = false;
};

struct CheckInfo {
  std::string column; // the column a `col IS NOT NULL` check proves non-null, if any
  bool validated = true;
};

struct TableInfo {
  std::vector<ColumnInfo> columns;
  std::map<std::string, CheckInfo> checks; // by constraint name
  // Its CREATE TABLE was read, so `columns` lists every column (otherwise only those the
  // migrations added after a creation miglint did not see).
  bool complete = false;
  bool partitioned = false; // PARTITION BY (PostgreSQL 10+): indexes on it are partitioned indexes

  const ColumnInfo* column(std::string_view name) const;
  ColumnInfo* column(std::string_view name);
  // A validated CHECK (col IS NOT NULL) exists (PostgreSQL >= 12 then skips the SET NOT NULL scan).
  bool has_validated_not_null_check(std::string_view column) const;
};

// What miglint knows of the schema from the migrations it has read so far, in order. It only
// learns from statements (no database), so anything created outside the history is unknown.
class SchemaState {
public:
  void apply(const sql::Statement& statement);

  const TableInfo* table(const sql::QualifiedName& name) const;
  // The table an index belongs to, when the index's creation was seen.
  std::optional<sql::QualifiedName> table_of_index(const sql::QualifiedName& index) const;
  // Whether the history created this index (CREATE INDEX, or a named UNIQUE / PRIMARY KEY
  // constraint, whose index has the constraint's name) and has not dropped it since.
  bool has_index(const sql::QualifiedName& index) const {
    return m_index_tables.contains(index.key());
  }
  // Whether the history created this enum type (CREATE TYPE ... AS ENUM) and has not dropped it.
  bool has_type(const sql::QualifiedName& type) const { return m_types.contains(type.key()); }

private:
  void apply_alter(const sql::AlterTable& alter);
  void add_constraint_index(const sql::Constraint& c, const sql::QualifiedName& table);

  std::map<std::string, TableInfo> m_tables;                // by QualifiedName::key()
  std::map<std::string, sql::QualifiedName> m_index_tables; // index key -> table
  std::set<std::string> m_types;                            // enum types, by key
};

} // namespace miglint::lint
