#include "python/lexer.hpp"

#include <optional>
#include <set>

namespace miglint::python {

std::string Expr::dotted() const {
  if (kind == ExprKind::Name) {
    return text;
  }
  if (kind == ExprKind::Attribute && target) {
    const std::string base = target->dotted();
    return base.empty() ? std::string() : base + "." + text;
  }
  return {};
}

std::string Expr::chain() const {
  if (kind == ExprKind::Name) {
    return text;
  }
  if (kind == ExprKind::Attribute && target) {
    const std::string base = target->chain();
    return base.empty() ? std::string() : base + "." + text;
  }
  if (kind == ExprKind::Call && target) {
    const std::string base = target->chain();
    return base.empty() ? std::string() : base + "()";
  }
  return {};
}

namespace {

struct ParseError {
  std::string message;
  uint32_t offset;
};

// One expression on its own (an f-string field), positions moved by `offset`; null when it is
// not a whole expression.
ExprPtr parse_expression(std::string_view text, uint32_t offset);

// Decodes one string literal token into `value` (appending) and records its pieces.
struct StringLiteral {
  bool bytes = false;
  bool fstring = false;
};

int hex_value(char c) {
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  if (c >= 'a' && c <= 'f') {
    return c - 'a' + 10;
  }
  if (c >= 'A' && c <= 'F') {
    return c - 'A' + 10;
  }
  return -1;
}

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

StringLiteral decode_string(const Token& tok, std::string& value,
                            std::vector<StringPiece>& pieces) {
  StringLiteral lit;
  std::string_view t = tok.text;
  size_t q = 0;
  bool raw = false;
  while (q < t.size() && t[q] != '"' && t[q] != '\'') {
    const char c = static_cast<char>(t[q] | 0x20);
    raw |= c == 'r';
    lit.bytes |= c == 'b';
    lit.fstring |= c == 'f';
    ++q;
  }
  if (q >= t.size()) {
    return lit;
  }
  const char quote = t[q];
  const size_t qlen = t.substr(q, 3) == std::string(3, quote) ? 3 : 1;
  const size_t body_begin = q + qlen;
  size_t body_end = t.size() >= body_begin + qlen ? t.size() - qlen : t.size();
  if (body_end < body_begin || t.substr(body_end, qlen) != std::string(qlen, quote)) {
    body_end = t.size(); // unterminated: take what there is
  }
  const std::string_view body = t.substr(body_begin, body_end - body_begin);
  const uint32_t file_base = tok.begin + static_cast<uint32_t>(body_begin);

  size_t run_start = 0; // start of the current run of plain characters in `body`
  auto flush = [&](size_t end) {
    if (end > run_start) {
      const auto vb = static_cast<uint32_t>(value.size());
      value.append(body.substr(run_start, end - run_start));
      pieces.push_back({vb, static_cast<uint32_t>(value.size()),
                        file_base + static_cast<uint32_t>(run_start),
                        file_base + static_cast<uint32_t>(end), true});
    }
  };
  for (size_t i = 0; i < body.size();) {
    if (raw || body[i] != '\\' || i + 1 >= body.size()) {
      ++i;
      continue;
    }
    flush(i);
    const auto vb = static_cast<uint32_t>(value.size());
    const char e = body[i + 1];
    size_t len = 2;
    switch (e) {
    case '\n':
      break; // line continuation inside the string
    case '\r':
      if (i + 2 < body.size() && body[i + 2] == '\n') {
        len = 3;
      }
      break;
    case 'n':
      value += '\n';
      break;
    case 't':
      value += '\t';
      break;
    case 'r':
      value += '\r';
      break;
    case '0':
    case '1':
    case '2':
    case '3':
    case '4':
    case '5':
    case '6':
    case '7': {
      uint32_t v = 0;
      len = 1;
      while (len < 4 && i + len < body.size() && body[i + len] >= '0' && body[i + len] <= '7') {
        v = v * 8 + static_cast<uint32_t>(body[i + len] - '0');
        ++len;
      }
      append_utf8(value, v);
      break;
    }
    case 'x':
    case 'u':
    case 'U': {
      const size_t digits = e == 'x' ? 2 : e == 'u' ? 4 : 8;
      uint32_t v = 0;
      size_t k = 0;
      for (; k < digits && i + 2 + k < body.size() && hex_value(body[i + 2 + k]) >= 0; ++k) {
        v = v * 16 + static_cast<uint32_t>(hex_value(body[i + 2 + k]));
      }
      len = 2 + k;
      if (lit.bytes && e == 'x') {
        value += static_cast<char>(v);
      } else if (!lit.bytes && k == digits) {
        append_utf8(value, v);
      } else {
        value.append(body.substr(i, len)); // not an escape in bytes / malformed: keep as written
      }
      break;
    }
    case '\\':
    case '\'':
    case '"':
      value += e;
      break;
    case 'a':
      value += '\a';
      break;
    case 'b':
      value += '\b';
      break;
    case 'f':
      value += '\f';
      break;
    case 'v':
      value += '\v';
      break;
    default:
      value.append(body.substr(i, 2)); // unknown escapes stay as written
      break;
    }
    pieces.push_back({vb, static_cast<uint32_t>(value.size()), file_base + static_cast<uint32_t>(i),
                      file_base + static_cast<uint32_t>(i + len), false});
    i += len;
    run_start = i;
  }
  flush(body.size());
  return lit;
}

class Parser {
public:
  explicit Parser(Lexed lexed) : m_lexed(std::move(lexed)) {}

