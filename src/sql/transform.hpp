#pragma once

// Private to src/sql/: turns one statement of libpg_query's JSON parse tree into the owned model.

#include "sql/statement.hpp"

#include <simdjson.h>

namespace miglint::sql {

// `stmt` is a RawStmt's "stmt" value ({"AlterTableStmt": {...}}); `base` is the offset in the
// script of the text that was parsed (node locations are relative to it); `span` is the
// statement's trimmed span in the script; `script` the script's text (for the spans of ALTER TABLE
// subcommands, which the parse tree does not locate; empty: none).
Statement transform_statement(simdjson::dom::element stmt, Span span, uint32_t base,
                              std::string_view script);

} // namespace miglint::sql
