#pragma once

// A static evaluator for the Python that Alembic revision files contain. It never runs the
// file: it walks the syntax tree of one function (`upgrade()` / `downgrade()`) with values it
// can know without a database or an interpreter — literals, names bound in the module or the
// function, calls of functions defined in the module (arguments bound, bounded depth), loops over
// known sequences, `try` bodies, comprehensions, f-strings — and hands everything that belongs to
// a library (Alembic's `op`, SQLAlchemy constructs, the connection, an inspector) to a `Host`.
//
// What cannot be known statically is a value of kind Unknown carrying the reason and the code
// responsible. Unknown propagates through expressions; the Host decides what it costs (one fact,
// or a whole operation). Conditions that cannot be decided run both branches and are reported.

#include "python/ast.hpp"

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace miglint::python {

struct Value;
using ValuePtr = std::shared_ptr<Value>;
struct Env;
using EnvPtr = std::shared_ptr<Env>;

enum class ValueKind {
  None,
  Bool,
  Int,
  Float,
  Str,
  List,
  Tuple,
  Dict, // items = key, value, key, value, ...
  Set,
  Function,  // a `def` of the module (or nested): `def_` with its defining scope `closure`
  Class,     // a `class` of the module: `def_` is the class statement, `name` its name
  Builtin,   // a Python builtin or a method of a value: `name`, bound to `self` for methods
  Ref,       // a name from an import, not defined in the file: `name` = "sqlalchemy.Column"
  Object,    // something the Host made (an inspector, a connection, ...): `name` = its kind
  Construct, // a call the Host keeps as it is (sa.Column(...)): `name` = qualified callee
  Unknown,   // not knowable statically: `name` = why, `span` = the code responsible
};

// One keyword argument of a call; an empty name stands for `**mapping`.
struct KeywordValue {
  std::string name;
  ValuePtr value;
};

struct Value {
  ValueKind kind = ValueKind::None;
  bool b = false;
  int64_t i = 0;
  double f = 0;
  std::string s;                      // Str: the text
  std::vector<StringPiece> pieces;    // Str: where its characters come from in the file
  std::string name;                   // Builtin / Ref / Object / Construct / Unknown (see above)
  std::vector<ValuePtr> items;        // containers; Construct: positional arguments
  std::vector<KeywordValue> keywords; // Construct: keyword arguments
  ValuePtr self;                      // Builtin method: the value it is bound to
  const Stmt* def_ = nullptr;         // Function
  EnvPtr closure;                     // Function
  Span span;                          // where the value was written or produced
  bool effect = false;                // Unknown: produced by a call whose effects are unknown
  std::map<std::string, std::string> attrs; // Object: facts the Host keeps with it
  // The literal this value is, unchanged, when it is one (the syntax tree outlives evaluation):
  // to_expr hands it back instead of building a copy.
  const Expr* literal = nullptr;
};

ValuePtr make_none(Span span = {});
ValuePtr make_bool(bool v, Span span = {});
ValuePtr make_int(int64_t v, Span span = {});
ValuePtr make_str(std::string v, Span span = {});
ValuePtr make_unknown(std::string why, Span span, bool effect = false);
ValuePtr make_object(std::string kind, Span span = {});
ValuePtr make_list(ValueKind kind, std::vector<ValuePtr> items, Span span = {});

// The string a Str literal stands for, with its pieces (so SQL inside maps into the file).
ValuePtr str_from_expr(const Expr& e);

// Strings with their pieces (so the result still maps into the file): a + b, and the
// characters [begin, end) of s.
ValuePtr str_concat(const Value& a, const Value& b, Span span);
ValuePtr str_slice(const Value& s, uint32_t begin, uint32_t end);

// Python's truth of a value: nullopt when it is Unknown (or a Construct/Ref/Object whose truth
// the Host did not give).
std::optional<bool> truth(const Value& v);

// A short description of a value for messages: `'users'`, `3`, `sa.Column(...)`, ...
std::string describe(const Value& v);

// `a.b.c` as a Name/Attribute chain, every node at `span`.
ExprPtr dotted_expr(const std::string& dotted, Span span);

// Rebuilds an expression from a value, for code that reads syntax (the Alembic translator):
// literals keep their spans and string pieces, Constructs become calls of their qualified name,
// Unknown becomes an Other node whose text is the reason.
ExprPtr to_expr(const ValuePtr& v);

// The arguments of a call, evaluated.
struct Args {
  std::vector<ValuePtr> positional;
  std::vector<KeywordValue> keywords;
  const Expr* call = nullptr; // the call as written
  Span origin;                // where its effects are reported (see Evaluator)
  std::string self_id;        // for the Host: which object a method was called on

  ValuePtr get(size_t index, std::string_view keyword) const;
  ValuePtr keyword(std::string_view keyword) const;
};

// Thrown by a Host to raise a Python exception in the evaluated code (`what` = "raises X"):
// a `try` around the call handles it like any `raise`.
struct HostRaise {
  std::string what;
  Span span;
};

// Everything the evaluator does not know itself.
class Host {
public:
  virtual ~Host() = default;
  // A call of a Ref (`op.add_column`, `sa.Column`, `inspect`), an Object's method (`name` is the
  // method, `self` the object) or a Construct's method.
  virtual ValuePtr call(const ValuePtr& callee, const Args& args) = 0;
  // `obj.name` for a Ref, Object or Construct (Refs: return nullptr to get the Ref `obj.name`).
  virtual ValuePtr attribute(const ValuePtr& obj, const std::string& name, Span at) = 0;
  // `with ctx as alias:` — returns the value bound to the alias, or nullptr when the block is
  // not one the Host knows (reported by the evaluator, the body still runs).
  virtual ValuePtr enter(const ValuePtr& ctx, Span at) = 0;
  virtual void exit(const ValuePtr& ctx, Span at) = 0;
  // Code that cannot be analysed: reported once per place.
  virtual void unanalyzable(Span at, const std::string& why) = 0;
  // A statement of the top-level function body is about to run / has run.
  virtual void statement_begin(const Stmt& s) = 0;
  virtual void statement_end(const Stmt& s) = 0;
  // The value of an expression statement, thrown away (a call made for its effects).
  virtual void discarded(const ValuePtr& v, const Stmt& s) = 0;
  // How many statements that change the schema (DDL) the code has run so far: code that depends
  // on data is reported only when it changes the schema.
  virtual size_t schema_changes() const = 0;
  // While probing, the Host emits and reports nothing but still counts schema changes: the
  // evaluator runs the body of a loop over unknown rows once to see what kind of code it is.
  virtual void probe(bool on) = 0;
};

struct Env {
  std::map<std::string, ValuePtr, std::less<>> vars;
  EnvPtr parent; // the module scope for a function; null for the module
};

// Evaluates one module's functions. Module-level assignments, imports and definitions are bound
// first (without running calls that have effects); then `run` evaluates a function's body.
class Evaluator {
public:
  // `aliases` maps imported names to what they stand for ("sa" -> "sqlalchemy").
  Evaluator(const Module& module, const std::map<std::string, std::string, std::less<>>& aliases,
            Host& host);

  // Runs the body of `fn` (a Def). Returns how it ended: "" (fell off the end or returned),
  // or "raises X" when it raised.
  std::string run(const Stmt& fn);

  // The names a class body binds (attributes and methods), evaluated in the module's scope.
  std::map<std::string, ValuePtr, std::less<>> class_namespace(const Stmt& cls);
  // Calls a Function value with positional arguments; the Host answers what it calls.
  ValuePtr call(const ValuePtr& fn, std::vector<ValuePtr> args);
  // The value a module-level name is bound to (after the module's assignments), or null.
  ValuePtr global(const std::string& name);

  // Limits: nested calls of module functions, iterations of one loop.
  static constexpr int k_max_depth = 16;
  static constexpr int k_max_iterations = 10000;
  // Statements and expressions evaluated in one evaluation at most (nested loops multiply):
  // past it, the rest of the function is reported and not analysed. Real revisions take a few
  // thousand.
  static constexpr long k_max_steps = 1000000;

private:
  struct Impl;
  std::shared_ptr<Impl> m_impl;
};

} // namespace miglint::python