  Module run() {
    Module module;
    while (peek().kind != Tok::End) {
      if (peek().kind == Tok::Newline || peek().kind == Tok::Dedent || peek().kind == Tok::Indent) {
        if (peek().kind == Tok::Indent) {
          error("unexpected indent", peek().begin);
        }
        ++m_i;
        continue;
      }
      statement_into(module.body);
    }
    module.comments = std::move(m_lexed.comments);
    module.errors = std::move(m_lexed.errors);
    module.errors.insert(module.errors.end(), m_errors.begin(), m_errors.end());
    return module;
  }

  // One expression, for f-string fields (may throw ParseError).
  ExprPtr expression() { return testlist(); }
  bool at_end() const {
    size_t k = m_i;
    while (k < m_lexed.tokens.size() && m_lexed.tokens[k].kind == Tok::Newline) {
      ++k;
    }
    return k >= m_lexed.tokens.size() || m_lexed.tokens[k].kind == Tok::End;
  }

private:
  const Token& peek(size_t ahead = 0) const {
    const size_t i = std::min(m_i + ahead, m_lexed.tokens.size() - 1);
    return m_lexed.tokens[i];
  }
  const Token& next() {
    const Token& t = peek();
    if (m_i < m_lexed.tokens.size() - 1) {
      ++m_i;
    }
    return t;
  }
  bool accept_op(std::string_view op) {
    if (peek().is_op(op)) {
      ++m_i;
      return true;
    }
    return false;
  }
  bool accept_name(std::string_view name) {
    if (peek().is_name(name)) {
      ++m_i;
      return true;
    }
    return false;
  }
  void expect_op(std::string_view op) {
    if (!accept_op(op)) {
      throw ParseError{"expected '" + std::string(op) + "'", peek().begin};
    }
  }
  std::string expect_name() {
    if (peek().kind != Tok::Name) {
      throw ParseError{"expected a name", peek().begin};
    }
    return std::string(next().text);
  }
  void error(std::string message, uint32_t at) { m_errors.push_back({std::move(message), at}); }

  // Skips to the end of the current logical line (error recovery), and past an indented block
  // that belongs to it.
  void recover() {
    while (peek().kind != Tok::Newline && peek().kind != Tok::End) {
      ++m_i;
    }
    if (peek().kind == Tok::Newline) {
      ++m_i;
    }
    if (peek().kind == Tok::Indent) {
      int depth = 0;
      do {
        if (peek().kind == Tok::Indent) {
          ++depth;
        } else if (peek().kind == Tok::Dedent) {
          --depth;
        }
        ++m_i;
      } while (depth > 0 && peek().kind != Tok::End);
    }
  }

  // --- statements ------------------------------------------------------------------------------

  void statement_into(std::vector<Stmt>& out) {
    const size_t start = m_i;
    try {
      compound_or_simple(out);
    } catch (const ParseError& e) {
      error(e.message, e.offset);
      m_i = std::max(m_i, start);
      recover();
    }
  }

  void compound_or_simple(std::vector<Stmt>& out) {
    const Token& t = peek();
    if (t.kind == Tok::Op && t.text == "@") { // decorator: skip the line
      while (peek().kind != Tok::Newline && peek().kind != Tok::End) {
        ++m_i;
      }
      accept(Tok::Newline);
      return;
    }
    if (t.kind == Tok::Name) {
      if (t.text == "def" || (t.text == "async" && peek(1).is_name("def"))) {
        out.push_back(def());
        return;
      }
      if (t.text == "if") {
        out.push_back(if_stmt());
        return;
      }
      if (t.text == "with" || (t.text == "async" && peek(1).is_name("with"))) {
        out.push_back(with_stmt());
        return;
      }
      if (t.text == "for" || (t.text == "async" && peek(1).is_name("for"))) {
        out.push_back(for_stmt());
        return;
      }
      if (t.text == "while") {
        out.push_back(while_stmt());
        return;
      }
      if (t.text == "try") {
        out.push_back(try_stmt());
        return;
      }
      if (t.text == "class") {
        out.push_back(class_stmt());
        return;
      }
      static const std::set<std::string_view> compound = {"async", "match"};
      if (compound.contains(t.text) && !(t.text == "match" && !looks_like_block_header())) {
        out.push_back(other_compound());
        return;
      }
    }
    simple_line(out);
  }

  bool accept(Tok kind) {
    if (peek().kind == kind) {
      ++m_i;
      return true;
    }
    return false;
  }

