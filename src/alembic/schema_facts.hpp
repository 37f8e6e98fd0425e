#pragma once

#include "alembic/translate.hpp"
#include "sql/statement.hpp"

namespace miglint::alembic {

// Updates `facts` with what one parsed script does to the schema (CREATE/ALTER/DROP TABLE,
// CREATE/DROP INDEX, renames, CREATE/DROP TYPE ... AS ENUM), the way PostgreSQL names what is
// left unnamed (`<table>_pkey`, `<table>_<column>_key`, `_fkey`, `_check`). Statements it does
// not model leave the facts as they were. `text`, the script's text when at hand, gives the
// expressions of CHECK constraints as written (ConstraintFacts::sqltext).
void learn(SchemaFacts& facts, const sql::ParsedScript& script, std::string_view text = {});

// A column default as PostgreSQL stores and prints it (pg_get_expr of pg_attrdef.adbin, which
// SQLAlchemy's inspector reports and a reflected copy renders again), from the expression as
// written for a column of `type` (ColumnFacts::type): `'[]'` on jsonb -> `'[]'::jsonb`, `'x'` on
// varchar -> `'x'::character varying`, `'0'` on integer -> `0`, `-1` -> `'-1'::integer`, `TRUE`
// -> `true`, `NOW()` -> `now()`, `current_timestamp` -> `CURRENT_TIMESTAMP`, `nextval('s')` ->
// `nextval('s'::regclass)`. nullopt when miglint does not know how PostgreSQL prints it (dates
// and times, which it normalises; operators; casts to other types) and for NULL (not stored).
// Source: PostgreSQL's ruleutils.c get_const_expr (negative numbers and non-default-typed
// constants are quoted and cast; implicit coercions are not shown).
std::optional<std::string> stored_default(const std::string& written, const std::string& type,
                                          const SchemaFacts& facts);

// Translates again, in upgrade order, the revisions whose code asked what the database holds
// (`asked[i]`, from a first translation without facts): each with the facts the upgrades before
// it built (its downgrade with the facts after its own upgrade). `order` and `migrations` are
// parallel; the migrations' scripts and unanalyzable-code findings are replaced. Revisions that
// asked nothing are parsed only when a later one asks.
void answer_schema_questions(const std::vector<const Revision*>& order,
                             const std::vector<char>& asked,
                             std::vector<source::Migration>& migrations,
                             const NamingConvention* naming = nullptr);

} // namespace miglint::alembic
