#pragma once

#include "sql/statement.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace miglint::sql {

// Scripts of at least twice this many bytes are parsed in pieces of about this size.
inline constexpr size_t k_parse_chunk = 64 * 1024;

// Splits and parses a script with libpg_query (PostgreSQL 15 grammar). Never throws on bad input:
// a statement that does not parse becomes a SyntaxError and the others are still returned.
// A script of 2 * `chunk` bytes or more is parsed in pieces of about `chunk` bytes cut between
// statements, on up to `jobs` threads (0: core::resolve_jobs' default); the result is the same
// for every `jobs` and `chunk` (0: never cut) and the same as parsing the script whole.
ParsedScript parse(std::string_view sql, unsigned jobs = 1, size_t chunk = k_parse_chunk);

// Offsets just after the semicolons that end statements, the first at or after `target` bytes and
// each next one at least `target` bytes after the previous (none at the very end). Knows quotes,
// dollar quotes, E'' escapes and comments, not SQL-standard function bodies (BEGIN ATOMIC ...
// END), whose semicolons it may return: parse() checks every piece parses on its own.
std::vector<uint32_t> chunk_ends(std::string_view sql, size_t target);

} // namespace miglint::sql