  // `match` is a soft keyword: a block header only if the line ends with ':'.
  bool looks_like_block_header() const {
    for (size_t k = m_i; k < m_lexed.tokens.size(); ++k) {
      if (m_lexed.tokens[k].kind == Tok::Newline || m_lexed.tokens[k].kind == Tok::End) {
        return k > m_i && m_lexed.tokens[k - 1].is_op(":");
      }
    }
    return false;
  }

  std::vector<Stmt> block() {
    expect_op(":");
    std::vector<Stmt> body;
    if (!accept(Tok::Newline)) {
      simple_line(body); // `if x: pass`
      return body;
    }
    if (!accept(Tok::Indent)) {
      throw ParseError{"expected an indented block", peek().begin};
    }
    while (peek().kind != Tok::Dedent && peek().kind != Tok::End) {
      if (accept(Tok::Newline)) {
        continue;
      }
      statement_into(body);
    }
    accept(Tok::Dedent);
    return body;
  }

  Stmt def() {
    Stmt s;
    s.kind = StmtKind::Def;
    s.span.begin = peek().begin;
    accept_name("async");
    next(); // def
    s.name = expect_name();
    expect_op("(");
    bool keyword_only = false;
    while (!peek().is_op(")") && peek().kind != Tok::End) {
      Param p;
      if (peek().is_op("/")) { // positional-only marker
        next();
      } else {
        if (peek().is_op("*") || peek().is_op("**")) {
          p.star = std::string(next().text);
          if (p.star == "*" && (peek().is_op(",") || peek().is_op(")"))) {
            keyword_only = true; // bare `*`
            if (!accept_op(",")) {
              break;
            }
            continue;
          }
        }
        p.name = expect_name();
        p.keyword_only = keyword_only;
        if (accept_op(":")) {
          test(); // the annotation
        }
        if (accept_op("=")) {
          p.default_value = test();
        }
        if (p.star == "*") {
          keyword_only = true;
        }
        s.params.push_back(std::move(p));
      }
      if (!accept_op(",")) {
        break;
      }
    }
    expect_op(")");
    if (accept_op("->")) {
      test();
    }
    s.body = block();
    s.span.end = prev_end();
    return s;
  }

  Stmt for_stmt() {
    Stmt s;
    s.kind = StmtKind::For;
    s.span.begin = peek().begin;
    accept_name("async");
    next(); // for
    s.targets.push_back(target_list());
    if (!accept_name("in")) {
      throw ParseError{"expected 'in'", peek().begin};
    }
    s.value = testlist(true);
    s.body = block();
    if (accept_name("else")) {
      s.orelse = block();
    }
    s.span.end = prev_end();
    return s;
  }

  // The target of a `for`: names, attributes, subscripts, tuples of them (no comparison).
  ExprPtr target_list() {
    const uint32_t begin = peek().begin;
    ExprPtr first = peek().is_op("*") ? star() : expr_bitor();
    if (!peek().is_op(",")) {
      return first;
    }
    auto tuple = std::make_shared<Expr>();
    tuple->kind = ExprKind::Tuple;
    tuple->items.push_back(first);
    while (accept_op(",")) {
      if (peek().is_name("in") || peek().is_op("=")) {
        break;
      }
      tuple->items.push_back(peek().is_op("*") ? star() : expr_bitor());
    }
    tuple->span = {begin, prev_end()};
    return tuple;
  }

  Stmt while_stmt() {
    Stmt s;
    s.kind = StmtKind::While;
    s.span.begin = next().begin; // while
    s.test = test();
    s.body = block();
    if (accept_name("else")) {
      s.orelse = block();
    }
    s.span.end = prev_end();
    return s;
  }

  Stmt try_stmt() {
    Stmt s;
    s.kind = StmtKind::Try;
    s.span.begin = next().begin; // try
    s.body = block();
    while (peek().is_name("except")) {
      ExceptHandler h;
      h.span.begin = next().begin;
      accept_op("*"); // except*
      if (!peek().is_op(":")) {
        h.type = test();
        if (peek().is_op(",")) { // except (A, B) written without parentheses is an error; skip
          while (accept_op(",")) {
            test();
          }
        }
        if (accept_name("as")) {
          h.name = expect_name();
        }
      }
      h.body = block();
      h.span.end = prev_end();
      s.handlers.push_back(std::move(h));
    }
    if (accept_name("else")) {
      s.orelse = block();
    }
    if (accept_name("finally")) {
      s.finalbody = block();
    }
    s.span.end = prev_end();
    return s;
  }

  Stmt if_stmt() {
    Stmt s;
    s.kind = StmtKind::If;
    s.span.begin = next().begin; // if / elif
    s.test = test();
    s.body = block();
    if (peek().is_name("elif")) {
      s.orelse.push_back(if_stmt());
    } else if (accept_name("else")) {
      s.orelse = block();
    }
    s.span.end = prev_end();
    return s;
  }

  Stmt with_stmt() {
    Stmt s;
    s.kind = StmtKind::With;
    s.span.begin = peek().begin;
    accept_name("async");
    next(); // with
    do {
      WithItem item;
      item.context = test();
      if (accept_name("as")) {
        item.alias = std::string(peek().text);
        test(); // the target
      }
      s.items.push_back(std::move(item));
    } while (accept_op(","));
    s.body = block();
    s.span.end = prev_end();
    return s;
  }

