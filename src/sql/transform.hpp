#pragma once

// Private to src/sql/: turns one libpg_query statement node into the owned model.

#include "sql/statement.hpp"

#include <pg_query/pg_query.pb-c.h>

#include <string_view>

namespace miglint::sql {

// `base` is the offset in the script of the text that was parsed (node locations are relative to
// it); `span` is the statement's trimmed span in the script.
Statement transform_statement(const PgQuery__Node& node, Span span, uint32_t base);

} // namespace miglint::sql
