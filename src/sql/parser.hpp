#pragma once

#include "sql/statement.hpp"

#include <string_view>

namespace miglint::sql {

// Splits and parses a script with libpg_query (PostgreSQL 15 grammar). Never throws on bad input:
// a statement that does not parse becomes a SyntaxError and the others are still returned.
ParsedScript parse(std::string_view sql);

} // namespace miglint::sql