  Stmt class_stmt() {
    Stmt s;
    s.kind = StmtKind::Class;
    s.span.begin = next().begin; // class
    s.name = expect_name();
    if (accept_op("(")) {
      while (!peek().is_op(")") && peek().kind != Tok::End) {
        if (peek().kind == Tok::Name && peek(1).is_op("=")) {
          next();
          next();
          test(); // metaclass=..., total=...
        } else if (peek().is_op("*") || peek().is_op("**")) {
          star();
        } else {
          s.targets.push_back(test());
        }
        if (!accept_op(",")) {
          break;
        }
      }
      expect_op(")");
    }
    s.body = block();
    s.span.end = prev_end();
    return s;
  }

  // async/match blocks: parsed only to be skipped as a whole (with their clauses).
  Stmt other_compound() {
    Stmt s;
    s.kind = StmtKind::Other;
    s.span.begin = peek().begin;
    s.keyword = std::string(peek().text == "async" ? peek(1).text : peek().text);
    while (true) {
      int depth = 0;
      while (peek().kind != Tok::End) {
        const Token& t = peek();
        if (t.is_op("(") || t.is_op("[") || t.is_op("{")) {
          ++depth;
        } else if (t.is_op(")") || t.is_op("]") || t.is_op("}")) {
          --depth;
        } else if (depth == 0 && t.is_op(":") && (peek(1).kind == Tok::Newline)) {
          break;
        } else if (t.kind == Tok::Newline) {
          throw ParseError{"expected ':'", t.begin};
        }
        ++m_i;
      }
      auto body = block();
      s.body.insert(s.body.end(), body.begin(), body.end());
      static const std::set<std::string_view> clauses = {"else", "elif", "except", "finally"};
      if (!(peek().kind == Tok::Name && clauses.contains(peek().text))) {
        break;
      }
    }
    s.span.end = prev_end();
    return s;
  }

  uint32_t prev_end() const { return m_i > 0 ? m_lexed.tokens[m_i - 1].end : 0; }

  // One line of simple statements separated by ';'.
  void simple_line(std::vector<Stmt>& out) {
    do {
      if (peek().kind == Tok::Newline || peek().kind == Tok::End) {
        break;
      }
      out.push_back(simple());
    } while (accept_op(";"));
    if (!accept(Tok::Newline) && peek().kind != Tok::End) {
      throw ParseError{"unexpected '" + std::string(peek().text) + "'", peek().begin};
    }
  }

  Stmt simple() {
    Stmt s;
    s.span.begin = peek().begin;
    const Token& t = peek();
    if (t.is_name("pass")) {
      next();
      s.kind = StmtKind::Pass;
    } else if (t.is_name("return")) {
      next();
      s.kind = StmtKind::Return;
      if (!at_line_end()) {
        s.value = testlist();
      }
    } else if (t.is_name("raise")) {
      next();
      s.kind = StmtKind::Raise;
      if (!at_line_end()) {
        s.value = test();
        if (accept_name("from")) {
          test();
        }
      }
    } else if (t.is_name("import")) {
      next();
      s.kind = StmtKind::Import;
      do {
        std::string module = dotted_name();
        std::string alias;
        if (accept_name("as")) {
          alias = expect_name();
        }
        s.names.emplace_back(module, alias);
      } while (accept_op(","));
    } else if (t.is_name("from")) {
      next();
      s.kind = StmtKind::ImportFrom;
      while (accept_op(".") || accept_op("...")) {
        s.module += ".";
      }
      if (!peek().is_name("import")) {
        s.module += dotted_name();
      }
      if (!accept_name("import")) {
        throw ParseError{"expected 'import'", peek().begin};
      }
      if (accept_op("*")) {
        s.names.emplace_back("*", "");
      } else {
        const bool paren = accept_op("(");
        do {
          if (paren && peek().is_op(")")) {
            break;
          }
          std::string name = expect_name();
          std::string alias;
          if (accept_name("as")) {
            alias = expect_name();
          }
          s.names.emplace_back(name, alias);
        } while (accept_op(","));
        if (paren) {
          expect_op(")");
        }
      }
    } else if (t.is_name("break") || t.is_name("continue")) {
      s.kind = t.text == "break" ? StmtKind::Break : StmtKind::Continue;
      next();
    } else if (t.kind == Tok::Name && (t.text == "global" || t.text == "nonlocal" ||
                                       t.text == "del" || t.text == "assert")) {
      s.kind = StmtKind::Other;
      s.keyword = std::string(t.text);
      while (!at_line_end() && !peek().is_op(";")) {
        ++m_i;
      }
    } else {
      ExprPtr first = testlist(true);
      if (accept_op(":")) {
        s.kind = StmtKind::AnnAssign;
        s.targets.push_back(first);
        test(); // the annotation
        if (accept_op("=")) {
          s.value = testlist(true);
        }
      } else if (peek().is_op("=")) {
        s.kind = StmtKind::Assign;
        s.targets.push_back(first);
        while (accept_op("=")) {
          s.value = testlist(true);
          if (peek().is_op("=")) {
            s.targets.push_back(s.value);
          }
        }
      } else if (peek().kind == Tok::Op && peek().text.size() >= 2 && peek().text.back() == '=' &&
                 peek().text != "==" && peek().text != "<=" && peek().text != ">=" &&
                 peek().text != "!=") {
        const Token& op = next();
        s.kind = StmtKind::AugAssign;
        s.keyword = std::string(op.text.substr(0, op.text.size() - 1)); // "+=" -> "+"
        s.targets.push_back(first);
        s.value = testlist(true);
      } else {
        s.kind = StmtKind::Expr;
        s.value = first;
      }
    }
    s.span.end = prev_end();
    return s;
  }

