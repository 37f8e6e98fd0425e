#include "sql/parser.hpp"

#include "core/parallel.hpp"
#include "sql/pg_query_owner.hpp"
#include "sql/transform.hpp"

#include <atomic>
#include <string>

namespace miglint::sql {
namespace {

using detail::SplitResult;

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

// Skips white space, semicolons and comments in [pos, limit), recording the comments; returns
// the offset of the first byte of a token (or `limit`). Between statements there is nothing else.
uint32_t skip_gap(std::string_view sql, uint32_t pos, uint32_t limit, std::vector<Comment>& out) {
  while (pos < limit) {
    const char c = sql[pos];
    if (is_space(c) || c == ';') {
      ++pos;
    } else if (c == '-' && pos + 1 < limit && sql[pos + 1] == '-') {
      uint32_t end = pos + 2;
      while (end < limit && sql[end] != '\n' && sql[end] != '\r') {
        ++end;
      }
      out.push_back({{pos, end}, std::string(sql.substr(pos + 2, end - pos - 2))});
      pos = end;
    } else if (c == '/' && pos + 1 < limit && sql[pos + 1] == '*') {
      uint32_t end = pos + 2;
      int depth = 1; // PostgreSQL block comments nest
      while (end < limit && depth > 0) {
        if (sql[end] == '/' && end + 1 < limit && sql[end + 1] == '*') {
          ++depth;
          end += 2;
        } else if (sql[end] == '*' && end + 1 < limit && sql[end + 1] == '/') {
          --depth;
          end += 2;
        } else {
          ++end;
        }
      }
      const uint32_t body_end = depth == 0 ? end - 2 : end;
      out.push_back({{pos, end}, std::string(sql.substr(pos + 2, body_end - pos - 2))});
      pos = end;
    } else {
      break;
    }
  }
  return pos;
}

// libpg_query reports error positions as 1-based character (not byte) positions.
uint32_t char_pos_to_byte(std::string_view text, int cursorpos) {
  uint32_t chars = 0;
  const auto target = static_cast<uint32_t>(cursorpos > 0 ? cursorpos - 1 : 0);
  for (uint32_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
      if (chars == target) {
        return i;
      }
      ++chars;
    }
  }
  return static_cast<uint32_t>(text.size());
}

// Parses the statements of text[begin, end) of a script into one ParsedScript, with offsets into
// the whole text. A range starts at the script's start or just after a semicolon between
// statements, and ends at the script's end or just after one.
class ScriptParser {
public:
  ScriptParser(std::string_view text, uint32_t begin, uint32_t end)
      : m_text(text), m_begin(begin), m_end(end), m_prev_end(begin) {}

  // Parses the range as one text; false (and nothing recorded) when some statement in it does
  // not parse.
  bool parse_whole() {
    const std::string copy(m_text.substr(m_begin, m_end - m_begin)); // NUL-terminated for the C API
    return !add_statements(copy.c_str(), m_begin, m_end - m_begin).has_value();
  }

  // The range did not parse: split it with the scanner and parse statement by statement, so one
  // bad statement does not hide the findings of the others.
  void recover() {
    const std::string copy(m_text.substr(m_begin, m_end - m_begin));
    SplitResult split(pg_query_split_with_scanner(copy.c_str()));
    if (split->error != nullptr) {
      const uint32_t at = m_begin + char_pos_to_byte(copy, split->error->cursorpos);
      const Span span = trim(m_prev_end, m_end);
      m_out.errors.push_back({split->error->message, at, span});
      return;
    }
    for (int i = 0; i < split->n_stmts; ++i) {
      const PgQuerySplitStmt* piece = split->stmts[i];
      const auto begin = m_begin + static_cast<uint32_t>(piece->stmt_location);
      const uint32_t end =
          piece->stmt_len == 0 ? m_end : begin + static_cast<uint32_t>(piece->stmt_len);
      const std::string text(m_text.substr(begin, end - begin));
      if (auto error = add_statements(text.c_str(), begin, end - begin)) {
        const Span span = trim(begin, end);
        const uint32_t at = begin + char_pos_to_byte(text, error->cursorpos);
        m_out.errors.push_back({std::move(error->message), std::max(at, span.begin), span});
      }
    }
  }

  // Records the comments after the last statement and hands over the result.
  ParsedScript finish() {
    skip_gap(m_text, m_prev_end, m_end, m_out.comments);
    return std::move(m_out);
  }

private:
  // Parses `text`, a NUL-terminated copy of m_text[base, base + length), and adds its statements;
  // on a syntax error adds nothing and returns the error.
  std::optional<RawParseError> add_statements(const char* text, uint32_t base, uint32_t length) {
    return parse_statements(
        text, base, length, m_text,
        [this](uint32_t begin, uint32_t end) { return trim(begin, end); }, m_out.statements);
  }

  // Takes [begin, end) of a statement, records the comments before it and trims around it.
  Span trim(uint32_t begin, uint32_t end) {
    uint32_t start = skip_gap(m_text, std::min(m_prev_end, begin), end, m_out.comments);
    uint32_t stop = end;
    while (stop > start && is_space(m_text[stop - 1])) {
      --stop;
    }
    m_prev_end = std::max(m_prev_end, end);
    return {start, stop};
  }

