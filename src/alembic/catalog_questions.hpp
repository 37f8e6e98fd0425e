#pragma once

// Schema questions revisions ask in SQL, answered from what the history built: the "does it
// exist" queries of hand-written idempotent revisions, such as
//   conn.execute(sa.text("SELECT 1 FROM pg_indexes WHERE tablename = 't' AND indexname = 'i'"))
//       .fetchone()
// The catalog views' columns as PostgreSQL documents them: "System Views" (pg_indexes,
// pg_tables), "System Catalogs" (pg_class, pg_constraint, pg_type) and "The Information Schema"
// (tables, columns, table_constraints, key_column_usage, constraint_column_usage).

#include "alembic/translate.hpp"
#include "python/eval.hpp"

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace miglint::alembic {

// The catalog relation a SELECT reads ("pg_indexes", "information_schema.columns", ...), or ""
// when `sql` is not a SELECT of PostgreSQL's catalog.
std::string catalog_relation(std::string_view sql);

// The rows (each a Tuple value, in select-list order) `sql` returns on a database holding
// `facts`. `params` gives the values of `:name` bind parameters. Answered shapes: one catalog
// relation (pg_indexes, pg_tables, pg_class, pg_type, pg_constraint, information_schema.tables
// / columns / table_constraints) filtered by `column = 'literal'` / `= :param` conditions joined
// with AND, selecting constants, its columns or count(*), optionally wrapped in
// `SELECT EXISTS (...)`; and the incoming foreign keys of a table (table_constraints joined
// with key_column_usage and constraint_column_usage on `constraint_type = 'FOREIGN KEY'`).
// nullopt for any other shape (the caller reports it as data-dependent, naming `relation`).
std::optional<std::vector<python::ValuePtr>>
answer_catalog_query(std::string_view sql, const std::map<std::string, std::string>& params,
                     const SchemaFacts& facts, python::Span at);

} // namespace miglint::alembic
