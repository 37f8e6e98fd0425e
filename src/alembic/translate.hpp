#pragma once

#include "alembic/revision.hpp"
#include "source/migration.hpp"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace miglint::alembic {

// What the history has built before a revision, as SQLAlchemy's inspector reports it: the
// answers to `sa.inspect(bind).get_table_names()`, `get_columns()`, `get_indexes()`, ... and to
// `Enum.create(bind, checkfirst=True)`. Keys are "schema.name" ("public" when unqualified).
struct ColumnFacts {
  std::string name;
  std::string type; // as written in the DDL ("varchar(255)")
  bool nullable = true;
  std::optional<std::string> default_sql;
};

struct IndexFacts {
  std::string name;
  std::vector<std::string> columns;
  bool unique = false;
};

struct ConstraintFacts {
  std::string kind; // "primary_key", "unique", "foreign_key", "check"
  std::string name;
  std::vector<std::string> columns;
  std::string ref_schema, ref_table; // foreign_key
  std::vector<std::string> ref_columns;
  std::string ondelete, onupdate; // foreign_key: "CASCADE", ...; "" for NO ACTION
  std::string sqltext;            // check
};

struct TableFacts {
  std::string schema; // "public" when unqualified
  std::string name;
  std::vector<ColumnFacts> columns;
  std::vector<IndexFacts> indexes;
  std::vector<ConstraintFacts> constraints;
  // Where the table's pg_class row stands in that catalog's heap, as an order: the n-th table
  // created (CREATE TABLE, CREATE TABLE AS) has n. See SchemaFacts::table_order().
  size_t heap_order = 0;
};

struct EnumFacts {
  std::string schema;
  std::string name;
  std::vector<std::string> labels;
};

struct SchemaFacts {
  std::map<std::string, TableFacts> tables;
  std::map<std::string, EnumFacts> enums;
  size_t tables_created = 0; // the last TableFacts::heap_order given

  // The tables of `schema` in the order `sa.inspect(bind).get_table_names()` lists them.
  // SQLAlchemy asks `SELECT c.relname FROM pg_class c JOIN pg_namespace n ... WHERE
  // n.nspname = :schema AND c.relkind in ('r', 'p')` (1.4; 2.0's query has no ORDER BY either),
  // which PostgreSQL answers with a sequential scan of pg_class: its heap's physical order. A
  // new relation's row is added after the rows already there (free space permitting, at the
  // end), so the order is creation order. An ALTER that rewrites the row (a column added, a
  // rename) puts the new version on the same page while it fits (a HOT update, see
  // src/backend/access/heap/README.HOT), so the table keeps its place; a table rebuilt and
  // renamed into place stands where its copy was created. Not modelled: rows PostgreSQL moves
  // to another page when theirs is full, and new rows placed into free space left earlier in
  // the heap (free space map) — in long histories a few tables stand elsewhere.
  std::vector<const TableFacts*> table_order(const std::string& schema) const;
};

struct Translation {
  std::optional<source::Script> script; // absent when the function is not defined
  std::vector<core::Finding> findings;  // `unanalyzable-code`, `drop-constraint-without-name`
  // The code asked what the database holds (sa.inspect, checkfirst=True): translated without
  // `schema`, those answers were unknown; translate again with the facts of the history.
  bool asked_schema = false;
};

// Translates `def upgrade()` or `def downgrade()` into the PostgreSQL statements Alembic would
// run, the way SQLAlchemy's PostgreSQL dialect renders them. Each statement maps back to the
// `op.*` call it came from, and SQL in `op.execute("...")` into the string literal. Code it
// cannot understand becomes an `unanalyzable-code` finding at its line; `# miglint:` comments
// become SQL comments, so suppressions work as in SQL files.
// The target MetaData's naming_convention ("uq" -> "uq_%(table_name)s_%(column_0_name)s"), as
// env.py sets it.
using NamingConvention = std::map<std::string, std::string>;

// `schema`: what the history has built before this revision (after its upgrade, for the
// downgrade), or null when not known yet. `naming`: env.py's naming convention, or null.
Translation translate(const Revision& revision, core::Phase phase,
                      const SchemaFacts* schema = nullptr,
                      const NamingConvention* naming = nullptr);

} // namespace miglint::alembic