  std::string_view m_text; // the whole script, without NUL bytes
  uint32_t m_begin;
  uint32_t m_end;
  ParsedScript m_out;
  uint32_t m_prev_end;
};

bool is_ident_byte(char c) {
  const auto u = static_cast<unsigned char>(c);
  return (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9') || u == '_' ||
         u == '$' || u >= 0x80;
}

// Where a dollar quote opened at sql[at] ('$') ends (just after its closing tag), or 0 when no
// dollar quote opens there ($1, a$b).
size_t dollar_quote_end(std::string_view sql, size_t at) {
  if (at > 0 && is_ident_byte(sql[at - 1])) {
    return 0;
  }
  size_t tag_end = at + 1;
  while (tag_end < sql.size() && sql[tag_end] != '$') {
    const char c = sql[tag_end];
    if (!is_ident_byte(c) || (tag_end == at + 1 && c >= '0' && c <= '9')) {
      return 0;
    }
    ++tag_end;
  }
  if (tag_end >= sql.size()) {
    return 0;
  }
  const std::string_view tag = sql.substr(at, tag_end - at + 1);
  const size_t close = sql.find(tag, tag_end + 1);
  return close == std::string_view::npos ? sql.size() : close + tag.size();
}

} // namespace

std::vector<uint32_t> chunk_ends(std::string_view sql, size_t target) {
  std::vector<uint32_t> out;
  size_t want = target;
  size_t i = 0;
  const size_t n = sql.size();
  while (i < n) {
    const char c = sql[i];
    if (c == ';') {
      ++i;
      if (i >= want && i < n) {
        out.push_back(static_cast<uint32_t>(i));
        want = i + target;
      }
    } else if (c == '-' && i + 1 < n && sql[i + 1] == '-') {
      const size_t eol = sql.find('\n', i);
      i = eol == std::string_view::npos ? n : eol + 1;
    } else if (c == '/' && i + 1 < n && sql[i + 1] == '*') {
      int depth = 1;
      i += 2;
      while (i < n && depth > 0) {
        if (sql[i] == '/' && i + 1 < n && sql[i + 1] == '*') {
          ++depth;
          i += 2;
        } else if (sql[i] == '*' && i + 1 < n && sql[i + 1] == '/') {
          --depth;
          i += 2;
        } else {
          ++i;
        }
      }
    } else if (c == '\'') {
      // E'...' strings take backslash escapes; in the others a backslash is a plain byte.
      const bool escapes = i > 0 && (sql[i - 1] == 'E' || sql[i - 1] == 'e') &&
                           (i < 2 || !is_ident_byte(sql[i - 2]));
      ++i;
      while (i < n) {
        if (escapes && sql[i] == '\\') {
          i += 2;
        } else if (sql[i] == '\'') {
          ++i;
          if (i < n && sql[i] == '\'') { // a doubled quote stays in the string
            ++i;
          } else {
            break;
          }
        } else {
          ++i;
        }
      }
    } else if (c == '"') {
      const size_t close = sql.find('"', i + 1);
      i = close == std::string_view::npos ? n : close + 1;
    } else if (c == '$') {
      const size_t end = dollar_quote_end(sql, i);
      i = end == 0 ? i + 1 : end;
    } else {
      ++i;
    }
  }
  return out;
}

ParsedScript parse(std::string_view sql, unsigned jobs, size_t chunk) {
  std::vector<SyntaxError> nul_error;
  if (auto nul = sql.find('\0'); nul != std::string_view::npos) {
    const auto at = static_cast<uint32_t>(nul);
    nul_error.push_back({"the script contains a NUL byte; the rest is not read", at, {at, at}});
    sql = sql.substr(0, nul);
  }
  const auto size = static_cast<uint32_t>(sql.size());
  auto sequential = [&] {
    ScriptParser parser(sql, 0, size);
    if (!parser.parse_whole()) {
      parser.recover();
    }
    ParsedScript out = parser.finish();
    out.errors.insert(out.errors.begin(), nul_error.begin(), nul_error.end());
    return out;
  };
  if (chunk == 0 || sql.size() < 2 * chunk) {
    return sequential();
  }
  // A long script is parsed in pieces of about `chunk` bytes, on several threads: each
  // piece's parse tree is smaller, and the pieces are independent. A cut inside something the quick
  // split above does not know (a BEGIN ATOMIC body) leaves a piece that does not parse; then, as
  // when a statement really is wrong, the script is parsed as one text, so the result never depends
  // on the cuts.
  std::vector<uint32_t> bounds = chunk_ends(sql, chunk);
  bounds.insert(bounds.begin(), 0);
  bounds.push_back(size);
  const size_t pieces = bounds.size() - 1;
  std::vector<ParsedScript> parts(pieces);
  std::atomic<bool> failed{false};
  core::parallel_for(
      pieces,
      [&](size_t i) {
        if (failed) {
          return;
        }
        ScriptParser parser(sql, bounds[i], bounds[i + 1]);
        if (parser.parse_whole()) {
          parts[i] = parser.finish();
        } else {
          failed = true;
        }
      },
      jobs);
  if (failed) {
    return sequential();
  }
  ParsedScript out;
  out.errors = std::move(nul_error);
  size_t statements = 0;
  size_t comments = 0;
  for (const auto& part : parts) {
    statements += part.statements.size();
    comments += part.comments.size();
  }
  // Reserved: a Statement's move may throw, so a growing vector would copy them.
  out.statements.reserve(statements);
  out.comments.reserve(comments);
  for (auto& part : parts) {
    auto append = [](auto& to, auto& from) {
      to.insert(to.end(), std::make_move_iterator(from.begin()),
                std::make_move_iterator(from.end()));
    };
    append(out.statements, part.statements);
    append(out.errors, part.errors);
    append(out.comments, part.comments);
  }
  return out;
}

} // namespace miglint::sql