  bool at_line_end() const {
    return peek().kind == Tok::Newline || peek().kind == Tok::End || peek().is_op(";");
  }

  std::string dotted_name() {
    std::string name = expect_name();
    while (accept_op(".")) {
      name += "." + expect_name();
    }
    return name;
  }

  // --- expressions -----------------------------------------------------------------------------

  static ExprPtr make(ExprKind kind, uint32_t begin, uint32_t end, std::string text = {}) {
    auto e = std::make_shared<Expr>();
    e->kind = kind;
    e->span = {begin, end};
    e->text = std::move(text);
    return e;
  }

  // A comma-separated list: a tuple when it has a comma.
  ExprPtr testlist(bool allow_star = false) {
    const uint32_t begin = peek().begin;
    ExprPtr first = allow_star && peek().is_op("*") ? star() : test();
    if (!peek().is_op(",")) {
      return first;
    }
    auto tuple = std::make_shared<Expr>();
    tuple->kind = ExprKind::Tuple;
    tuple->items.push_back(first);
    while (accept_op(",")) {
      if (at_line_end() || peek().is_op("=") || peek().is_op(")") || peek().is_op(":") ||
          peek().is_op("]")) {
        break;
      }
      tuple->items.push_back(allow_star && peek().is_op("*") ? star() : test());
    }
    tuple->span = {begin, prev_end()};
    return tuple;
  }

  ExprPtr star() {
    const Token& t = next();
    auto e = std::make_shared<Expr>();
    e->kind = ExprKind::Starred;
    e->text = std::string(t.text);
    e->items.push_back(expr_bitor());
    e->span = {t.begin, prev_end()};
    return e;
  }

  ExprPtr test() {
    if (peek().is_name("lambda")) {
      const uint32_t begin = next().begin;
      int depth = 0;
      while (peek().kind != Tok::End && !(depth == 0 && peek().is_op(":"))) {
        depth += peek().is_op("(") || peek().is_op("[") || peek().is_op("{");
        depth -= peek().is_op(")") || peek().is_op("]") || peek().is_op("}");
        ++m_i;
      }
      expect_op(":");
      test();
      return make(ExprKind::Lambda, begin, prev_end());
    }
    ExprPtr body = or_test();
    if (peek().is_name("if")) {
      next();
      ExprPtr cond = or_test();
      if (!accept_name("else")) {
        throw ParseError{"expected 'else'", peek().begin};
      }
      ExprPtr orelse = test();
      auto e = std::make_shared<Expr>();
      e->kind = ExprKind::IfExp;
      e->items = {body, cond, orelse};
      e->span = {body->span.begin, prev_end()};
      return e;
    }
    return body;
  }

  ExprPtr bool_chain(std::string_view op, ExprPtr (Parser::*sub)()) {
    ExprPtr left = (this->*sub)();
    if (!peek().is_name(op)) {
      return left;
    }
    auto e = std::make_shared<Expr>();
    e->kind = ExprKind::BoolOp;
    e->text = std::string(op);
    e->items.push_back(left);
    while (accept_name(op)) {
      e->items.push_back((this->*sub)());
    }
    e->span = {left->span.begin, prev_end()};
    return e;
  }

  ExprPtr or_test() { return bool_chain("or", &Parser::and_test); }
  ExprPtr and_test() { return bool_chain("and", &Parser::not_test); }

  ExprPtr not_test() {
    if (peek().is_name("not")) {
      const uint32_t begin = next().begin;
      auto e = std::make_shared<Expr>();
      e->kind = ExprKind::UnaryOp;
      e->text = "not";
      e->items.push_back(not_test());
      e->span = {begin, prev_end()};
      return e;
    }
    return comparison();
  }

  bool at_compare_op() const {
    const Token& t = peek();
    if (t.kind == Tok::Op) {
      return t.text == "<" || t.text == ">" || t.text == "==" || t.text == ">=" || t.text == "<=" ||
             t.text == "!=" || t.text == "<>";
    }
    return t.is_name("in") || t.is_name("is") || (t.is_name("not") && peek(1).is_name("in"));
  }

