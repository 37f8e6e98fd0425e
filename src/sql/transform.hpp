#pragma once

// Private to src/sql/: libpg_query's raw parser and the walk of the C parse nodes it returns into
// the owned model. transform.cpp is the one translation unit that includes PostgreSQL's server
// headers (the node structs of PostgreSQL 15, the grammar libpg_query 15 is built on); nothing
// declared here mentions them.

#include "sql/statement.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace miglint::sql {

// The grammar's error for a text that does not parse.
struct RawParseError {
  std::string message;
  int cursorpos = 0; // 1-based character (not byte) position in the parsed text; 0: unknown
};

// Where parse_statements puts the statements of a text, in order.
class StatementSink {
public:
  virtual ~StatementSink() = default;
  // At most `count` statements follow (fewer when some are only white space and comments).
  virtual void expect(size_t count) = 0;
  // Takes a statement's [begin, end) in the script (a RawStmt's stmt_location/stmt_len, made
  // absolute) and returns its trimmed span, recording the comments before it; an empty span
  // drops the statement.
  virtual Span trim(uint32_t begin, uint32_t end) = 0;
  virtual void add(Statement&& statement) = 0;
};

// Parses `text`, a NUL-terminated copy of script[base, base + length), with libpg_query's raw
// parser (`pg_query_raw_parse`, PostgreSQL 15 grammar) in a memory context of the calling
// thread, and gives `out` one Statement per statement, its offsets in the whole script.
// `script` is the whole script's text, for the spans of ALTER TABLE subcommands (empty: none).
// On a syntax error gives nothing and returns the error. Thread-safe: libpg_query keeps its
// memory contexts per thread.
std::optional<RawParseError> parse_statements(const char* text, uint32_t base, uint32_t length,
                                              std::string_view script, StatementSink& out);

} // namespace miglint::sql
