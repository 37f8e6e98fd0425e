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
  // Created with PARTITION BY: its rows live in partitions, and its indexes are partitioned
  // indexes (PostgreSQL >= 11), which CREATE/DROP INDEX CONCURRENTLY refuse.
  bool partitioned = false;

  const ColumnInfo* column(std::string_view name) const;
  ColumnInfo* column(std::string_view name);
  // A validated CHECK (col IS NOT NULL) exists (PostgreSQL >= 12 then skips the SET NOT NULL scan).
  bool has_validated_not_null_check(std::string_view column) const;
};

struct IndexInfo {
  sql::QualifiedName table;
  std::vector<std::string> columns; // key columns in order; "" for an expression
  bool unique = false;
};

struct EnumInfo {
  sql::QualifiedName name;
  std::vector<std::string> labels; // as far as miglint saw them (ADD VALUE appends)
};

// What miglint knows of the schema from the migrations it has read so far, in order. It only
// learns from statements (no database), so anything created outside the history is unknown.
class SchemaState {
public:
  void apply(const sql::Statement& statement);

  const TableInfo* table(const sql::QualifiedName& name) const;
  // The table an index belongs to, when the index's creation was seen.
  std::optional<sql::QualifiedName> table_of_index(const sql::QualifiedName& index) const;
  // The known tables of a schema ("" = public), in name order.
  std::vector<sql::QualifiedName> tables_in_schema(const std::string& schema) const;
  // The known tables with a column of type `type` (matched by its unqualified name, as a
  // column's type is usually written), with those columns: "orders.amount".
  std::vector<std::pair<sql::QualifiedName, std::string>>
  columns_of_type(const sql::QualifiedName& type) const;
  // Whether a CREATE DOMAIN of this name was seen (and not dropped).
  bool has_domain(const sql::QualifiedName& domain) const {
    return m_domains.contains(domain.key());
  }
  // The index, when its creation was seen (an unqualified name is looked up in "public").
  const IndexInfo* index(const sql::QualifiedName& name) const;
  // An enum type the history created (CREATE TYPE ... AS ENUM, also inside a DO block) and has
  // not dropped since; null otherwise.
  const EnumInfo* enum_type(const sql::QualifiedName& name) const;
  // Whether the history dropped this type (DROP TYPE, DROP SCHEMA ... CASCADE) and has not
  // created it again: it does not exist, whatever the database held before the history.
  bool type_dropped(const sql::QualifiedName& name) const;
  bool any_type_dropped() const { return !m_dropped_types.empty(); }
  // Whether the history created this index (CREATE INDEX, or a UNIQUE / PRIMARY KEY constraint,
  // whose index has the constraint's name) and has not dropped it since.
  bool has_index(const sql::QualifiedName& name) const { return index(name) != nullptr; }

private:
  void apply_alter(const sql::AlterTable& alter);
  void add_constraint_index(const sql::Constraint& c, const sql::QualifiedName& table);
  void apply_do_block(const sql::DoBlock& block);
  void create_enum(const sql::QualifiedName& name, std::vector<std::string> labels);
  void drop_type(const sql::QualifiedName& name);

  std::map<std::string, TableInfo> m_tables;  // by QualifiedName::key()
  std::map<std::string, IndexInfo> m_indexes; // by QualifiedName::key()
  std::map<std::string, EnumInfo> m_enums;    // by QualifiedName::key()
  std::set<std::string> m_dropped_types;      // QualifiedName::key()
  std::set<std::string> m_domains;            // QualifiedName::key()
};

} // namespace miglint::lint