  ExprPtr comparison() {
    ExprPtr left = expr_bitor();
    if (!at_compare_op()) {
      return left;
    }
    auto e = std::make_shared<Expr>();
    e->kind = ExprKind::Compare;
    e->items.push_back(left);
    while (at_compare_op()) {
      std::string op(next().text);
      if (op == "not" || (op == "is" && peek().is_name("not"))) {
        op += " " + std::string(next().text);
      }
      if (e->text.empty()) {
        e->text = op;
      }
      e->items.push_back(expr_bitor());
    }
    e->span = {left->span.begin, prev_end()};
    return e;
  }

  ExprPtr binary(std::initializer_list<std::string_view> ops, ExprPtr (Parser::*sub)()) {
    ExprPtr left = (this->*sub)();
    while (peek().kind == Tok::Op) { // most tokens after an operand are not operators
      bool matched = false;
      for (auto op : ops) {
        if (peek().is_op(op)) {
          matched = true;
          break;
        }
      }
      if (!matched) {
        return left;
      }
      auto e = std::make_shared<Expr>();
      e->kind = ExprKind::BinOp;
      e->text = std::string(next().text);
      e->items = {left, (this->*sub)()};
      e->span = {left->span.begin, prev_end()};
      left = e;
    }
    return left;
  }

  ExprPtr expr_bitor() { return binary({"|"}, &Parser::expr_xor); }
  ExprPtr expr_xor() { return binary({"^"}, &Parser::expr_and); }
  ExprPtr expr_and() { return binary({"&"}, &Parser::expr_shift); }
  ExprPtr expr_shift() { return binary({"<<", ">>"}, &Parser::expr_arith); }
  ExprPtr expr_arith() { return binary({"+", "-"}, &Parser::expr_term); }
  ExprPtr expr_term() { return binary({"*", "/", "//", "%", "@"}, &Parser::factor); }

  ExprPtr factor() {
    if (peek().is_op("-") || peek().is_op("+") || peek().is_op("~")) {
      const Token& t = next();
      auto e = std::make_shared<Expr>();
      e->kind = ExprKind::UnaryOp;
      e->text = std::string(t.text);
      e->items.push_back(factor());
      e->span = {t.begin, prev_end()};
      return e;
    }
    ExprPtr base = power_base();
    if (peek().is_op("**")) {
      next();
      auto e = std::make_shared<Expr>();
      e->kind = ExprKind::BinOp;
      e->text = "**";
      e->items = {base, factor()};
      e->span = {base->span.begin, prev_end()};
      return e;
    }
    return base;
  }

  ExprPtr power_base() {
    accept_name("await");
    ExprPtr e = atom();
    while (true) {
      if (accept_op(".")) {
        auto a = std::make_shared<Expr>();
        a->kind = ExprKind::Attribute;
        a->target = e;
        a->text = expect_name();
        a->span = {e->span.begin, prev_end()};
        e = a;
      } else if (peek().is_op("(")) {
        e = call(e);
      } else if (peek().is_op("[")) {
        next();
        auto s = std::make_shared<Expr>();
        s->kind = ExprKind::Subscript;
        s->target = e;
        s->items.push_back(subscript());
        expect_op("]");
        s->span = {e->span.begin, prev_end()};
        e = s;
      } else {
        return e;
      }
    }
  }

  ExprPtr subscript() {
    const uint32_t begin = peek().begin;
    // A slice `a:b:c` (each part optional); tuples of slices are kept opaque.
    int depth = 0;
    size_t k = m_i;
    bool simple = true;
    for (; k < m_lexed.tokens.size(); ++k) {
      const Token& t = m_lexed.tokens[k];
      if (depth == 0 && t.is_op("]")) {
        break;
      }
      if (depth == 0 && t.is_op(":")) {
        simple = false;
      }
      depth += t.is_op("(") || t.is_op("[") || t.is_op("{");
      depth -= t.is_op(")") || t.is_op("]") || t.is_op("}");
      if (t.kind == Tok::End) {
        break;
      }
    }
    if (simple) {
      return testlist();
    }
    auto slice = std::make_shared<Expr>();
    slice->kind = ExprKind::Slice;
    for (int part = 0; part < 3; ++part) {
      if (peek().is_op(":") || peek().is_op("]")) {
        slice->items.push_back(nullptr);
      } else {
        slice->items.push_back(test());
      }
      if (!accept_op(":")) {
        break;
      }
    }
    slice->items.resize(3);
    if (!peek().is_op("]")) { // a, b:c or other forms: opaque
      m_i = k;
      return make(ExprKind::Other, begin, prev_end());
    }
    slice->span = {begin, prev_end()};
    return slice;
  }

