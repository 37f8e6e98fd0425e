#include "python/lexer.hpp"

#include <array>

namespace miglint::python {
namespace {

bool is_ident_start(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
}

bool is_ident_char(unsigned char c) {
  return is_ident_start(c) || (c >= '0' && c <= '9');
}

bool is_string_prefix(std::string_view p) {
  if (p.size() > 2) {
    return false;
  }
  bool raw = false;
  bool other = false;
  for (char c : p) {
    switch (c) {
    case 'r':
    case 'R':
      if (raw) {
        return false;
      }
      raw = true;
      break;
    case 'b':
    case 'B':
    case 'f':
    case 'F':
    case 'u':
    case 'U':
      if (other) {
        return false;
      }
      other = true;
      break;
    default:
      return false;
    }
  }
  return !(p.size() == 2 && (p[0] == 'u' || p[0] == 'U' || p[1] == 'u' || p[1] == 'U'));
}

// Indentation measured two ways, as CPython does to detect inconsistent tabs and spaces: with
// tabs to the next multiple of 8, and with tabs as one column.
struct Indent {
  int tab8 = 0;
  int tab1 = 0;
};

class Lexer {
public:
  explicit Lexer(std::string_view src) : m_src(src) {}

  Lexed run() {
    if (m_src.substr(0, 3) == "\xEF\xBB\xBF") {
      m_pos = 3;
    }
    m_indents.push_back({0, 0});
    while (m_pos < m_src.size()) {
      if (m_line_start && m_depth == 0) {
        if (!indentation()) {
          continue; // blank or comment-only line
        }
      }
      step();
    }
    if (!m_out.tokens.empty() && m_out.tokens.back().kind != Tok::Newline) {
      push(Tok::Newline, m_pos, m_pos);
    }
    while (m_indents.size() > 1) {
      m_indents.pop_back();
      push(Tok::Dedent, m_pos, m_pos);
    }
    push(Tok::End, m_pos, m_pos);
    return std::move(m_out);
  }

private:
  void push(Tok kind, size_t begin, size_t end) {
    m_out.tokens.push_back({kind, static_cast<uint32_t>(begin), static_cast<uint32_t>(end),
                            m_src.substr(begin, end - begin)});
  }

  void error(std::string message, size_t at) {
    m_out.errors.push_back({std::move(message), static_cast<uint32_t>(at)});
  }

  bool at_newline(size_t i) const { return m_src[i] == '\n' || m_src[i] == '\r'; }

  void skip_newline() {
    if (m_src[m_pos] == '\r' && m_pos + 1 < m_src.size() && m_src[m_pos + 1] == '\n') {
      ++m_pos;
    }
    ++m_pos;
  }

  // At the start of a logical line: measures its indentation and emits INDENT/DEDENT. Returns
  // false for a blank or comment-only line (which is consumed).
  bool indentation() {
    Indent ind;
    size_t i = m_pos;
    while (i < m_src.size() && (m_src[i] == ' ' || m_src[i] == '\t' || m_src[i] == '\f')) {
      if (m_src[i] == '\t') {
        ind.tab8 = (ind.tab8 / 8 + 1) * 8;
        ind.tab1 += 1;
      } else if (m_src[i] == ' ') {
        ind.tab8 += 1;
        ind.tab1 += 1;
      } else {
        ind = {};
      }
      ++i;
    }
    if (i >= m_src.size()) {
      m_pos = i;
      return false;
    }
    if (at_newline(i) || m_src[i] == '#') {
      m_pos = i;
      if (m_src[i] == '#') {
        comment();
      }
      if (m_pos < m_src.size()) {
        skip_newline();
      }
      return false;
    }
    m_pos = i;
    m_line_start = false;
    const Indent top = m_indents.back();
    if ((ind.tab8 > top.tab8) != (ind.tab1 > top.tab1) ||
        (ind.tab8 == top.tab8) != (ind.tab1 == top.tab1)) {
      error("inconsistent use of tabs and spaces in indentation", i);
    }
    if (ind.tab8 > top.tab8) {
      m_indents.push_back(ind);
      push(Tok::Indent, i, i);
    } else {
      while (ind.tab8 < m_indents.back().tab8) {
        m_indents.pop_back();
        push(Tok::Dedent, i, i);
      }
      if (ind.tab8 != m_indents.back().tab8) {
        error("unindent does not match any outer indentation level", i);
        m_indents.push_back(ind);
      }
    }
    return true;
  }

  void comment() {
    size_t end = m_pos;
    while (end < m_src.size() && !at_newline(end)) {
      ++end;
    }
    m_out.comments.push_back({{static_cast<uint32_t>(m_pos), static_cast<uint32_t>(end)},
                              std::string(m_src.substr(m_pos + 1, end - m_pos - 1))});
    m_pos = end;
  }

