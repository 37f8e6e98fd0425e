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
// statements, and ends at the script's end or just after one. The statements go into
// [slots, slots_end) of a vector sized beforehand when given (move-assigned over default
// Statements), the rest into the ParsedScript's own vector.
class ScriptParser final : public StatementSink {
public:
  ScriptParser(std::string_view text, uint32_t begin, uint32_t end, Statement* slots = nullptr,
               Statement* slots_end = nullptr)
      : m_text(text), m_begin(begin), m_end(end), m_prev_end(begin), m_slot(slots),
        m_slots_end(slots_end), m_slots(slots) {}

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

  // How many statements went into the slots.
  size_t slots_used() const { return static_cast<size_t>(m_slot - m_slots); }

  // Records the comments after the last statement and hands over the result (the statements
  // that did not fit in the slots).
  ParsedScript finish() {
    skip_gap(m_text, m_prev_end, m_end, m_out.comments);
    return std::move(m_out);
  }

private:
  // Parses `text`, a NUL-terminated copy of m_text[base, base + length), and adds its statements;
  // on a syntax error adds nothing and returns the error.
  std::optional<RawParseError> add_statements(const char* text, uint32_t base, uint32_t length) {
    return parse_statements(text, base, length, m_text, *this);
  }

  void expect(size_t count) override {
    const size_t room = static_cast<size_t>(m_slots_end - m_slot);
    auto& statements = m_out.statements;
    // Room for all at once (a Statement is large), growing geometrically as push_back would:
    // recover() adds one statement at a time.
    if (const size_t need = statements.size() + (count > room ? count - room : 0);
        need > statements.capacity()) {
      statements.reserve(std::max(need, 2 * statements.capacity()));
    }
  }

  void add(Statement&& statement) override {
    if (m_slot != m_slots_end) {
      *m_slot++ = std::move(statement);
    } else {
      m_out.statements.push_back(std::move(statement));
    }
  }

  // Takes [begin, end) of a statement, records the comments before it and trims around it.
  Span trim(uint32_t begin, uint32_t end) override {
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
  Statement* m_slot;      // the next free slot
  Statement* m_slots_end; // the end of this range's slots
  Statement* m_slots;     // its first slot
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

// chunk_ends, and in `semicolons` (when given) how many semicolons between statements each
// piece holds (one more entry than the ends: the last piece's).
std::vector<uint32_t> cut(std::string_view sql, size_t target, std::vector<uint32_t>* semicolons) {
  std::vector<uint32_t> out;
  size_t want = target;
  size_t i = 0;
  uint32_t count = 0;
  const size_t n = sql.size();
  while (i < n) {
    const char c = sql[i];
    if (c == ';') {
      ++i;
      ++count;
      if (i >= want && i < n) {
        out.push_back(static_cast<uint32_t>(i));
        want = i + target;
        if (semicolons != nullptr) {
          semicolons->push_back(count);
        }
        count = 0;
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
  if (semicolons != nullptr) {
    semicolons->push_back(count);
  }
  return out;
}

} // namespace

std::vector<uint32_t> chunk_ends(std::string_view sql, size_t target) {
  return cut(sql, target, nullptr);
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
  // The statements go straight into one vector sized beforehand, each piece into its own
  // range: a piece that ends just after a semicolon holds at most as many statements as
  // semicolons, the last piece one more. Each Statement is written once, in memory touched once
  // (page faults cost more than the parse here), instead of once per piece and again when the
  // pieces are joined.
  std::vector<uint32_t> semicolons;
  std::vector<uint32_t> bounds = cut(sql, chunk, &semicolons);
  bounds.insert(bounds.begin(), 0);
  bounds.push_back(size);
  semicolons.back() += 1;
  const size_t pieces = bounds.size() - 1;
  std::vector<size_t> first_slot(pieces + 1, 0);
  for (size_t i = 0; i < pieces; ++i) {
    first_slot[i + 1] = first_slot[i] + semicolons[i];
  }
  ParsedScript out;
  out.statements.resize(first_slot[pieces]);
  std::vector<ParsedScript> parts(pieces);
  std::vector<size_t> used(pieces, 0);
  std::atomic<bool> failed{false};
  core::parallel_for(
      pieces,
      [&](size_t i) {
        if (failed) {
          return;
        }
        Statement* slots = out.statements.data();
        ScriptParser parser(sql, bounds[i], bounds[i + 1], slots + first_slot[i],
                            slots + first_slot[i + 1]);
        if (parser.parse_whole()) {
          used[i] = parser.slots_used();
          parts[i] = parser.finish();
        } else {
          failed = true;
        }
      },
      jobs);
  if (failed) {
    return sequential();
  }
  out.errors = std::move(nul_error);
  size_t comments = 0;
  bool overflow = false;
  for (const auto& part : parts) {
    comments += part.comments.size();
    overflow = overflow || !part.statements.empty();
  }
  if (overflow) {
    // A piece had more statements than its semicolons said (the quick split above miscounted):
    // each piece's slots, then the rest of its statements.
    std::vector<Statement> joined;
    joined.reserve(first_slot[pieces] + 1);
    for (size_t i = 0; i < pieces; ++i) {
      auto from = out.statements.begin() + static_cast<std::ptrdiff_t>(first_slot[i]);
      joined.insert(joined.end(), std::make_move_iterator(from),
                    std::make_move_iterator(from + static_cast<std::ptrdiff_t>(used[i])));
      joined.insert(joined.end(), std::make_move_iterator(parts[i].statements.begin()),
                    std::make_move_iterator(parts[i].statements.end()));
    }
    out.statements = std::move(joined);
  } else {
    // Close the gaps of pieces with fewer statements than slots (empty statements, a last piece
    // without statements after its last semicolon).
    size_t kept = 0;
    for (size_t i = 0; i < pieces; ++i) {
      for (size_t k = first_slot[i]; k < first_slot[i] + used[i]; ++k, ++kept) {
        if (kept != k) {
          out.statements[kept] = std::move(out.statements[k]);
        }
      }
    }
    out.statements.resize(kept);
  }
  out.comments.reserve(comments);
  for (auto& part : parts) {
    auto append = [](auto& to, auto& from) {
      to.insert(to.end(), std::make_move_iterator(from.begin()),
                std::make_move_iterator(from.end()));
    };
    append(out.errors, part.errors);
    append(out.comments, part.comments);
  }
  return out;
}

} // namespace miglint::sql