  ExprPtr call(ExprPtr func) {
    next(); // (
    auto c = std::make_shared<Expr>();
    c->kind = ExprKind::Call;
    c->target = func;
    while (!peek().is_op(")")) {
      if (peek().is_op("*") || peek().is_op("**")) {
        const bool kwargs = peek().text == "**";
        ExprPtr s = star();
        if (kwargs) {
          c->keywords.push_back({"", s->items[0]});
        } else {
          c->items.push_back(s);
        }
      } else if (peek().kind == Tok::Name && peek(1).is_op("=")) {
        std::string name = expect_name();
        next(); // =
        c->keywords.push_back({name, test()});
      } else {
        ExprPtr arg = test();
        if (peek().is_name("for") || peek().is_name("async")) {
          arg = comprehension(arg->span.begin, "gen", {arg});
        }
        c->items.push_back(arg);
      }
      if (!accept_op(",")) {
        break;
      }
    }
    expect_op(")");
    c->span = {func->span.begin, prev_end()};
    return c;
  }

  // The `for ... in ... if ...` clauses after a comprehension's element, up to `close`.
  std::shared_ptr<Expr> comprehension(uint32_t begin, std::string_view kind,
                                      std::vector<ExprPtr> element) {
    auto e = std::make_shared<Expr>();
    e->kind = ExprKind::Comprehension;
    e->text = std::string(kind);
    e->items = std::move(element);
    while (peek().is_name("for") || peek().is_name("async")) {
      accept_name("async");
      next(); // for
      CompFor clause;
      clause.target = target_list();
      if (!accept_name("in")) {
        throw ParseError{"expected 'in'", peek().begin};
      }
      clause.iter = or_test();
      while (peek().is_name("if")) {
        next();
        clause.ifs.push_back(or_test_no_cond());
      }
      e->extra_mut().comps.push_back(std::move(clause));
    }
    e->span = {begin, peek().end};
    return e;
  }

  // A condition of a comprehension: `x if y else z` is not allowed there unparenthesised.
  ExprPtr or_test_no_cond() { return or_test(); }

  ExprPtr container(ExprKind kind, std::string_view close, uint32_t begin) {
    auto e = std::make_shared<Expr>();
    e->kind = kind;
    bool comma = false;
    while (!peek().is_op(close)) {
      ExprPtr item = peek().is_op("*") ? star() : test();
      if (peek().is_name("for") || peek().is_name("async")) {
        auto comp = comprehension(begin, kind == ExprKind::List ? "list" : "gen", {item});
        expect_op(close);
        comp->span.end = prev_end();
        return comp;
      }
      e->items.push_back(item);
      if (!accept_op(",")) {
        break;
      }
      comma = true;
    }
    expect_op(close);
    e->span = {begin, prev_end()};
    if (kind == ExprKind::Tuple && e->items.size() == 1 && !comma) {
      auto inner = e->items[0]; // parenthesized expression, not a tuple
      return inner;
    }
    return e;
  }

  ExprPtr dict_or_set(uint32_t begin) {
    if (accept_op("}")) {
      return make(ExprKind::Dict, begin, prev_end());
    }
    auto e = std::make_shared<Expr>();
    ExprPtr first;
    if (peek().is_op("**")) {
      next();
      e->kind = ExprKind::Dict;
      e->items.push_back(nullptr);
      e->items.push_back(expr_bitor());
    } else {
      first = test();
      e->kind = peek().is_op(":") ? ExprKind::Dict : ExprKind::Set;
      if (e->kind == ExprKind::Dict) {
        next();
        e->items.push_back(first);
        e->items.push_back(test());
      } else {
        e->items.push_back(first);
      }
    }
    if (peek().is_name("for") || peek().is_name("async")) {
      auto comp = comprehension(begin, e->kind == ExprKind::Dict ? "dict" : "set", e->items);
      expect_op("}");
      comp->span.end = prev_end();
      return comp;
    }
    while (accept_op(",")) {
      if (peek().is_op("}")) {
        break;
      }
      if (e->kind == ExprKind::Dict) {
        if (accept_op("**")) {
          e->items.push_back(nullptr);
          e->items.push_back(expr_bitor());
        } else {
          e->items.push_back(test());
          expect_op(":");
          e->items.push_back(test());
        }
      } else {
        e->items.push_back(test());
      }
    }
    expect_op("}");
    e->span = {begin, prev_end()};
    return e;
  }

  ExprPtr atom() {
    const Token& t = peek();
    switch (t.kind) {
    case Tok::Name:
      next();
      if (t.text == "True") {
        return make(ExprKind::True, t.begin, t.end);
      }
      if (t.text == "False") {
        return make(ExprKind::False, t.begin, t.end);
      }
      if (t.text == "None") {
        return make(ExprKind::None, t.begin, t.end);
      }
      return make(ExprKind::Name, t.begin, t.end, std::string(t.text));
    case Tok::Number:
      next();
      return make(ExprKind::Num, t.begin, t.end, std::string(t.text));
    case Tok::String:
      return strings();
    case Tok::Op:
      if (t.text == "(") {
        next();
        if (peek().is_name("yield")) {
          throw ParseError{"yield is not supported here", peek().begin};
        }
        return container(ExprKind::Tuple, ")", t.begin);
      }
      if (t.text == "[") {
        next();
        return container(ExprKind::List, "]", t.begin);
      }
      if (t.text == "{") {
        next();
        return dict_or_set(t.begin);
      }
      if (t.text == "...") {
        next();
        return make(ExprKind::Ellipsis, t.begin, t.end);
      }
      break;
    default:
      break;
    }
    throw ParseError{t.kind == Tok::Newline || t.kind == Tok::End
                         ? std::string("unexpected end of line")
                         : "unexpected '" + std::string(t.text) + "'",
                     t.begin};
  }

