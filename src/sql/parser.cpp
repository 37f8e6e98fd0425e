#include "sql/parser.hpp"

#include "sql/pg_query_owner.hpp"
#include "sql/transform.hpp"

#include <cstring>
#include <string>

namespace miglint::sql {
namespace {

using detail::ParseResult;
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

class ScriptParser {
public:
  explicit ScriptParser(std::string_view sql) : m_text(sql) {}

  ParsedScript run() {
    if (auto nul = m_text.find('\0'); nul != std::string::npos) {
      const auto at = static_cast<uint32_t>(nul);
      m_out.errors.push_back(
          {"the script contains a NUL byte; the rest is not read", at, {at, at}});
      m_text.resize(nul);
    }
    ParseResult whole(pg_query_parse(m_text.c_str()));
    if (whole->error == nullptr) {
      add_tree(whole, 0, size());
    } else {
      recover();
    }
    skip_gap(m_text, m_prev_end, size(), m_out.comments);
    return std::move(m_out);
  }

private:
  uint32_t size() const { return static_cast<uint32_t>(m_text.size()); }

  // Adds the statements of a successful parse of m_text[base, base + length).
  void add_tree(const ParseResult& result, uint32_t base, uint32_t length) {
    simdjson::dom::element tree;
    simdjson::dom::array stmts;
    const char* json = result->parse_tree;
    if (m_json.parse(json, std::strlen(json)).get(tree) != simdjson::SUCCESS) {
      m_out.errors.push_back({"libpg_query returned an unreadable parse tree", base, {base, base}});
      return;
    }
    if (tree["stmts"].get(stmts) != simdjson::SUCCESS) {
      return; // only comments and white space
    }
    for (simdjson::dom::element raw : stmts) {
      // Both are left out when 0; a length of 0 means "to the end of the text".
      const auto location_field = raw["stmt_location"].get_int64();
      const auto len_field = raw["stmt_len"].get_int64();
      const int64_t location = location_field.error() ? 0 : location_field.value_unsafe();
      const int64_t len = len_field.error() ? 0 : len_field.value_unsafe();
      simdjson::dom::element stmt;
      const uint32_t begin = base + static_cast<uint32_t>(location);
      const uint32_t end = len == 0 ? base + length : begin + static_cast<uint32_t>(len);
      const Span span = trim(begin, end);
      if (span.begin < span.end && raw["stmt"].get(stmt) == simdjson::SUCCESS) {
        m_out.statements.push_back(transform_statement(stmt, span, base, m_text));
      }
    }
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

  // The whole script did not parse: split it with the scanner and parse statement by statement,
  // so one bad statement does not hide the findings of the others.
  void recover() {
    SplitResult split(pg_query_split_with_scanner(m_text.c_str()));
    if (split->error != nullptr) {
      const uint32_t at = char_pos_to_byte(m_text, split->error->cursorpos);
      const Span span = trim(m_prev_end, size());
      m_out.errors.push_back({split->error->message, at, span});
      return;
    }
    for (int i = 0; i < split->n_stmts; ++i) {
      const PgQuerySplitStmt* piece = split->stmts[i];
      const auto begin = static_cast<uint32_t>(piece->stmt_location);
      const uint32_t end =
          piece->stmt_len == 0 ? size() : begin + static_cast<uint32_t>(piece->stmt_len);
      const std::string text = m_text.substr(begin, end - begin);
      ParseResult one(pg_query_parse(text.c_str()));
      if (one->error == nullptr) {
        add_tree(one, begin, end - begin);
      } else {
        const Span span = trim(begin, end);
        const uint32_t at = begin + char_pos_to_byte(text, one->error->cursorpos);
        m_out.errors.push_back({one->error->message, std::max(at, span.begin), span});
      }
    }
  }

  std::string m_text;           // NUL-terminated copy for the C API
  simdjson::dom::parser m_json; // reads libpg_query's JSON parse trees; reused per script
  ParsedScript m_out;
  uint32_t m_prev_end = 0;
};

} // namespace

ParsedScript parse(std::string_view sql) {
  return ScriptParser(sql).run();
}

} // namespace miglint::sql
