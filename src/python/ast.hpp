#pragma once

// A syntax tree for the subset of Python that Alembic revision files use: module-level
// assignments and imports, function definitions, calls with keyword arguments, literals,
// containers, attribute chains, `with`, `if`. Everything else is parsed far enough to be skipped
// and reported. Positions are byte offsets into the source.

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
  Starred,   // *items[0] or **items[0] (text = "*" / "**")
  FString,   // dynamic: its value cannot be known statically
  Lambda,
  Comprehension,
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

  // "op.add_column" for a Name/Attribute chain, "" otherwise.
  std::string dotted() const;
  // Like dotted(), but through calls: "op.get_context().dialect.name".
  std::string chain() const;
};

enum class StmtKind {
  Expr,
  Assign,    // targets = value (chained: several targets)
  AnnAssign, // targets[0]: annotation = value (value may be null)
  AugAssign,
  Import,     // names: (module, alias)
  ImportFrom, // module, names: (name, alias)
  Def,        // name, body
  If,         // test, body, orelse
  With,       // items: (context expr, alias), body
  Pass,
  Return,
  Raise, // value (may be null)
  Other, // for, while, try, class, del, global, ...: parsed only to be skipped
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
  std::vector<Stmt> orelse; // `else` (an `elif` is an If inside orelse)
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