  // Adjacent string literals concatenate. With an f-string among them the value is an FString
  // whose `{...}` fields are parsed as expressions (the evaluator fills them in when it can).
  ExprPtr strings() {
    auto e = std::make_shared<Expr>();
    e->kind = ExprKind::Str;
    e->span.begin = peek().begin;
    bool fstring = false;
    bool bytes = false;
    while (peek().kind == Tok::String) {
      const Token& tok = next();
      const auto value_begin = static_cast<uint32_t>(e->text.size());
      const StringLiteral lit = decode_string(tok, e->text, e->pieces);
      fstring |= lit.fstring;
      bytes |= lit.bytes;
      if (lit.fstring) {
        fstring_fields(tok, *e, value_begin);
      }
    }
    e->span.end = prev_end();
    if (fstring) {
      e->kind = ExprKind::FString;
    } else if (bytes) {
      e->kind = ExprKind::Bytes;
    }
    return e;
  }

  // The file offset of a decoded character, when it was copied byte for byte.
  static std::optional<uint32_t> file_offset(const Expr& str, uint32_t value_offset) {
    for (const auto& p : str.pieces) {
      if (p.exact && value_offset >= p.value_begin && value_offset < p.value_end) {
        return p.file_begin + (value_offset - p.value_begin);
      }
    }
    return std::nullopt;
  }

  // Finds the fields of the f-string literal `tok`, decoded into str.text from `from` on.
  void fstring_fields(const Token& tok, Expr& str, uint32_t from) {
    const std::string& v = str.text;
    for (uint32_t i = from; i < v.size(); ++i) {
      if ((v[i] == '{' || v[i] == '}') && i + 1 < v.size() && v[i + 1] == v[i]) {
        str.extra_mut().fields.push_back({i, i + 2, nullptr, "", false, std::string(1, v[i])});
        ++i;
        continue;
      }
      if (v[i] != '{') {
        continue;
      }
      int depth = 0;
      uint32_t j = i + 1;
      uint32_t expr_end = 0;
      FStringField f;
      f.begin = i;
      for (; j < v.size(); ++j) {
        const char c = v[j];
        if (c == '(' || c == '[' || c == '{') {
          ++depth;
        } else if ((c == ')' || c == ']') && depth > 0) {
          --depth;
        } else if (c == '}') {
          if (depth == 0) {
            break;
          }
          --depth;
        } else if (depth == 0 && expr_end == 0 && c == '!' && j + 1 < v.size() && v[j + 1] != '=') {
          expr_end = j;
          f.conversion = v.substr(j + 1, 1);
        } else if (depth == 0 && c == ':') {
          if (expr_end == 0) {
            expr_end = j;
          }
          f.has_format = true;
        }
      }
      if (j >= v.size()) {
        return; // unterminated field: the value stays unknown
      }
      if (expr_end == 0) {
        expr_end = j;
      }
      f.end = j + 1;
      const auto at = file_offset(str, i + 1);
      if (at && *at >= tok.begin && *at + (expr_end - i - 1) <= tok.end) {
        const std::string_view text(tok.text.data() + (*at - tok.begin), expr_end - i - 1);
        f.expr = parse_expression(text, *at);
      }
      str.extra_mut().fields.push_back(std::move(f));
      i = j;
    }
  }

  Lexed m_lexed;
  size_t m_i = 0;
  std::vector<SyntaxError> m_errors;
};

// Moves every position in `e` by `by` bytes (a sub-expression parsed on its own).
void shift(const ExprPtr& e, uint32_t by) {
  if (!e) {
    return;
  }
  auto& m = const_cast<Expr&>(*e); // nodes are built here and not yet shared
  m.span.begin += by;
  m.span.end += by;
  for (auto& p : m.pieces) {
    p.file_begin += by;
    p.file_end += by;
  }
  for (const auto& i : m.items) {
    shift(i, by);
  }
  for (const auto& k : m.keywords) {
    shift(k.value, by);
  }
  shift(m.target, by);
  for (const auto& c : m.comps()) {
    shift(c.target, by);
    shift(c.iter, by);
    for (const auto& i : c.ifs) {
      shift(i, by);
    }
  }
  for (const auto& f : m.fields()) {
    shift(f.expr, by);
  }
}

ExprPtr parse_expression(std::string_view text, uint32_t offset) {
  try {
    Parser p(tokenize(text));
    ExprPtr e = p.expression();
    if (!p.at_end()) {
      return nullptr;
    }
    shift(e, offset);
    return e;
  } catch (const ParseError&) {
    return nullptr;
  }
}

} // namespace

Module parse(std::string_view source) {
  return Parser(tokenize(source)).run();
}

} // namespace miglint::python
