#pragma once

// A syntax tree for the subset of Python that Alembic revision files use: module-level
// assignments and imports, function definitions with their parameters, calls with keyword
// arguments, literals, containers, comprehensions, attribute chains, `with`, `if`, `for`,
// `while`, `try`. Everything else (class bodies, lambdas, slices) is parsed far enough to be
// skipped and reported. Positions are byte offsets into the source.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace miglint::python {

struct Span {
  uint32_t begin = 0;
  uint32_t end = 0;
};

struct Expr;
using ExprPtr = std::shared_ptr<const Expr>;

// A replacement field of an f-string: `text[begin, end)` of the decoded literal is `{expr}`
// (`expr` null when it is not an expression miglint reads: the value is then unknown), or an
// escaped brace `{{` / `}}` (expr null, `literal` the brace it stands for).
struct FStringField {
  uint32_t begin = 0;
  uint32_t end = 0;
  ExprPtr expr;
  std::string conversion;  // "r", "s", "a" or ""
  bool has_format = false; // `:spec` given
  std::string literal;
};

// One `for target in iter if cond...` clause of a comprehension.
struct CompFor {
  ExprPtr target;
  ExprPtr iter;
  std::vector<ExprPtr> ifs;
};

struct Keyword {
  std::string name; // empty for **kwargs
  ExprPtr value;
};

// Where the characters of a string value come from in the file. A piece without escapes maps
// byte for byte (`exact`); an escape sequence maps as a whole to its source.
struct StringPiece {
  uint32_t value_begin = 0;
  uint32_t value_end = 0;
  uint32_t file_begin = 0;
  uint32_t file_end = 0;
  bool exact = true;
};

enum class ExprKind {
  Name,
  Attribute, // target.text
  Call,      // target(items..., keywords...)
  Str,       // text = decoded value, pieces map it to the file
  Bytes,
  Num, // text = literal
  True,
  False,
  None,
  Ellipsis,
  Tuple,
  List,
  Set,
  Dict,      // items = key, value, key, value, ...; a null key stands for **mapping
  BinOp,     // text = operator, items = {left, right}
  UnaryOp,   // text = operator, items = {operand}
  BoolOp,    // text = "and" / "or"
  Compare,   // text = first operator, items = operands
  IfExp,     // items = {body, test, orelse}
  Subscript, // target[items[0]]
  Slice,     // lower:upper:step as a subscript: items = {lower, upper, step}, each may be null
  Starred,   // *items[0] or **items[0] (text = "*" / "**")
  FString,   // dynamic: its value cannot be known statically
  Lambda,
  Comprehension, // text = "list" / "set" / "dict" / "gen"; items = {element} or {key, value}
  Other,
};

struct Expr {
  ExprKind kind = ExprKind::Other;
  Span span;
  std::string text;
  std::vector<ExprPtr> items;
  std::vector<Keyword> keywords;
  ExprPtr target;
  std::vector<StringPiece> pieces;
  // Comprehension clauses (outermost first) and f-string fields (`{...}`, `{{`, `}}` in order):
  // kept apart so that the many nodes without them stay small.
  struct Extra {
    std::vector<CompFor> comps;
    std::vector<FStringField> fields;
  };
  std::shared_ptr<Extra> extra;

  const std::vector<CompFor>& comps() const { return extra ? extra->comps : no_comps(); }
  const std::vector<FStringField>& fields() const { return extra ? extra->fields : no_fields(); }
  Extra& extra_mut() {
    if (!extra) {
      extra = std::make_shared<Extra>();
    }
    return *extra;
  }
  static const std::vector<CompFor>& no_comps() {
    static const std::vector<CompFor> none;
    return none;
  }
  static const std::vector<FStringField>& no_fields() {
    static const std::vector<FStringField> none;
    return none;
  }

  // "op.add_column" for a Name/Attribute chain, "" otherwise.
  std::string dotted() const;
  // Like dotted(), but through calls: "op.get_context().dialect.name".
  std::string chain() const;
};

enum class StmtKind {
  Expr,
  Assign,     // targets = value (chained: several targets)
  AnnAssign,  // targets[0]: annotation = value (value may be null)
  AugAssign,  // targets[0] keyword= value ("+", "-", ...)
  Import,     // names: (module, alias)
  ImportFrom, // module, names: (name, alias)
  Def,        // name, params, body
  If,         // test, body, orelse
  With,       // items: (context expr, alias), body
  For,        // targets[0] in value: body, orelse
  While,      // test: body, orelse
  Try,        // body, handlers, orelse, finalbody
  Class,      // name, targets = bases (keywords such as metaclass= left out), body
  Pass,
  Return,
  Raise, // value (may be null)
  Break,
  Continue,
  Other, // class, del, global, match, ...: parsed only to be skipped
};

struct Param {
  std::string name;
  ExprPtr default_value; // may be null
  std::string star;      // "*" for *args, "**" for **kwargs, "" otherwise
  bool keyword_only = false;
};

struct Stmt;

struct ExceptHandler {
  ExprPtr type; // null for a bare `except:`
  std::string name;
  std::vector<Stmt> body;
  Span span;
};

struct WithItem {
  ExprPtr context;
  std::string alias; // empty without `as NAME`
};

struct Stmt {
  StmtKind kind = StmtKind::Other;
  Span span;
  std::string keyword; // for Other: the leading keyword ("for", "try", "class", ...)
  std::vector<ExprPtr> targets;
  ExprPtr value;
  ExprPtr test;
  std::string module;
  std::string name;
  std::vector<std::pair<std::string, std::string>> names;
  std::vector<WithItem> items;
  std::vector<Stmt> body;
  std::vector<Stmt> orelse;            // `else` (an `elif` is an If inside orelse)
  std::vector<Param> params;           // Def
  std::vector<ExceptHandler> handlers; // Try
  std::vector<Stmt> finalbody;         // Try: `finally`
};

struct Comment {
  Span span;
  std::string text; // without the leading '#'
};

struct SyntaxError {
  std::string message;
  uint32_t offset = 0;
};

struct Module {
  std::vector<Stmt> body;
  std::vector<Comment> comments;
  std::vector<SyntaxError> errors;
};

// Tokenizes and parses `source` (UTF-8, any line ending, optional BOM). Never throws on bad
// input: errors are collected and parsing resumes at the next line that can start a statement.
Module parse(std::string_view source);

} // namespace miglint::python
