#pragma once

#include "sql/statement.hpp"

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
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
  // The names of its constraints of every kind that miglint saw added and not dropped: those
  // written in the SQL, and those PostgreSQL names itself where miglint derives the name (an
  // unnamed PRIMARY KEY, UNIQUE or EXCLUDE). Unnamed CHECK and FOREIGN KEY constraints are not
  // in it: see SchemaState::maybe_generated_name.
  std::set<std::string> constraints;
  // Its CREATE TABLE was read, so `columns` lists every column (otherwise only those the
  // migrations added after a creation miglint did not see). False for a partition and a table
  // created with INHERITS or LIKE, which get columns and constraints the statement does not list.
  bool complete = false;
  // A CREATE TABLE of it was read (complete or not): it did not exist before the history.
  bool created = false;
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
  std::string renamed_from;        // the name ALTER TYPE ... RENAME TO last gave up, if any
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
  // Whether the model holds every table of the database the history ran on: it read at least
  // one CREATE TABLE, and every table it knows of was created by the history (none was only
  // altered, as a history that starts after its tables' creation shows).
  bool rooted() const;
  // Whether the history dropped this table (DROP TABLE) or renamed it away, and has not created
  // it again: it does not exist, whatever the database held before the history.
  bool table_gone(const sql::QualifiedName& name) const {
    return m_gone_tables.contains(name.key()) && !m_tables.contains(name.key());
  }
  // Whether a CREATE TABLE AS (or SELECT INTO, CREATE MATERIALIZED VIEW) of this name was read.
  bool created_as(const sql::QualifiedName& name) const {
    return m_created_as.contains(name.key());
  }
  // Whether PostgreSQL may have given `name` itself to an index or constraint of a table the
  // history named: `<table>_<columns>_<label>[N]` with a label of ChooseIndexName /
  // ChooseConstraintName (idx, key, pkey, excl, fkey, check, not_null), or any 63-byte name with
  // such a label (truncated, table part included). Such a name is never assumed absent, because
  // miglint does not follow every name PostgreSQL generates (foreign keys, checks, partitions'
  // indexes, LIKE ... INCLUDING INDEXES).
  bool maybe_generated_name(std::string_view name) const;
  // The name PostgreSQL 13-18 gives an unnamed index or index-backed constraint on `table`
  // (indexcmds.c ChooseIndexName, ChooseIndexColumnNames, ChooseIndexNameAddition; namespace.c
  // makeObjectName; ChooseRelationName): `<table>_<col>_<col>_<label>`, each part cut so that
  // the whole fits 63 bytes, with 1, 2, ... after the label while the name is taken by a
  // relation the model knows. `label` is "idx" (CREATE INDEX), "key" (UNIQUE), "pkey", "excl".
  // Empty when the columns cannot be named. Checked on PostgreSQL 15 by
  // tests/unit/schema_names_test.cpp.
  std::string choose_index_name(const sql::QualifiedName& table,
                                const std::vector<std::string>& columns,
                                std::string_view label) const;

private:
  void apply_alter(const sql::AlterTable& alter);
  void add_constraint_index(const sql::Constraint& c, const sql::QualifiedName& table,
                            TableInfo& info);
  void add_constraint(const sql::Constraint& c, const sql::QualifiedName& table, TableInfo& info);
  void note_relation(const sql::QualifiedName& name);
  void apply_do_block(const sql::DoBlock& block);
  void create_enum(const sql::QualifiedName& name, std::vector<std::string> labels);
  void drop_type(const sql::QualifiedName& name);

  std::map<std::string, TableInfo> m_tables;  // by QualifiedName::key()
  std::map<std::string, IndexInfo> m_indexes; // by QualifiedName::key()
  std::map<std::string, EnumInfo> m_enums;    // by QualifiedName::key()
  std::set<std::string> m_dropped_types;      // QualifiedName::key()
  std::set<std::string> m_domains;            // QualifiedName::key()
  std::set<std::string> m_relation_names;     // every relation the history named, bare
  std::set<std::string> m_gone_tables;        // QualifiedName::key(): see table_gone
  std::set<std::string> m_created_as;         // QualifiedName::key(): CREATE TABLE AS
  bool m_any_created = false;                 // a CREATE TABLE was read
};

} // namespace miglint::lint