  void step() {
    const auto c = static_cast<unsigned char>(m_src[m_pos]);
    if (c == '#') {
      comment();
    } else if (c == '\\' && m_pos + 1 < m_src.size() && at_newline(m_pos + 1)) {
      ++m_pos;
      skip_newline(); // explicit line joining
    } else if (at_newline(m_pos)) {
      if (m_depth == 0 && !m_out.tokens.empty() && m_out.tokens.back().kind != Tok::Newline) {
        push(Tok::Newline, m_pos, m_pos);
      }
      skip_newline();
      m_line_start = m_depth == 0; // inside brackets a newline does not start a logical line
    } else if (c == ' ' || c == '\t' || c == '\f') {
      ++m_pos;
    } else if (is_ident_start(c)) {
      size_t end = m_pos;
      while (end < m_src.size() && is_ident_char(static_cast<unsigned char>(m_src[end]))) {
        ++end;
      }
      if (end < m_src.size() && (m_src[end] == '"' || m_src[end] == '\'') &&
          is_string_prefix(m_src.substr(m_pos, end - m_pos))) {
        string(m_pos, end);
      } else {
        push(Tok::Name, m_pos, end);
        m_pos = end;
      }
    } else if ((c >= '0' && c <= '9') || (c == '.' && m_pos + 1 < m_src.size() &&
                                          m_src[m_pos + 1] >= '0' && m_src[m_pos + 1] <= '9')) {
      size_t end = m_pos;
      while (end < m_src.size()) {
        const char d = m_src[end];
        if (is_ident_char(static_cast<unsigned char>(d)) || d == '.') {
          ++end;
        } else if ((d == '+' || d == '-') && (m_src[end - 1] == 'e' || m_src[end - 1] == 'E') &&
                   !(m_src.substr(m_pos, 2) == "0x" || m_src.substr(m_pos, 2) == "0X")) {
          ++end;
        } else {
          break;
        }
      }
      push(Tok::Number, m_pos, end);
      m_pos = end;
    } else if (c == '"' || c == '\'') {
      string(m_pos, m_pos);
    } else {
      op();
    }
  }

  // A string literal starting at `begin` whose quote is at `quote`.
  void string(size_t begin, size_t quote) {
    const char q = m_src[quote];
    const bool triple = m_src.substr(quote, 3) == std::string(3, q);
    size_t i = quote + (triple ? 3 : 1);
    while (true) {
      if (i >= m_src.size()) {
        error(triple ? "unterminated triple-quoted string literal" : "unterminated string literal",
              begin);
        push(Tok::String, begin, m_src.size());
        m_pos = m_src.size();
        return;
      }
      const char ch = m_src[i];
      if (ch == '\\') {
        i += 2; // also in raw strings, a backslash keeps the next character in the literal
        continue;
      }
      if (!triple && at_newline(i)) {
        error("unterminated string literal", begin);
        push(Tok::String, begin, i);
        m_pos = i;
        return;
      }
      if (ch == q && (!triple || m_src.substr(i, 3) == std::string(3, q))) {
        i += triple ? 3 : 1;
        break;
      }
      ++i;
    }
    push(Tok::String, begin, i);
    m_pos = i;
  }

  void op() {
    static constexpr std::array<std::string_view, 12> three = {
        "**=", "//=", ">>=", "<<=", "...", "!=", "->", ":=", "**", "//", "<<", ">>"};
    static constexpr std::array<std::string_view, 13> two = {
        "<=", ">=", "==", "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "@=", "<>"};
    const char first = m_src[m_pos];
    for (auto t : three) {
      if (t[0] == first && m_src.substr(m_pos, t.size()) == t) {
        push(Tok::Op, m_pos, m_pos + t.size());
        m_pos += t.size();
        return;
      }
    }
    for (auto t : two) {
      if (t[0] == first && m_src.substr(m_pos, 2) == t) {
        push(Tok::Op, m_pos, m_pos + 2);
        m_pos += 2;
        return;
      }
    }
    const char c = m_src[m_pos];
    if (std::string_view("()[]{},:.;=+-*/%@&|^~<>!").find(c) == std::string_view::npos) {
      error(std::string("invalid character '") + c + "' in Python source", m_pos);
      ++m_pos;
      return;
    }
    if (c == '(' || c == '[' || c == '{') {
      ++m_depth;
    } else if ((c == ')' || c == ']' || c == '}') && m_depth > 0) {
      --m_depth;
    }
    push(Tok::Op, m_pos, m_pos + 1);
    ++m_pos;
  }

  std::string_view m_src;
  size_t m_pos = 0;
  int m_depth = 0;
  bool m_line_start = true;
  std::vector<Indent> m_indents;
  Lexed m_out;
};

} // namespace

Lexed tokenize(std::string_view source) {
  return Lexer(source).run();
}

} // namespace miglint::python
