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
};

struct EnumFacts {
  std::string schema;
  std::string name;
  std::vector<std::string> labels;
};

struct SchemaFacts {
  std::map<std::string, TableFacts> tables;
  std::map<std::string, EnumFacts> enums;
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
