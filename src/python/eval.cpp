#include "python/eval.hpp"

#include <climits>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <functional>
#include <set>

namespace miglint::python {

ValuePtr make_none(Span span) {
  auto v = std::make_shared<Value>();
  v->span = span;
  return v;
}

ValuePtr make_bool(bool b, Span span) {
  auto v = std::make_shared<Value>();
  v->kind = ValueKind::Bool;
  v->b = b;
  v->span = span;
  return v;
}

ValuePtr make_int(int64_t i, Span span) {
  auto v = std::make_shared<Value>();
  v->kind = ValueKind::Int;
  v->i = i;
  v->span = span;
  return v;
}

ValuePtr make_str(std::string s, Span span) {
  auto v = std::make_shared<Value>();
  v->kind = ValueKind::Str;
  v->s = std::move(s);
  v->span = span;
  return v;
}

ValuePtr make_unknown(std::string why, Span span, bool effect) {
  auto v = std::make_shared<Value>();
  v->kind = ValueKind::Unknown;
  v->name = std::move(why);
  v->span = span;
  v->effect = effect;
  return v;
}

ValuePtr make_object(std::string kind, Span span) {
  auto v = std::make_shared<Value>();
  v->kind = ValueKind::Object;
  v->name = std::move(kind);
  v->span = span;
  return v;
}

ValuePtr make_list(ValueKind kind, std::vector<ValuePtr> items, Span span) {
  auto v = std::make_shared<Value>();
  v->kind = kind;
  v->items = std::move(items);
  v->span = span;
  return v;
}

ValuePtr str_from_expr(const Expr& e) {
  auto v = make_str(e.text, e.span);
  v->pieces = e.pieces;
  v->literal = &e;
  return v;
}

std::optional<bool> truth(const Value& v) {
  switch (v.kind) {
  case ValueKind::None:
    return false;
  case ValueKind::Bool:
    return v.b;
  case ValueKind::Int:
    return v.i != 0;
  case ValueKind::Float:
    return v.f != 0;
  case ValueKind::Str:
    return !v.s.empty();
  case ValueKind::List:
  case ValueKind::Tuple:
  case ValueKind::Dict:
  case ValueKind::Set:
    return !v.items.empty();
  case ValueKind::Function:
  case ValueKind::Class:
  case ValueKind::Builtin:
    return true;
  default:
    return std::nullopt;
  }
}

namespace {

std::string repr_str(const std::string& s) {
  return "'" + s + "'";
}

} // namespace

namespace {
thread_local int g_describe_depth = 0; // containers that contain themselves end here
} // namespace

std::string describe(const Value& v) {
  if (g_describe_depth > 8) {
    return "...";
  }
  struct Deeper {
    Deeper() { ++g_describe_depth; }
    ~Deeper() { --g_describe_depth; }
  } deeper;
  switch (v.kind) {
  case ValueKind::None:
    return "None";
  case ValueKind::Bool:
    return v.b ? "True" : "False";
  case ValueKind::Int:
    return std::to_string(v.i);
  case ValueKind::Float: {
    std::string s = std::to_string(v.f);
    return s;
  }
  case ValueKind::Str:
    return repr_str(v.s);
  case ValueKind::List:
  case ValueKind::Tuple:
  case ValueKind::Set: {
    std::string out = v.kind == ValueKind::List ? "[" : v.kind == ValueKind::Tuple ? "(" : "{";
    for (size_t k = 0; k < v.items.size(); ++k) {
      out += (k ? ", " : "") + describe(*v.items[k]);
    }
    if (v.kind == ValueKind::Tuple && v.items.size() == 1) {
      out += ",";
    }
    return out + (v.kind == ValueKind::List ? "]" : v.kind == ValueKind::Tuple ? ")" : "}");
  }
  case ValueKind::Dict: {
    std::string out = "{";
    for (size_t k = 0; k + 1 < v.items.size(); k += 2) {
      out += (k ? ", " : "") + describe(*v.items[k]) + ": " + describe(*v.items[k + 1]);
    }
    return out + "}";
  }
  case ValueKind::Function:
    return v.def_ ? v.def_->name + "()" : "a function";
  case ValueKind::Class:
    return "the class " + v.name;
  case ValueKind::Builtin:
  case ValueKind::Ref:
  case ValueKind::Object:
    return v.name;
  case ValueKind::Construct:
    return v.name + "(...)";
  case ValueKind::Unknown:
    return "a value miglint cannot know (" + v.name + ")";
  }
  return "a value";
}

ExprPtr dotted_expr(const std::string& dotted, Span span) {
  ExprPtr out;
  size_t start = 0;
  while (start <= dotted.size()) {
    const auto dot = dotted.find('.', start);
    const std::string part =
        dotted.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    auto e = std::make_shared<Expr>();
    e->span = span;
    e->text = part;
    if (!out) {
      e->kind = ExprKind::Name;
    } else {
      e->kind = ExprKind::Attribute;
      e->target = out;
    }
    out = e;
    if (dot == std::string::npos) {
      break;
    }
    start = dot + 1;
  }
  return out;
}

namespace {
thread_local int g_to_expr_depth = 0;
} // namespace

ExprPtr to_expr(const ValuePtr& v) {
  if (g_to_expr_depth > 32) { // a container that contains itself
    auto e = std::make_shared<Expr>();
    e->kind = ExprKind::Other;
    e->text = "a value nested too deeply";
    return e;
  }
  struct Deeper {
    Deeper() { ++g_to_expr_depth; }
    ~Deeper() { --g_to_expr_depth; }
  } deeper;
  if (v && v->kind == ValueKind::Str && v->attrs.contains("final")) {
    // op.f("name"): the Host's final name, rebuilt as the call that marks it
    auto plain = std::make_shared<Value>(*v);
    plain->attrs.clear();
    auto call = std::make_shared<Expr>();
    call->kind = ExprKind::Call;
    call->span = v->span;
    call->target = dotted_expr("alembic.op.f", v->span);
    call->items.push_back(to_expr(plain));
    return call;
  }
  if (v && v->literal != nullptr && v->kind == ValueKind::Str && v->s == v->literal->text) {
    return ExprPtr(ExprPtr(), v->literal); // non-owning: the tree outlives the translation
  }
  auto e = std::make_shared<Expr>();
  if (!v) {
    e->kind = ExprKind::None;
    return e;
  }
  e->span = v->span;
  switch (v->kind) {
  case ValueKind::None:
    e->kind = ExprKind::None;
    break;
  case ValueKind::Bool:
    e->kind = v->b ? ExprKind::True : ExprKind::False;
    break;
  case ValueKind::Int:
    e->kind = ExprKind::Num;
    e->text = std::to_string(v->i);
    break;
  case ValueKind::Float:
    e->kind = ExprKind::Num;
    e->text = describe(*v);
    break;
  case ValueKind::Str:
    e->kind = ExprKind::Str;
    e->text = v->s;
    e->pieces = v->pieces;
    break;
  case ValueKind::List:
  case ValueKind::Tuple:
  case ValueKind::Set:
  case ValueKind::Dict:
    e->kind = v->kind == ValueKind::List    ? ExprKind::List
              : v->kind == ValueKind::Tuple ? ExprKind::Tuple
              : v->kind == ValueKind::Set   ? ExprKind::Set
                                            : ExprKind::Dict;
    for (const auto& item : v->items) {
      e->items.push_back(to_expr(item));
    }
    break;
  case ValueKind::Ref:
    return dotted_expr(v->name, v->span);
  case ValueKind::Construct:
    e->kind = ExprKind::Call;
    e->target = dotted_expr(v->name, v->span);
    for (const auto& item : v->items) {
      e->items.push_back(to_expr(item));
    }
    for (const auto& k : v->keywords) {
      e->keywords.push_back({k.name, to_expr(k.value)});
    }
    break;
  case ValueKind::Object:
    e->kind = ExprKind::Other;
    e->text = v->name;
    break;
  case ValueKind::Unknown:
  case ValueKind::Function:
  case ValueKind::Class:
  case ValueKind::Builtin:
    e->kind = ExprKind::Other;
    e->text = v->kind == ValueKind::Unknown ? v->name : describe(*v);
    break;
  }
  return e;
}

ValuePtr Args::get(size_t index, std::string_view kw) const {
  if (auto v = keyword(kw)) {
    return v;
  }
  return index < positional.size() ? positional[index] : nullptr;
}

ValuePtr Args::keyword(std::string_view kw) const {
  for (const auto& k : keywords) {
    if (!kw.empty() && k.name == kw) {
      return k.value;
    }
  }
  return nullptr;
}

// --- the evaluator
// --------------------------------------------------------------------------------

namespace {

struct ReturnSignal {
  ValuePtr value;
};
struct BreakSignal {};
struct ContinueSignal {};
struct RaiseSignal {
  std::string what;
  Span span;
};
struct BudgetSignal { // the evaluation did more work than any revision needs
  Span span;
};

bool equal(const Value& a, const Value& b, int depth = 0) {
  if (&a == &b) {
    return true;
  }
  if (depth > 32) {
    return false; // containers that contain themselves
  }
  if ((a.kind == ValueKind::Int || a.kind == ValueKind::Bool) &&
      (b.kind == ValueKind::Int || b.kind == ValueKind::Bool)) {
    return (a.kind == ValueKind::Int ? a.i : a.b) == (b.kind == ValueKind::Int ? b.i : b.b);
  }
  if (a.kind != b.kind) {
    if ((a.kind == ValueKind::Float || a.kind == ValueKind::Int) &&
        (b.kind == ValueKind::Float || b.kind == ValueKind::Int)) {
      const double x = a.kind == ValueKind::Float ? a.f : static_cast<double>(a.i);
      const double y = b.kind == ValueKind::Float ? b.f : static_cast<double>(b.i);
      return x == y;
    }
    return false;
  }
  switch (a.kind) {
  case ValueKind::None:
    return true;
  case ValueKind::Float:
    return a.f == b.f;
  case ValueKind::Str:
    return a.s == b.s;
  case ValueKind::Set: // in any order: each element of one is in the other
    if (a.items.size() != b.items.size()) {
      return false;
    }
    for (const auto& x : a.items) {
      if (std::none_of(b.items.begin(), b.items.end(),
                       [&](const ValuePtr& y) { return equal(*x, *y, depth + 1); })) {
        return false;
      }
    }
    return true;
  case ValueKind::Dict: // keys in any order, each with an equal value
    if (a.items.size() != b.items.size()) {
      return false;
    }
    for (size_t k = 0; k + 1 < a.items.size(); k += 2) {
      bool found = false;
      for (size_t j = 0; j + 1 < b.items.size() && !found; j += 2) {
        found = equal(*a.items[k], *b.items[j], depth + 1) &&
                equal(*a.items[k + 1], *b.items[j + 1], depth + 1);
      }
      if (!found) {
        return false;
      }
    }
    return true;
  case ValueKind::List:
  case ValueKind::Tuple:
    if (a.items.size() != b.items.size()) {
      return false;
    }
    for (size_t k = 0; k < a.items.size(); ++k) {
      if (!equal(*a.items[k], *b.items[k], depth + 1)) {
        return false;
      }
    }
    return true;
  default:
    return &a == &b;
  }
}

bool comparable(const Value& v) {
  return v.kind == ValueKind::None || v.kind == ValueKind::Bool || v.kind == ValueKind::Int ||
         v.kind == ValueKind::Float || v.kind == ValueKind::Str || v.kind == ValueKind::List ||
         v.kind == ValueKind::Tuple || v.kind == ValueKind::Set || v.kind == ValueKind::Dict;
}

// Concatenates strings, keeping where each character came from.
ValuePtr concat(const Value& a, const Value& b, Span span) {
  auto v = make_str(a.s + b.s, span);
  v->pieces = a.pieces;
  const auto shift = static_cast<uint32_t>(a.s.size());
  for (auto p : b.pieces) {
    p.value_begin += shift;
    p.value_end += shift;
    v->pieces.push_back(p);
  }
  return v;
}

// The characters [begin, end) of a string value, with their pieces.
ValuePtr substr(const Value& s, uint32_t begin, uint32_t end) {
  auto v = make_str(s.s.substr(begin, end - begin), s.span);
  for (auto p : s.pieces) {
    if (p.value_end <= begin || p.value_begin >= end) {
      continue;
    }
    if (p.exact) {
      const uint32_t b = std::max(p.value_begin, begin);
      const uint32_t e = std::min(p.value_end, end);
      p.file_begin += b - p.value_begin;
      p.file_end = p.file_begin + (e - b);
      p.value_begin = b;
      p.value_end = e;
    } else {
      p.value_begin = std::max(p.value_begin, begin);
      p.value_end = std::min(p.value_end, end);
    }
    p.value_begin -= begin;
    p.value_end -= begin;
    v->pieces.push_back(p);
  }
  return v;
}

// The text of a value where Python would format it into a string, or nullopt.
std::optional<std::string> text_of(const Value& v) {
  switch (v.kind) {
  case ValueKind::Str:
    return v.s;
  case ValueKind::Int:
    return std::to_string(v.i);
  case ValueKind::Bool:
    return std::string(v.b ? "True" : "False");
  case ValueKind::None:
    return std::string("None");
  case ValueKind::Float: {
    std::string s = std::to_string(v.f);
    s.erase(s.find_last_not_of('0') + 1);
    if (!s.empty() && s.back() == '.') {
      s += '0';
    }
    return s;
  }
  default:
    return std::nullopt;
  }
}

// A value formatted into a string: the characters map to the field that produced them.
ValuePtr formatted(const Value& v, Span field) {
  if (v.kind == ValueKind::Str) {
    auto out = make_str(v.s, field);
    out->pieces = v.pieces;
    return out;
  }
  auto t = text_of(v);
  if (!t) {
    return nullptr;
  }
  auto out = make_str(*t, field);
  if (!t->empty()) {
    out->pieces.push_back(
        {0, static_cast<uint32_t>(t->size()), field.begin, field.end, /*exact=*/false});
  }
  return out;
}

} // namespace

ValuePtr str_concat(const Value& a, const Value& b, Span span) {
  return concat(a, b, span);
}

ValuePtr str_slice(const Value& s, uint32_t begin, uint32_t end) {
  return substr(s, begin, end);
}

struct Evaluator::Impl {
  Impl(const Module& module, const std::map<std::string, std::string, std::less<>>& aliases,
       Host& host)
      : m_module(module), m_aliases(aliases), m_host(host) {
    m_globals = scope(nullptr);
  }

  // Python's reference cycles are shared_ptr cycles here: a module function's closure is the scope
  // that binds it, `a.append(a)` makes a list that holds itself. Nothing would ever free them, so
  // the evaluator remembers every scope it makes and every container it changes in place, and
  // breaks the cycles when it goes (values handed out stay valid; a function's scope is empty).
  ~Impl() {
    size_t budget = k_max_cycle_visits;
    for (const auto& weak : m_changed) {
      if (const ValuePtr v = weak.lock(); v && reaches_itself(v, budget)) {
        v->items.clear();
        v->keywords.clear();
      }
    }
    for (const auto& weak : m_scopes) {
      if (const EnvPtr env = weak.lock()) {
        env->vars.clear();
      }
    }
  }
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;

  // Values visited in all to find the containers that hold themselves; past it, every container
  // changed in place is emptied.
  static constexpr size_t k_max_cycle_visits = 1000000;

  std::vector<std::weak_ptr<Env>> m_scopes;
  std::set<std::weak_ptr<Value>, std::owner_less<std::weak_ptr<Value>>> m_changed;
  size_t m_prune_at = 1024; // sizes at which the forgotten scopes and containers are dropped

  EnvPtr scope(const EnvPtr& parent) {
    auto env = std::make_shared<Env>();
    env->parent = parent;
    if (m_scopes.size() >= m_prune_at) {
      std::erase_if(m_scopes, [](const auto& w) { return w.expired(); });
      std::erase_if(m_changed, [](const auto& w) { return w.expired(); });
      m_prune_at = 2 * std::max(m_scopes.size(), m_changed.size()) + 1024;
    }
    m_scopes.push_back(env);
    return env;
  }

  // `container` was changed in place (append, setitem, update, ...): it may now hold itself.
  void changed(const ValuePtr& container) {
    if (m_changed.insert(container).second && m_changed.size() >= m_prune_at) {
      std::erase_if(m_changed, [](const auto& w) { return w.expired(); });
      m_prune_at = 2 * std::max(m_scopes.size(), m_changed.size()) + 1024;
    }
  }

  // Whether `start` leads back to itself through items, keyword values or a bound method's self
  // (scopes are emptied separately). Counts the values visited against `budget`.
  static bool reaches_itself(const ValuePtr& start, size_t& budget) {
    std::vector<const Value*> stack;
    std::set<const Value*> seen;
    auto push = [&](const ValuePtr& p) {
      if (p && seen.insert(p.get()).second) {
        stack.push_back(p.get());
      }
    };
    auto push_children = [&](const Value& v) {
      for (const auto& item : v.items) {
        push(item);
      }
      for (const auto& k : v.keywords) {
        push(k.value);
      }
      push(v.self);
    };
    push_children(*start);
    while (!stack.empty()) {
      const Value* v = stack.back();
      stack.pop_back();
      if (v == start.get() || budget == 0) {
        return true;
      }
      --budget;
      push_children(*v);
    }
    return false;
  }

  const Module& m_module;
  const std::map<std::string, std::string, std::less<>>& m_aliases;
  Host& m_host;
  EnvPtr m_globals;
  int m_depth = 0;            // calls of module functions in progress
  int m_undecided_breaks = 0; // `break`s on a condition miglint cannot decide, so far
  long m_steps = 0;           // statements run, against Evaluator::k_max_steps
  Span m_top_call;            // the call in the top-level function that led to the current code
  bool m_initialised = false;

  // --- module scope ------------------------------------------------------------------------------

  void init() {
    if (m_initialised) {
      return;
    }
    m_initialised = true;
    for (const auto& s : m_module.body) {
      try {
        if (s.kind == StmtKind::Def) {
          bind_def(s, m_globals);
        } else if (s.kind == StmtKind::Class) {
          bind_class(s, m_globals);
        } else if ((s.kind == StmtKind::Assign || s.kind == StmtKind::AnnAssign) && s.value) {
          const ValuePtr v = eval(*s.value, m_globals);
          for (const auto& t : s.targets) {
            assign(*t, v, m_globals);
          }
        } else if (s.kind == StmtKind::Import || s.kind == StmtKind::ImportFrom) {
          import(s, m_globals);
        }
      } catch (const ReturnSignal&) {
      } catch (const BreakSignal&) {
      } catch (const ContinueSignal&) {
      } catch (const RaiseSignal&) {
      } catch (const BudgetSignal&) {
        return; // module-level code that never ends: what was bound so far stays
      }
    }
  }

  void bind_def(const Stmt& s, const EnvPtr& env) {
    auto f = std::make_shared<Value>();
    f->kind = ValueKind::Function;
    f->def_ = &s;
    f->closure = env;
    f->span = s.span;
    env->vars[s.name] = f;
  }

  void bind_class(const Stmt& s, const EnvPtr& env) {
    auto c = std::make_shared<Value>();
    c->kind = ValueKind::Class;
    c->def_ = &s;
    c->closure = env;
    c->span = s.span;
    c->name = s.name;
    env->vars[s.name] = c;
  }

  void import(const Stmt& s, const EnvPtr& env) {
    for (const auto& [name, alias] : s.names) {
      auto r = std::make_shared<Value>();
      r->kind = ValueKind::Ref;
      r->span = s.span;
      if (s.kind == StmtKind::Import) {
        r->name = alias.empty() ? name.substr(0, name.find('.')) : name;
        env->vars[alias.empty() ? r->name : alias] = r;
      } else if (name != "*") {
        r->name = s.module + "." + name;
        env->vars[alias.empty() ? name : alias] = r;
      }
    }
  }

  // --- names -------------------------------------------------------------------------------------

  static bool is_builtin(std::string_view name) {
    static const std::set<std::string_view> names = {
        "print", "len",    "any",      "all",        "list",      "tuple",   "set",
        "dict",  "str",    "int",      "float",      "bool",      "range",   "enumerate",
        "zip",   "sorted", "reversed", "isinstance", "getattr",   "hasattr", "min",
        "max",   "sum",    "repr",     "format",     "frozenset", "iter",    "next",
        "abs",   "round",  "type",     "super",      "open"};
    return names.contains(name);
  }

  ValuePtr lookup(const std::string& name, const EnvPtr& env, Span at) {
    for (Env* e = env.get(); e != nullptr; e = e->parent.get()) {
      if (auto it = e->vars.find(name); it != e->vars.end()) {
        return it->second;
      }
    }
    if (auto it = m_aliases.find(name); it != m_aliases.end()) {
      auto r = std::make_shared<Value>();
      r->kind = ValueKind::Ref;
      r->name = it->second;
      r->span = at;
      return r;
    }
    if (is_builtin(name)) {
      auto b = std::make_shared<Value>();
      b->kind = ValueKind::Builtin;
      b->name = name;
      b->span = at;
      return b;
    }
    return make_unknown("`" + name + "` is not defined in this file", at, /*effect=*/true);
  }

  // --- statements --------------------------------------------------------------------------------

  void block(const std::vector<Stmt>& body, const EnvPtr& env) {
    for (const auto& s : body) {
      statement(s, env);
    }
  }

  void statement(const Stmt& s, const EnvPtr& env) {
    if (++m_steps > Evaluator::k_max_steps) {
      throw BudgetSignal{s.span};
    }
    const bool top = m_depth == 0;
    if (top) {
      m_host.statement_begin(s);
    }
    struct End {
      Impl& impl;
      const Stmt& s;
      bool top;
      ~End() {
        if (top) {
          impl.m_host.statement_end(s);
        }
      }
    } end{*this, s, top};
    switch (s.kind) {
    case StmtKind::Pass:
      return;
    case StmtKind::Expr: {
      if (s.value->kind == ExprKind::Str) {
        return; // docstring
      }
      const ValuePtr v = eval(*s.value, env);
      if (v->kind == ValueKind::Unknown && v->effect) {
        m_host.unanalyzable(v->span, v->name);
      } else {
        m_host.discarded(v, s);
      }
      return;
    }
    case StmtKind::Assign:
    case StmtKind::AnnAssign: {
      if (!s.value) {
        return;
      }
      const ValuePtr v = eval(*s.value, env);
      if (v->kind == ValueKind::Unknown && v->effect) {
        m_host.unanalyzable(v->span, v->name);
      }
      for (const auto& t : s.targets) {
        assign(*t, v, env);
      }
      return;
    }
    case StmtKind::AugAssign: {
      if (s.targets.empty() || !s.value) {
        return;
      }
      const ValuePtr left = eval(*s.targets[0], env);
      const ValuePtr right = eval(*s.value, env);
      assign(*s.targets[0], binop(s.keyword.empty() ? "+" : s.keyword, left, right, s.span), env);
      return;
    }
    case StmtKind::If:
      if_stmt(s, env);
      return;
    case StmtKind::For:
      for_stmt(s, env);
      return;
    case StmtKind::While:
      while_stmt(s, env);
      return;
    case StmtKind::Try:
      try_stmt(s, env);
      return;
    case StmtKind::With:
      with_stmt(s, env, 0);
      return;
    case StmtKind::Def:
      bind_def(s, env);
      return;
    case StmtKind::Class:
      bind_class(s, env);
      return;
    case StmtKind::Return:
      throw ReturnSignal{s.value ? eval(*s.value, env) : make_none(s.span)};
    case StmtKind::Break:
      throw BreakSignal{};
    case StmtKind::Continue:
      throw ContinueSignal{};
    case StmtKind::Raise: {
      std::string what = "raises";
      if (s.value) {
        const Expr& e = s.value->kind == ExprKind::Call ? *s.value->target : *s.value;
        if (!e.dotted().empty()) {
          what += " " + e.dotted();
        }
      }
      throw RaiseSignal{what, s.span};
    }
    case StmtKind::Import:
    case StmtKind::ImportFrom:
      import(s, env);
      return;
    case StmtKind::Other:
      if (s.keyword == "global" || s.keyword == "nonlocal" || s.keyword == "assert" ||
          s.keyword == "del") {
        return;
      }
      m_host.unanalyzable(
          s.span, (s.keyword.empty() ? std::string("this statement") : "`" + s.keyword + "`") +
                      " is not analysed: miglint reads revision code without "
                      "running it");
      return;
    }
  }

  void assign(const Expr& target, const ValuePtr& v, const EnvPtr& env) {
    switch (target.kind) {
    case ExprKind::Name:
      env->vars[target.text] = v;
      return;
    case ExprKind::Tuple:
    case ExprKind::List: {
      const bool known = v->kind == ValueKind::List || v->kind == ValueKind::Tuple;
      size_t star = target.items.size();
      for (size_t k = 0; k < target.items.size(); ++k) {
        if (target.items[k]->kind == ExprKind::Starred) {
          star = k;
        }
      }
      const size_t n = target.items.size();
      const bool fits = known && (star == n ? v->items.size() == n : v->items.size() + 1 >= n);
      for (size_t k = 0; k < n; ++k) {
        ValuePtr item;
        if (fits && k == star) { // a, *rest, b = ...
          const size_t after = n - star - 1;
          std::vector<ValuePtr> rest(v->items.begin() + static_cast<std::ptrdiff_t>(star),
                                     v->items.end() - static_cast<std::ptrdiff_t>(after));
          item = make_list(ValueKind::List, std::move(rest), target.span);
        } else if (fits) {
          item = k < star ? v->items[k] : v->items[v->items.size() - (n - k)];
        } else {
          item = v->kind == ValueKind::Unknown
                     ? v
                     : make_unknown("a value unpacked from " + describe(*v), target.span);
        }
        assign(*target.items[k], item, env);
      }
      return;
    }
    case ExprKind::Subscript: {
      const ValuePtr container = eval(*target.target, env);
      if (container->kind == ValueKind::Dict && !target.items.empty()) {
        const ValuePtr key = eval(*target.items[0], env);
        for (size_t k = 0; k + 1 < container->items.size(); k += 2) {
          if (equal(*container->items[k], *key)) {
            container->items[k + 1] = v;
            changed(container);
            return;
          }
        }
        container->items.push_back(key);
        container->items.push_back(v);
        changed(container);
      } else if (container->kind == ValueKind::List && !target.items.empty()) {
        const ValuePtr index = eval(*target.items[0], env);
        if (index->kind == ValueKind::Int) {
          const int64_t n = static_cast<int64_t>(container->items.size());
          const int64_t i = index->i < 0 ? index->i + n : index->i;
          if (i >= 0 && i < n) {
            container->items[static_cast<size_t>(i)] = v;
            changed(container);
          }
        }
      }
      return;
    }
    case ExprKind::Starred:
      if (!target.items.empty()) {
        assign(*target.items[0], v, env);
      }
      return;
    default:
      return; // attributes of objects: nothing miglint reads later
    }
  }

  void if_stmt(const Stmt& s, const EnvPtr& env) {
    const ValuePtr test = eval(*s.test, env);
    const auto t = truth(*test);
    if (t) {
      block(*t ? s.body : s.orelse, env);
      return;
    }
    const size_t before = m_host.schema_changes();
    // Both branches run; one that leaves (`return`, `raise`, `break`, `continue`: the early exit
    // of a data migration that found nothing to do) does not end the analysis: the code after
    // the `if` is the path the other branch takes.
    bool left_body = false;
    bool left_orelse = false;
    branch(s.body, env, left_body);
    branch(s.orelse, env, left_orelse);
    (void)left_body; // even when both leave, what follows is analysed: a superset is safer
    (void)left_orelse;
    if (m_host.schema_changes() > before) { // data-only branches lose nothing miglint checks
      m_host.unanalyzable(s.test->span, "this condition cannot be decided statically" +
                                            reason_suffix(*test) + ": both branches are analysed");
    }
  }

  // One branch of an undecidable `if`; `left` says whether it left the block.
  void branch(const std::vector<Stmt>& body, const EnvPtr& env, bool& left) {
    try {
      block(body, env);
    } catch (const ReturnSignal&) {
      left = true;
    } catch (const RaiseSignal&) {
      left = true;
    } catch (const BreakSignal&) {
      left = true;
      ++m_undecided_breaks; // the enclosing `while` stops after this iteration
    } catch (const ContinueSignal&) {
      left = true;
    }
  }

  // Runs `body` once with the loop's target unknown, emitting nothing, and says whether it
  // changes the schema.
  bool body_changes_schema(const Stmt& s, const ValuePtr& element, const EnvPtr& env) {
    const size_t before = m_host.schema_changes();
    m_host.probe(true);
    struct Off {
      Host& h;
      ~Off() { h.probe(false); }
    } off{m_host};
    try {
      if (!s.targets.empty()) {
        assign(*s.targets[0], element, env);
      }
      block(s.body, env);
    } catch (const BreakSignal&) {
    } catch (const ContinueSignal&) {
    } catch (const RaiseSignal&) {
    } catch (const ReturnSignal&) {
    }
    return m_host.schema_changes() > before;
  }

  static std::string reason_suffix(const Value& v) {
    if (v.kind == ValueKind::Unknown && !v.name.empty()) {
      return " (" + v.name + ")";
    }
    if (v.kind == ValueKind::Object || v.kind == ValueKind::Construct || v.kind == ValueKind::Ref) {
      return " (it tests " + describe(v) + ")";
    }
    return {};
  }

  std::optional<std::vector<ValuePtr>> iterate(const ValuePtr& v) {
    switch (v->kind) {
    case ValueKind::List:
    case ValueKind::Tuple:
    case ValueKind::Set:
      return v->items;
    case ValueKind::Dict: {
      std::vector<ValuePtr> keys;
      for (size_t k = 0; k < v->items.size(); k += 2) {
        keys.push_back(v->items[k]);
      }
      return keys;
    }
    case ValueKind::Object: // a collection the Host made iterable (a table's columns)
      if (v->attrs.contains("iterable")) {
        return v->items;
      }
      return std::nullopt;
    case ValueKind::Str: {
      std::vector<ValuePtr> chars;
      for (uint32_t k = 0; k < v->s.size(); ++k) {
        chars.push_back(substr(*v, k, k + 1));
      }
      return chars;
    }
    default:
      return std::nullopt;
    }
  }

  void for_stmt(const Stmt& s, const EnvPtr& env) {
    const ValuePtr iter = eval(*s.value, env);
    auto items = iterate(iter);
    if (!items) {
      const ValuePtr element = iter->kind == ValueKind::Unknown
                                   ? iter
                                   : make_unknown("an item of " + describe(*iter), s.value->span);
      if (body_changes_schema(s, element, env)) {
        m_host.unanalyzable(s.value->span, "this loop runs over " + describe(*iter) +
                                               " and changes the schema: its body is not "
                                               "analysed");
      }
      return;
    }
    int count = 0;
    for (const auto& item : *items) {
      if (++count > Evaluator::k_max_iterations) {
        m_host.unanalyzable(s.span, "this loop runs more than " +
                                        std::to_string(Evaluator::k_max_iterations) +
                                        " times: the rest is not analysed");
        return;
      }
      assign(*s.targets[0], item, env);
      try {
        block(s.body, env);
      } catch (const BreakSignal&) {
        return;
      } catch (const ContinueSignal&) {
      }
      // A set of the Host's that the body made grow or shrink (a table's constraints): Python's
      // set iterator raises on its next step.
      if (iter->kind == ValueKind::Set && iter->attrs.contains("live")) {
        const ValuePtr now = m_host.attribute(iter, "__len__", s.value->span);
        if (now && now->kind == ValueKind::Int && now->i != static_cast<int64_t>(items->size())) {
          throw RaiseSignal{"raises RuntimeError", s.value->span};
        }
      }
    }
    block(s.orelse, env);
  }

  void while_stmt(const Stmt& s, const EnvPtr& env) {
    for (int count = 0;; ++count) {
      const ValuePtr test = eval(*s.test, env);
      const auto t = truth(*test);
      if (!t) {
        if (body_changes_schema(s, test, env)) {
          m_host.unanalyzable(s.test->span, "this loop's condition cannot be decided statically" +
                                                reason_suffix(*test) +
                                                " and its body changes the schema: it is not "
                                                "analysed");
        }
        return;
      }
      if (!*t) {
        break;
      }
      if (count >= Evaluator::k_max_iterations) {
        m_host.unanalyzable(s.span, "this loop does not end within " +
                                        std::to_string(Evaluator::k_max_iterations) +
                                        " iterations when read statically");
        return;
      }
      const int breaks = m_undecided_breaks;
      try {
        block(s.body, env);
      } catch (const BreakSignal&) {
        return;
      } catch (const ContinueSignal&) {
      }
      if (m_undecided_breaks > breaks) {
        // `while True: ... if <data>: break`: a batch loop that runs until the data says so.
        // One iteration stands for all of them.
        m_undecided_breaks = breaks;
        return;
      }
    }
    block(s.orelse, env);
  }

  // The body is analysed as the path taken when the history applies cleanly; an `except` runs
  // only when the body raises what miglint can see (`raise`).
  void try_stmt(const Stmt& s, const EnvPtr& env) {
    try {
      try {
        block(s.body, env);
      } catch (const RaiseSignal& r) {
        if (s.handlers.empty()) {
          throw;
        }
        const auto& h = s.handlers.front();
        if (!h.name.empty()) {
          env->vars[h.name] = make_unknown("the exception " + r.what.substr(7), r.span);
        }
        block(h.body, env);
        block(s.finalbody, env);
        return;
      }
      block(s.orelse, env);
    } catch (...) {
      block(s.finalbody, env); // `finally` runs however the block ends
      throw;
    }
    block(s.finalbody, env);
  }

  void with_stmt(const Stmt& s, const EnvPtr& env, size_t item) {
    if (item >= s.items.size()) {
      block(s.body, env);
      return;
    }
    const WithItem& w = s.items[item];
    const ValuePtr ctx = eval(*w.context, env);
    ValuePtr bound;
    if (ctx->kind == ValueKind::Unknown) {
      if (ctx->effect) {
        m_host.unanalyzable(ctx->span, ctx->name);
      }
      bound = ctx;
    } else {
      bound = m_host.enter(ctx, w.context->span);
      if (!bound) {
        m_host.unanalyzable(w.context->span, "this `with` block is not one miglint understands: "
                                             "its body is analysed as if it ran plainly");
        bound = make_unknown("the value of a `with` block miglint does not know", w.context->span);
      }
    }
    if (!w.alias.empty()) {
      env->vars[w.alias] = bound;
    }
    struct Exit {
      Impl& impl;
      ValuePtr ctx;
      Span at;
      bool known;
      ~Exit() {
        if (known) {
          impl.m_host.exit(ctx, at);
        }
      }
    } exit{*this, ctx, w.context->span,
           ctx->kind != ValueKind::Unknown && bound && bound->kind != ValueKind::Unknown};
    with_stmt(s, env, item + 1);
  }

  // --- expressions -------------------------------------------------------------------------------

  ValuePtr eval(const Expr& e, const EnvPtr& env) {
    if (++m_steps > Evaluator::k_max_steps) {
      throw BudgetSignal{e.span};
    }
    switch (e.kind) {
    case ExprKind::Name:
      return lookup(e.text, env, e.span);
    case ExprKind::Str:
    case ExprKind::Bytes:
      return str_from_expr(e);
    case ExprKind::FString:
      return fstring(e, env);
    case ExprKind::Num:
      return number(e);
    case ExprKind::True:
      return make_bool(true, e.span);
    case ExprKind::False:
      return make_bool(false, e.span);
    case ExprKind::None:
      return make_none(e.span);
    case ExprKind::Ellipsis:
      return make_unknown("`...`", e.span);
    case ExprKind::Tuple:
    case ExprKind::List:
    case ExprKind::Set: {
      std::vector<ValuePtr> items;
      for (const auto& item : e.items) {
        if (item->kind == ExprKind::Starred && !item->items.empty()) {
          const ValuePtr inner = eval(*item->items[0], env);
          if (auto parts = iterate(inner)) {
            items.insert(items.end(), parts->begin(), parts->end());
          } else {
            return make_unknown("a sequence unpacked from " + describe(*inner), item->span);
          }
        } else {
          items.push_back(eval(*item, env));
        }
      }
      return make_list(e.kind == ExprKind::Tuple  ? ValueKind::Tuple
                       : e.kind == ExprKind::List ? ValueKind::List
                                                  : ValueKind::Set,
                       std::move(items), e.span);
    }
    case ExprKind::Dict: {
      std::vector<ValuePtr> items;
      for (size_t k = 0; k + 1 < e.items.size(); k += 2) {
        if (!e.items[k]) { // **mapping
          const ValuePtr m = eval(*e.items[k + 1], env);
          if (m->kind != ValueKind::Dict) {
            return make_unknown("a mapping unpacked from " + describe(*m), e.items[k + 1]->span);
          }
          items.insert(items.end(), m->items.begin(), m->items.end());
          continue;
        }
        items.push_back(eval(*e.items[k], env));
        items.push_back(eval(*e.items[k + 1], env));
      }
      return make_list(ValueKind::Dict, std::move(items), e.span);
    }
    case ExprKind::Attribute:
      return attribute(eval(*e.target, env), e.text, e.span);
    case ExprKind::Call:
      return call(e, env);
    case ExprKind::Subscript:
      return subscript(e, env);
    case ExprKind::BinOp:
      return binop(e.text, eval(*e.items[0], env), eval(*e.items[1], env), e.span);
    case ExprKind::UnaryOp: {
      const ValuePtr v = eval(*e.items[0], env);
      if (e.text == "not") {
        auto t = truth(*v);
        return t ? make_bool(!*t, e.span) : unknown_from(*v, e.span);
      }
      if (e.text == "-" && v->kind == ValueKind::Int) {
        return make_int(-v->i, e.span);
      }
      if (e.text == "-" && v->kind == ValueKind::Float) {
        auto f = std::make_shared<Value>(*v);
        f->f = -v->f;
        return f;
      }
      if (e.text == "+" && (v->kind == ValueKind::Int || v->kind == ValueKind::Float)) {
        return v;
      }
      return unknown_from(*v, e.span);
    }
    case ExprKind::BoolOp: {
      ValuePtr last;
      for (const auto& item : e.items) {
        last = eval(*item, env);
        const auto t = truth(*last);
        if (!t) {
          return unknown_from(*last, e.span);
        }
        if (e.text == "and" ? !*t : *t) {
          return last;
        }
      }
      return last;
    }
    case ExprKind::Compare:
      return compare(e, env);
    case ExprKind::IfExp: {
      const ValuePtr test = eval(*e.items[1], env);
      const auto t = truth(*test);
      if (!t) {
        return unknown_from(*test, e.span);
      }
      return eval(*e.items[*t ? 0 : 2], env);
    }
    case ExprKind::Comprehension:
      return comprehension(e, env);
    case ExprKind::Starred:
      return make_unknown("a starred expression", e.span);
    case ExprKind::Slice:
      return make_unknown("a slice outside a subscript", e.span);
    case ExprKind::Lambda:
      return make_unknown("a lambda", e.span);
    case ExprKind::Other:
      return make_unknown("this expression", e.span);
    }
    return make_unknown("this expression", e.span);
  }

  static ValuePtr unknown_from(const Value& v, Span span) {
    if (v.kind == ValueKind::Unknown) {
      return make_unknown(v.name, v.span.end ? v.span : span, false);
    }
    return make_unknown("it depends on " + describe(v), span);
  }

  static ValuePtr number(const Expr& e) {
    std::string t;
    for (char c : e.text) {
      if (c != '_') {
        t += c;
      }
    }
    try {
      if (t.find_first_of(".eEjJ") == std::string::npos || t.rfind("0x", 0) == 0 ||
          t.rfind("0X", 0) == 0) {
        int base = 10;
        std::string digits = t;
        if (t.size() > 2 && t[0] == '0' && (t[1] == 'x' || t[1] == 'X')) {
          base = 16;
          digits = t.substr(2);
        } else if (t.size() > 2 && t[0] == '0' && (t[1] == 'o' || t[1] == 'O')) {
          base = 8;
          digits = t.substr(2);
        } else if (t.size() > 2 && t[0] == '0' && (t[1] == 'b' || t[1] == 'B')) {
          base = 2;
          digits = t.substr(2);
        }
        return make_int(std::stoll(digits, nullptr, base), e.span);
      }
      auto v = std::make_shared<Value>();
      v->kind = ValueKind::Float;
      v->f = std::stod(t);
      v->span = e.span;
      return v;
    } catch (...) {
      return make_unknown("the number " + e.text, e.span);
    }
  }

  ValuePtr fstring(const Expr& e, const EnvPtr& env) {
    ValuePtr out = make_str("", e.span);
    uint32_t at = 0;
    auto literal_part = [&](uint32_t end) {
      if (end > at) {
        Value whole;
        whole.kind = ValueKind::Str;
        whole.s = e.text;
        whole.pieces = e.pieces;
        out = concat(*out, *substr(whole, at, end), e.span);
      }
    };
    for (const auto& f : e.fields()) {
      literal_part(f.begin);
      at = f.end;
      if (!f.literal.empty()) {
        out = concat(*out, *make_str(f.literal, e.span), e.span);
        continue;
      }
      if (!f.expr || f.has_format) {
        return make_unknown("an f-string field miglint cannot read", e.span);
      }
      const ValuePtr v = eval(*f.expr, env);
      ValuePtr text;
      if (f.conversion == "r" && v->kind == ValueKind::Str) {
        text = make_str(repr_str(v->s), f.expr->span);
        text->pieces.push_back({0, static_cast<uint32_t>(text->s.size()), f.expr->span.begin,
                                f.expr->span.end, false});
      } else {
        text = formatted(*v, f.expr->span);
      }
      if (!text) {
        return v->kind == ValueKind::Unknown
                   ? v
                   : make_unknown("an f-string formats " + describe(*v), f.expr->span);
      }
      out = concat(*out, *text, e.span);
    }
    literal_part(static_cast<uint32_t>(e.text.size()));
    out->span = e.span;
    return out;
  }

  ValuePtr subscript(const Expr& e, const EnvPtr& env) {
    const ValuePtr c = eval(*e.target, env);
    if (!e.items.empty() && e.items[0]->kind == ExprKind::Slice) {
      return slice(c, *e.items[0], env, e.span);
    }
    if (e.items.empty() || e.items[0]->kind == ExprKind::Other) {
      return c->kind == ValueKind::Unknown ? c : make_unknown("a subscript", e.span);
    }
    const ValuePtr k = eval(*e.items[0], env);
    if (c->kind == ValueKind::Dict) {
      for (size_t i = 0; i + 1 < c->items.size(); i += 2) {
        if (equal(*c->items[i], *k)) {
          return c->items[i + 1];
        }
      }
      return make_unknown("the key " + describe(*k) + " is not in " + describe(*c), e.span);
    }
    if ((c->kind == ValueKind::List || c->kind == ValueKind::Tuple || c->kind == ValueKind::Str) &&
        k->kind == ValueKind::Int) {
      const auto n =
          static_cast<int64_t>(c->kind == ValueKind::Str ? c->s.size() : c->items.size());
      const int64_t i = k->i < 0 ? k->i + n : k->i;
      if (i < 0 || i >= n) {
        return make_unknown("an index out of range", e.span);
      }
      if (c->kind == ValueKind::Str) {
        return substr(*c, static_cast<uint32_t>(i), static_cast<uint32_t>(i + 1));
      }
      return c->items[static_cast<size_t>(i)];
    }
    if (c->kind == ValueKind::Object || c->kind == ValueKind::Construct ||
        c->kind == ValueKind::Ref) {
      // `table.c["name"]`, `row["x"]`: ask the Host as an attribute.
      if (k->kind == ValueKind::Str) {
        if (auto v = m_host.attribute(c, "[" + k->s + "]", e.span)) {
          return v;
        }
      }
      return make_unknown("an item of " + describe(*c), e.span);
    }
    return c->kind == ValueKind::Unknown ? c : unknown_from(*k, e.span);
  }

  // s[a:b:c] of a string, list or tuple.
  ValuePtr slice(const ValuePtr& c, const Expr& sl, const EnvPtr& env, Span at) {
    if (c->kind == ValueKind::Unknown) {
      return c;
    }
    const bool is_str = c->kind == ValueKind::Str;
    if (!is_str && c->kind != ValueKind::List && c->kind != ValueKind::Tuple) {
      return make_unknown("a slice of " + describe(*c), at);
    }
    const auto n = static_cast<int64_t>(is_str ? c->s.size() : c->items.size());
    int64_t bound[3] = {0, n, 1};
    for (int k = 0; k < 3; ++k) {
      if (!sl.items[static_cast<size_t>(k)]) {
        continue;
      }
      const ValuePtr v = eval(*sl.items[static_cast<size_t>(k)], env);
      if (v->kind == ValueKind::None) {
        continue;
      }
      if (v->kind != ValueKind::Int) {
        return unknown_from(*v, at);
      }
      bound[k] = v->i;
    }
    if (bound[2] != 1) {
      return make_unknown("a slice with a step", at);
    }
    auto clamp = [n](int64_t i) { return std::clamp<int64_t>(i < 0 ? i + n : i, 0, n); };
    const int64_t lo = clamp(bound[0]);
    const int64_t hi = std::max(lo, clamp(bound[1]));
    if (is_str) {
      return substr(*c, static_cast<uint32_t>(lo), static_cast<uint32_t>(hi));
    }
    return make_list(c->kind, std::vector<ValuePtr>(c->items.begin() + lo, c->items.begin() + hi),
                     at);
  }

  ValuePtr comprehension(const Expr& e, const EnvPtr& outer) {
    const EnvPtr env = scope(outer);
    std::vector<ValuePtr> out;
    std::optional<ValuePtr> failure;
    std::function<void(size_t)> loop = [&](size_t level) {
      if (failure) {
        return;
      }
      if (level == e.comps().size()) {
        for (const auto& item : e.items) {
          out.push_back(eval(*item, env));
        }
        return;
      }
      const CompFor& c = e.comps()[level];
      const ValuePtr iter = eval(*c.iter, env);
      auto items = iterate(iter);
      if (!items) {
        failure = iter->kind == ValueKind::Unknown
                      ? iter
                      : make_unknown("a comprehension over " + describe(*iter), c.iter->span);
        return;
      }
      for (const auto& item : *items) {
        assign(*c.target, item, env);
        bool keep = true;
        for (const auto& cond : c.ifs) {
          const ValuePtr t = eval(*cond, env);
          const auto b = truth(*t);
          if (!b) {
            failure = unknown_from(*t, cond->span);
            return;
          }
          keep = keep && *b;
        }
        if (keep) {
          loop(level + 1);
        }
      }
    };
    loop(0);
    if (failure) {
      return *failure;
    }
    if (e.text == "dict") {
      return make_list(ValueKind::Dict, std::move(out), e.span);
    }
    if (e.text == "set") {
      return make_list(ValueKind::Set, std::move(out), e.span);
    }
    return make_list(ValueKind::List, std::move(out), e.span);
  }

  ValuePtr compare(const Expr& e, const EnvPtr& env) {
    // a < b < c: the operators after the first are not kept by the parser beyond `text`; most
    // revisions compare two operands.
    ValuePtr left = eval(*e.items[0], env);
    ValuePtr result = make_bool(true, e.span);
    for (size_t k = 1; k < e.items.size(); ++k) {
      const ValuePtr right = eval(*e.items[k], env);
      const ValuePtr r = compare_two(e.text, left, right, e.span);
      const auto t = truth(*r);
      if (!t) {
        return r;
      }
      if (!*t) {
        return r;
      }
      result = r;
      left = right;
    }
    return result;
  }

  ValuePtr compare_two(const std::string& op, const ValuePtr& a, const ValuePtr& b, Span span) {
    if (op == "is" || op == "is not") {
      if (a->kind == ValueKind::Unknown || b->kind == ValueKind::Unknown) {
        return unknown_from(a->kind == ValueKind::Unknown ? *a : *b, span);
      }
      bool same = a.get() == b.get() ||
                  (a->kind == ValueKind::None && b->kind == ValueKind::None) ||
                  (a->kind == ValueKind::Bool && b->kind == ValueKind::Bool && a->b == b->b);
      if (!same && (a->kind == ValueKind::None || b->kind == ValueKind::None)) {
        same = false; // something that is not None
      }
      return make_bool(op == "is" ? same : !same, span);
    }
    if (op == "in" || op == "not in") {
      if (b->kind == ValueKind::Str && a->kind == ValueKind::Str) {
        const bool found = b->s.find(a->s) != std::string::npos;
        return make_bool(op == "in" ? found : !found, span);
      }
      if (a->kind == ValueKind::Unknown) {
        return unknown_from(*a, span);
      }
      auto items = b->kind == ValueKind::Str ? std::nullopt : iterate(b);
      if (!items || !comparable(*a)) {
        return unknown_from(b->kind == ValueKind::Unknown ? *b : *a, span);
      }
      bool found = false;
      for (const auto& item : *items) {
        if (item->kind == ValueKind::Unknown) {
          return unknown_from(*item, span);
        }
        found = found || equal(*item, *a);
      }
      return make_bool(op == "in" ? found : !found, span);
    }
    if (!comparable(*a) || !comparable(*b)) {
      return unknown_from(a->kind == ValueKind::Unknown || !comparable(*a) ? *a : *b, span);
    }
    if (op == "==" || op == "!=") {
      const bool eq = equal(*a, *b);
      return make_bool(op == "==" ? eq : !eq, span);
    }
    auto num = [](const Value& v) -> std::optional<double> {
      if (v.kind == ValueKind::Int) {
        return static_cast<double>(v.i);
      }
      if (v.kind == ValueKind::Float) {
        return v.f;
      }
      if (v.kind == ValueKind::Bool) {
        return v.b ? 1 : 0;
      }
      return std::nullopt;
    };
    int cmp = 0;
    if (auto x = num(*a), y = num(*b); x && y) {
      cmp = *x < *y ? -1 : *x > *y ? 1 : 0;
    } else if (a->kind == ValueKind::Str && b->kind == ValueKind::Str) {
      cmp = a->s.compare(b->s);
    } else {
      return make_unknown("a comparison of " + describe(*a) + " with " + describe(*b), span);
    }
    bool r = false;
    if (op == "<") {
      r = cmp < 0;
    } else if (op == ">") {
      r = cmp > 0;
    } else if (op == "<=") {
      r = cmp <= 0;
    } else if (op == ">=") {
      r = cmp >= 0;
    }
    return make_bool(r, span);
  }

  ValuePtr binop(const std::string& op, const ValuePtr& a, const ValuePtr& b, Span span) {
    if (a->kind == ValueKind::Unknown) {
      return a;
    }
    if (b->kind == ValueKind::Unknown) {
      return b;
    }
    if (op == "+") {
      if (a->kind == ValueKind::Str && b->kind == ValueKind::Str) {
        return concat(*a, *b, span);
      }
      if ((a->kind == ValueKind::List && b->kind == ValueKind::List) ||
          (a->kind == ValueKind::Tuple && b->kind == ValueKind::Tuple)) {
        std::vector<ValuePtr> items = a->items;
        items.insert(items.end(), b->items.begin(), b->items.end());
        return make_list(a->kind, std::move(items), span);
      }
    }
    if (op == "%" && a->kind == ValueKind::Str) {
      return percent_format(*a, b, span);
    }
    if (op == "*" && a->kind == ValueKind::Str && b->kind == ValueKind::Int) {
      std::string s;
      for (int64_t k = 0; k < std::min<int64_t>(b->i, 100000); ++k) {
        s += a->s;
      }
      return make_str(std::move(s), span);
    }
    if (op == "*" && a->kind == ValueKind::List && b->kind == ValueKind::Int) {
      std::vector<ValuePtr> items;
      for (int64_t k = 0; k < std::min<int64_t>(b->i, 10000); ++k) {
        items.insert(items.end(), a->items.begin(), a->items.end());
      }
      return make_list(ValueKind::List, std::move(items), span);
    }
    if (a->kind == ValueKind::Int && b->kind == ValueKind::Int) {
      const int64_t x = a->i;
      const int64_t y = b->i;
      if (op == "+") {
        return make_int(x + y, span);
      }
      if (op == "-") {
        return make_int(x - y, span);
      }
      if (op == "*") {
        return make_int(x * y, span);
      }
      if (op == "//" && y != 0) {
        return make_int(x / y - ((x % y != 0) && ((x < 0) != (y < 0))), span);
      }
      if (op == "%" && y != 0) {
        return make_int(((x % y) + y) % y, span);
      }
      if (op == "**" && y >= 0 && y < 63) {
        int64_t r = 1;
        for (int64_t k = 0; k < y; ++k) {
          r *= x;
        }
        return make_int(r, span);
      }
    }
    if (op == "|" && a->kind == ValueKind::Dict && b->kind == ValueKind::Dict) {
      auto out = make_list(ValueKind::Dict, a->items, span);
      out->items.insert(out->items.end(), b->items.begin(), b->items.end());
      return out;
    }
    return make_unknown("`" + describe(*a) + " " + op + " " + describe(*b) + "`", span);
  }

  // "... %s ..." % value(s)
  ValuePtr percent_format(const Value& fmt, const ValuePtr& args, Span span) {
    std::vector<ValuePtr> values =
        args->kind == ValueKind::Tuple ? args->items : std::vector<ValuePtr>{args};
    ValuePtr out = make_str("", span);
    size_t next = 0;
    uint32_t at = 0;
    for (uint32_t k = 0; k < fmt.s.size(); ++k) {
      if (fmt.s[k] != '%' || k + 1 >= fmt.s.size()) {
        continue;
      }
      out = concat(*out, *substr(fmt, at, k), span);
      const char c = fmt.s[k + 1];
      if (c == '%') {
        out = concat(*out, *make_str("%", span), span);
      } else if (c == 's' || c == 'd' || c == 'r' || c == 'i') {
        if (next >= values.size()) {
          return make_unknown("a %-format with too few values", span);
        }
        const ValuePtr v = values[next++];
        ValuePtr text = c == 'r' && v->kind == ValueKind::Str ? make_str(repr_str(v->s), v->span)
                                                              : formatted(*v, v->span);
        if (!text) {
          return v->kind == ValueKind::Unknown
                     ? v
                     : make_unknown("a %-format of " + describe(*v), span);
        }
        out = concat(*out, *text, span);
      } else {
        return make_unknown("a %-format miglint cannot read", span);
      }
      at = k + 2;
      ++k;
    }
    out = concat(*out, *substr(fmt, at, static_cast<uint32_t>(fmt.s.size())), span);
    return out;
  }

  ValuePtr attribute(const ValuePtr& obj, const std::string& name, Span span) {
    switch (obj->kind) {
    case ValueKind::Unknown:
      return obj;
    case ValueKind::Ref:
    case ValueKind::Object:
    case ValueKind::Construct: {
      if (auto v = m_host.attribute(obj, name, span)) {
        return v;
      }
      if (obj->kind == ValueKind::Ref) {
        auto r = std::make_shared<Value>();
        r->kind = ValueKind::Ref;
        r->name = obj->name + "." + name;
        r->span = span;
        return r;
      }
      // A method of a host value: the Host answers the call.
      auto m = std::make_shared<Value>();
      m->kind = ValueKind::Builtin;
      m->name = name;
      m->self = obj;
      m->span = span;
      return m;
    }
    case ValueKind::Str:
    case ValueKind::List:
    case ValueKind::Dict:
    case ValueKind::Set:
    case ValueKind::Tuple: {
      auto m = std::make_shared<Value>();
      m->kind = ValueKind::Builtin;
      m->name = name;
      m->self = obj;
      m->span = span;
      return m;
    }
    default:
      return make_unknown("`." + name + "` of " + describe(*obj), span);
    }
  }

  // --- calls -------------------------------------------------------------------------------------

  ValuePtr call(const Expr& e, const EnvPtr& env) {
    const ValuePtr callee = eval(*e.target, env);
    Args args;
    args.call = &e;
    for (const auto& item : e.items) {
      if (item->kind == ExprKind::Starred && !item->items.empty()) {
        const ValuePtr v = eval(*item->items[0], env);
        if (auto parts = iterate(v)) {
          args.positional.insert(args.positional.end(), parts->begin(), parts->end());
        } else {
          args.positional.push_back(v);
        }
        continue;
      }
      args.positional.push_back(eval(*item, env));
    }
    for (const auto& k : e.keywords) {
      const ValuePtr v = eval(*k.value, env);
      if (k.name.empty() && v->kind == ValueKind::Dict) {
        for (size_t i = 0; i + 1 < v->items.size(); i += 2) {
          if (v->items[i]->kind == ValueKind::Str) {
            args.keywords.push_back({v->items[i]->s, v->items[i + 1]});
          }
        }
        continue;
      }
      args.keywords.push_back({k.name, v});
    }
    args.origin = m_depth == 0 ? e.span : m_top_call;
    switch (callee->kind) {
    case ValueKind::Function: {
      const Span saved = m_top_call;
      if (m_depth == 0) {
        m_top_call = e.span;
      }
      ValuePtr r = call_function(*callee, args, e.span);
      m_top_call = saved;
      return r;
    }
    case ValueKind::Builtin:
      return builtin(*callee, args, e.span);
    case ValueKind::Class: // an instance of a class of this file: the Host decides what it is
      try {
        return m_host.call(callee, args);
      } catch (const HostRaise& r) {
        throw RaiseSignal{r.what, r.span};
      }
    case ValueKind::Ref:
    case ValueKind::Object:
    case ValueKind::Construct:
      try {
        return m_host.call(callee, args);
      } catch (const HostRaise& r) {
        throw RaiseSignal{r.what, r.span};
      }
    case ValueKind::Unknown:
      // A method of data (rows.fetchall()) is data; a function miglint cannot see has effects.
      return make_unknown(callee->name, callee->span, callee->effect);
    default:
      return make_unknown(describe(*callee) + " is not callable", e.span);
    }
  }

  ValuePtr call_function(const Value& f, const Args& args, Span at) {
    if (m_depth >= Evaluator::k_max_depth) {
      return make_unknown("calls nested deeper than " + std::to_string(Evaluator::k_max_depth) +
                              " functions",
                          at, true);
    }
    const EnvPtr env = scope(f.closure);
    size_t next = 0;
    std::vector<KeywordValue> extra = args.keywords;
    for (const auto& p : f.def_->params) {
      if (p.star == "*") {
        std::vector<ValuePtr> rest;
        while (next < args.positional.size()) {
          rest.push_back(args.positional[next++]);
        }
        env->vars[p.name] = make_list(ValueKind::Tuple, std::move(rest), at);
        continue;
      }
      if (p.star == "**") {
        continue; // bound below from what is left
      }
      ValuePtr v;
      auto it = std::find_if(extra.begin(), extra.end(),
                             [&](const KeywordValue& k) { return k.name == p.name; });
      if (it != extra.end()) {
        v = it->value;
        extra.erase(it);
      } else if (!p.keyword_only && next < args.positional.size()) {
        v = args.positional[next++];
      } else if (p.default_value) {
        v = eval(*p.default_value, f.closure);
      } else {
        v = make_unknown("the argument `" + p.name + "` is missing", at);
      }
      env->vars[p.name] = v;
    }
    for (const auto& p : f.def_->params) {
      if (p.star == "**") {
        auto d = make_list(ValueKind::Dict, {}, at);
        for (const auto& k : extra) {
          d->items.push_back(make_str(k.name, at));
          d->items.push_back(k.value);
        }
        env->vars[p.name] = d;
      }
    }
    ++m_depth;
    struct Depth {
      int& d;
      ~Depth() { --d; }
    } depth{m_depth};
    try {
      block(f.def_->body, env);
    } catch (const ReturnSignal& r) {
      return r.value;
    }
    return make_none(at);
  }

  ValuePtr builtin(const Value& b, const Args& args, Span at) {
    if (b.self) {
      return method(b.self, b.name, args, at);
    }
    const std::string& n = b.name;
    auto arg = [&](size_t k) { return k < args.positional.size() ? args.positional[k] : nullptr; };
    if (n == "print") {
      return make_none(at);
    }
    if (n == "len") {
      const ValuePtr v = arg(0);
      if (v && v->kind == ValueKind::Str) {
        return make_int(static_cast<int64_t>(v->s.size()), at);
      }
      if (v && (v->kind == ValueKind::List || v->kind == ValueKind::Tuple ||
                v->kind == ValueKind::Set)) {
        return make_int(static_cast<int64_t>(v->items.size()), at);
      }
      if (v && v->kind == ValueKind::Dict) {
        return make_int(static_cast<int64_t>(v->items.size() / 2), at);
      }
      return v ? unknown_from(*v, at) : make_unknown("len()", at);
    }
    if (n == "any" || n == "all") {
      const ValuePtr v = arg(0);
      auto items = v ? iterate(v) : std::nullopt;
      if (!items) {
        return v ? unknown_from(*v, at) : make_unknown(n + "()", at);
      }
      for (const auto& item : *items) {
        const auto t = truth(*item);
        if (!t) {
          return unknown_from(*item, at);
        }
        if (n == "any" ? *t : !*t) {
          return make_bool(n == "any", at);
        }
      }
      return make_bool(n == "all", at);
    }
    if (n == "list" || n == "tuple" || n == "set" || n == "sorted" || n == "reversed" ||
        n == "frozenset") {
      if (!arg(0)) {
        return make_list(n == "tuple" ? ValueKind::Tuple
                         : n == "set" ? ValueKind::Set
                                      : ValueKind::List,
                         {}, at);
      }
      auto items = iterate(arg(0));
      if (!items) {
        return unknown_from(*arg(0), at);
      }
      std::vector<ValuePtr> out = *items;
      if (n == "sorted") {
        const bool all_str = std::all_of(
            out.begin(), out.end(), [](const ValuePtr& v) { return v->kind == ValueKind::Str; });
        if (!all_str) {
          return make_unknown("sorted() of values miglint cannot order", at);
        }
        std::stable_sort(out.begin(), out.end(),
                         [](const ValuePtr& x, const ValuePtr& y) { return x->s < y->s; });
      } else if (n == "reversed") {
        std::reverse(out.begin(), out.end());
      }
      return make_list(n == "tuple"                       ? ValueKind::Tuple
                       : (n == "set" || n == "frozenset") ? ValueKind::Set
                                                          : ValueKind::List,
                       std::move(out), at);
    }
    if (n == "dict") {
      auto d = make_list(ValueKind::Dict, {}, at);
      if (arg(0) && arg(0)->kind == ValueKind::Dict) {
        d->items = arg(0)->items;
      }
      for (const auto& k : args.keywords) {
        d->items.push_back(make_str(k.name, at));
        d->items.push_back(k.value);
      }
      return d;
    }
    if (n == "str" || n == "repr") {
      const ValuePtr v = arg(0);
      if (!v) {
        return make_str("", at);
      }
      if (n == "repr" && v->kind == ValueKind::Str) {
        return make_str(repr_str(v->s), at);
      }
      if (v->kind == ValueKind::Object || v->kind == ValueKind::Construct) {
        if (auto s = m_host.attribute(v, "__str__", at)) {
          return s;
        }
      }
      if (auto t = formatted(*v, v->span)) {
        return t;
      }
      return unknown_from(*v, at);
    }
    if (n == "int" || n == "bool" || n == "float") {
      const ValuePtr v = arg(0);
      if (!v) {
        return n == "bool" ? make_bool(false, at) : make_int(0, at);
      }
      if (n == "bool") {
        auto t = truth(*v);
        return t ? make_bool(*t, at) : unknown_from(*v, at);
      }
      if (v->kind == ValueKind::Int) {
        return v;
      }
      if (v->kind == ValueKind::Str) {
        try {
          return make_int(std::stoll(v->s), at);
        } catch (...) {
        }
      }
      return unknown_from(*v, at);
    }
    if (n == "range") {
      std::vector<int64_t> p;
      for (const auto& a : args.positional) {
        if (a->kind != ValueKind::Int) {
          return unknown_from(*a, at);
        }
        p.push_back(a->i);
      }
      int64_t start = 0, stop = 0, step = 1;
      if (p.size() == 1) {
        stop = p[0];
      } else if (p.size() >= 2) {
        start = p[0];
        stop = p[1];
        step = p.size() > 2 ? p[2] : 1;
      }
      if (step == 0) {
        return make_unknown("range() with step 0", at);
      }
      std::vector<ValuePtr> out;
      for (int64_t k = start; (step > 0 ? k < stop : k > stop) &&
                              out.size() <= static_cast<size_t>(Evaluator::k_max_iterations);
           k += step) {
        out.push_back(make_int(k, at));
      }
      return make_list(ValueKind::List, std::move(out), at);
    }
    if (n == "enumerate" || n == "zip") {
      std::vector<std::vector<ValuePtr>> seqs;
      for (const auto& a : args.positional) {
        auto items = iterate(a);
        if (!items) {
          return unknown_from(*a, at);
        }
        seqs.push_back(*items);
      }
      std::vector<ValuePtr> out;
      if (n == "enumerate" && !seqs.empty()) {
        int64_t start = 0;
        if (auto s = args.get(1, "start"); s && s->kind == ValueKind::Int) {
          start = s->i;
        }
        for (size_t k = 0; k < seqs[0].size(); ++k) {
          out.push_back(make_list(ValueKind::Tuple,
                                  {make_int(start + static_cast<int64_t>(k), at), seqs[0][k]}, at));
        }
      } else if (!seqs.empty()) {
        size_t len = SIZE_MAX;
        for (const auto& s : seqs) {
          len = std::min(len, s.size());
        }
        for (size_t k = 0; k < len; ++k) {
          std::vector<ValuePtr> row;
          for (const auto& s : seqs) {
            row.push_back(s[k]);
          }
          out.push_back(make_list(ValueKind::Tuple, std::move(row), at));
        }
      }
      return make_list(ValueKind::List, std::move(out), at);
    }
    if (n == "isinstance" && arg(0) && arg(1) &&
        (arg(0)->kind == ValueKind::Object ||
         (arg(0)->kind == ValueKind::Str && arg(0)->attrs.contains("host_class"))) &&
        arg(1)->kind == ValueKind::Ref) {
      // An object of the Host (a reflected constraint, a reflected column's type, which reads as
      // a string but is an instance of a SQLAlchemy type): the Host knows its class.
      if (auto v = m_host.attribute(arg(0), "__isinstance__ " + arg(1)->name, at)) {
        return v;
      }
    }
    if (n == "isinstance") {
      const ValuePtr v = arg(0);
      const ValuePtr t = arg(1);
      if (v && t && t->kind == ValueKind::Builtin) {
        const std::map<std::string, ValueKind> kinds = {
            {"str", ValueKind::Str},     {"int", ValueKind::Int},   {"list", ValueKind::List},
            {"tuple", ValueKind::Tuple}, {"dict", ValueKind::Dict}, {"bool", ValueKind::Bool},
            {"float", ValueKind::Float}, {"set", ValueKind::Set}};
        if (auto it = kinds.find(t->name); it != kinds.end() && comparable(*v)) {
          return make_bool(
              v->kind == it->second || (t->name == "int" && v->kind == ValueKind::Bool), at);
        }
      }
      return make_unknown("an isinstance() test", at);
    }
    if (n == "hasattr") {
      const ValuePtr obj = arg(0);
      const ValuePtr name = arg(1);
      if (obj && name && name->kind == ValueKind::Str) {
        if (obj->kind == ValueKind::Object || obj->kind == ValueKind::Construct) {
          // What the Host answers exists; a method of a Host object exists too.
          return make_bool(m_host.attribute(obj, name->s, at) != nullptr ||
                               obj->kind == ValueKind::Construct,
                           at);
        }
        if (obj->kind == ValueKind::Ref) {
          return make_bool(true, at);
        }
      }
      return make_unknown("a hasattr()", at);
    }
    if (n == "getattr") {
      const ValuePtr obj = arg(0);
      const ValuePtr name = arg(1);
      if (obj && name && name->kind == ValueKind::Str) {
        ValuePtr v = attribute(obj, name->s, at);
        if (v->kind == ValueKind::Unknown && arg(2)) {
          return arg(2);
        }
        return v;
      }
      return make_unknown("a getattr()", at);
    }
    if (n == "min" || n == "max" || n == "sum") {
      std::vector<ValuePtr> items = args.positional;
      if (items.size() == 1) {
        auto it = iterate(items[0]);
        if (!it) {
          return unknown_from(*items[0], at);
        }
        items = *it;
      }
      int64_t acc = n == "sum" ? 0 : 0;
      bool first = true;
      for (const auto& v : items) {
        if (v->kind != ValueKind::Int) {
          return unknown_from(*v, at);
        }
        if (n == "sum") {
          acc += v->i;
        } else if (first || (n == "min" ? v->i < acc : v->i > acc)) {
          acc = v->i;
        }
        first = false;
      }
      return make_int(acc, at);
    }
    if (n == "format") {
      if (arg(0)) {
        if (auto t = formatted(*arg(0), at)) {
          return t;
        }
      }
      return make_unknown("a format()", at);
    }
    return make_unknown("`" + n + "()` is not evaluated statically", at, true);
  }

  ValuePtr method(const ValuePtr& self, const std::string& n, const Args& args, Span at) {
    auto arg = [&](size_t k) { return k < args.positional.size() ? args.positional[k] : nullptr; };
    if (self->kind == ValueKind::Object || self->kind == ValueKind::Construct ||
        self->kind == ValueKind::Ref) {
      auto m = std::make_shared<Value>();
      m->kind = ValueKind::Builtin;
      m->name = n;
      m->self = self;
      m->span = at;
      try {
        return m_host.call(m, args);
      } catch (const HostRaise& r) {
        throw RaiseSignal{r.what, r.span};
      }
    }
    if (self->kind == ValueKind::Str) {
      const std::string& s = self->s;
      if (n == "lower" || n == "upper") {
        std::string out = s;
        for (auto& c : out) {
          c = static_cast<char>(n == "lower" ? std::tolower(static_cast<unsigned char>(c))
                                             : std::toupper(static_cast<unsigned char>(c)));
        }
        auto v = make_str(out, at);
        v->pieces = self->pieces;
        return v;
      }
      if (n == "strip" || n == "lstrip" || n == "rstrip") {
        const std::string ws = arg(0) && arg(0)->kind == ValueKind::Str ? arg(0)->s : " \t\r\n";
        auto b = static_cast<uint32_t>(n == "rstrip" ? 0 : s.find_first_not_of(ws));
        if (b == static_cast<uint32_t>(std::string::npos)) {
          return substr(*self, 0, 0);
        }
        const auto last = s.find_last_not_of(ws);
        auto e = static_cast<uint32_t>(n == "lstrip" ? s.size() : last + 1);
        return substr(*self, b, std::max(b, e));
      }
      if (n == "startswith" || n == "endswith") {
        const ValuePtr p = arg(0);
        std::vector<ValuePtr> options;
        if (p && p->kind == ValueKind::Str) {
          options.push_back(p);
        } else if (p && p->kind == ValueKind::Tuple) {
          options = p->items;
        } else {
          return p ? unknown_from(*p, at) : make_unknown(n + "()", at);
        }
        for (const auto& o : options) {
          if (o->kind != ValueKind::Str) {
            return unknown_from(*o, at);
          }
          const bool hit = n == "startswith"
                               ? s.rfind(o->s, 0) == 0
                               : s.size() >= o->s.size() &&
                                     s.compare(s.size() - o->s.size(), o->s.size(), o->s) == 0;
          if (hit) {
            return make_bool(true, at);
          }
        }
        return make_bool(false, at);
      }
      if (n == "join") {
        auto items = arg(0) ? iterate(arg(0)) : std::nullopt;
        if (!items) {
          return arg(0) ? unknown_from(*arg(0), at) : make_unknown("join()", at);
        }
        ValuePtr out = make_str("", at);
        for (size_t k = 0; k < items->size(); ++k) {
          if ((*items)[k]->kind != ValueKind::Str) {
            return unknown_from(*(*items)[k], at);
          }
          if (k > 0) {
            out = concat(*out, *self, at);
          }
          out = concat(*out, *(*items)[k], at);
        }
        return out;
      }
      if (n == "format") {
        return str_format(*self, args, at);
      }
      if (n == "replace") {
        if (arg(0) && arg(1) && arg(0)->kind == ValueKind::Str && arg(1)->kind == ValueKind::Str &&
            !arg(0)->s.empty()) {
          std::string out = s;
          for (size_t pos = 0; (pos = out.find(arg(0)->s, pos)) != std::string::npos;) {
            out.replace(pos, arg(0)->s.size(), arg(1)->s);
            pos += arg(1)->s.size();
          }
          return make_str(out, at);
        }
        return make_unknown("a replace()", at);
      }
      if (n == "split") {
        std::vector<ValuePtr> parts;
        const std::string sep = arg(0) && arg(0)->kind == ValueKind::Str ? arg(0)->s : "";
        if (sep.empty()) {
          size_t k = 0;
          while (k < s.size()) {
            const auto b = s.find_first_not_of(" \t\r\n", k);
            if (b == std::string::npos) {
              break;
            }
            const auto e = s.find_first_of(" \t\r\n", b);
            parts.push_back(substr(*self, static_cast<uint32_t>(b),
                                   static_cast<uint32_t>(e == std::string::npos ? s.size() : e)));
            k = e == std::string::npos ? s.size() : e;
          }
        } else {
          size_t b = 0;
          while (true) {
            const auto e = s.find(sep, b);
            parts.push_back(substr(*self, static_cast<uint32_t>(b),
                                   static_cast<uint32_t>(e == std::string::npos ? s.size() : e)));
            if (e == std::string::npos) {
              break;
            }
            b = e + sep.size();
          }
        }
        return make_list(ValueKind::List, std::move(parts), at);
      }
      if (n == "title" || n == "capitalize") {
        std::string out = s;
        bool start = true;
        for (auto& c : out) {
          const bool alpha = std::isalpha(static_cast<unsigned char>(c)) != 0;
          c = static_cast<char>(start && alpha ? std::toupper(static_cast<unsigned char>(c))
                                : (n == "capitalize" || alpha)
                                    ? std::tolower(static_cast<unsigned char>(c))
                                    : c);
          start = n == "title" ? !alpha : false;
        }
        return make_str(out, at);
      }
      return make_unknown("the string method `" + n + "`", at);
    }
    if ((self->kind == ValueKind::Set || self->kind == ValueKind::List ||
         self->kind == ValueKind::Tuple) &&
        (n == "issubset" || n == "issuperset" || n == "isdisjoint" || n == "intersection" ||
         n == "union" || n == "difference" || n == "count" || n == "index")) {
      const ValuePtr other = arg(0);
      auto theirs = other ? iterate(other) : std::nullopt;
      if (!theirs) {
        return other ? unknown_from(*other, at) : make_unknown(n + "()", at);
      }
      auto in = [](const std::vector<ValuePtr>& items, const Value& v) {
        return std::any_of(items.begin(), items.end(),
                           [&](const ValuePtr& x) { return equal(*x, v); });
      };
      if (n == "count" || n == "index") {
        int64_t count = 0;
        for (size_t k = 0; k < self->items.size(); ++k) {
          if (equal(*self->items[k], *other)) {
            if (n == "index") {
              return make_int(static_cast<int64_t>(k), at);
            }
            ++count;
          }
        }
        return n == "count" ? make_int(count, at) : make_unknown("index() of a missing item", at);
      }
      if (n == "issubset" || n == "issuperset" || n == "isdisjoint") {
        const auto& a = n == "issuperset" ? *theirs : self->items;
        const auto& b = n == "issuperset" ? self->items : *theirs;
        bool result = true;
        for (const auto& x : a) {
          result = result && (n == "isdisjoint" ? !in(b, *x) : in(b, *x));
        }
        return make_bool(result, at);
      }
      std::vector<ValuePtr> out;
      if (n == "union") {
        out = self->items;
        for (const auto& x : *theirs) {
          if (!in(out, *x)) {
            out.push_back(x);
          }
        }
      } else {
        for (const auto& x : self->items) {
          if (in(*theirs, *x) == (n == "intersection")) {
            out.push_back(x);
          }
        }
      }
      return make_list(ValueKind::Set, std::move(out), at);
    }
    if (self->kind == ValueKind::List || self->kind == ValueKind::Set) {
      if (n == "append" || n == "add") {
        if (arg(0)) {
          self->items.push_back(arg(0));
          changed(self);
        }
        return make_none(at);
      }
      if (n == "extend" || n == "update") {
        if (arg(0)) {
          if (auto items = iterate(arg(0))) {
            self->items.insert(self->items.end(), items->begin(), items->end());
            changed(self);
          }
        }
        return make_none(at);
      }
      if (n == "insert" && arg(0) && arg(1) && arg(0)->kind == ValueKind::Int) {
        const auto pos =
            std::clamp<int64_t>(arg(0)->i, 0, static_cast<int64_t>(self->items.size()));
        self->items.insert(self->items.begin() + pos, arg(1));
        changed(self);
        return make_none(at);
      }
      if (n == "copy") {
        return make_list(self->kind, self->items, at);
      }
      if (n == "reverse") {
        std::reverse(self->items.begin(), self->items.end());
        return make_none(at);
      }
      return make_unknown("the list method `" + n + "`", at);
    }
    if (self->kind == ValueKind::Dict) {
      if (n == "get" || n == "pop" || n == "setdefault") {
        const ValuePtr key = arg(0);
        for (size_t k = 0; key && k + 1 < self->items.size(); k += 2) {
          if (equal(*self->items[k], *key)) {
            ValuePtr v = self->items[k + 1];
            if (n == "pop") {
              self->items.erase(self->items.begin() + static_cast<std::ptrdiff_t>(k),
                                self->items.begin() + static_cast<std::ptrdiff_t>(k + 2));
            }
            return v;
          }
        }
        ValuePtr dflt = arg(1) ? arg(1) : make_none(at);
        if (n == "setdefault" && key) {
          self->items.push_back(key);
          self->items.push_back(dflt);
          changed(self);
        }
        return dflt;
      }
      if (n == "items" || n == "keys" || n == "values") {
        std::vector<ValuePtr> out;
        for (size_t k = 0; k + 1 < self->items.size(); k += 2) {
          if (n == "items") {
            out.push_back(make_list(ValueKind::Tuple, {self->items[k], self->items[k + 1]}, at));
          } else {
            out.push_back(self->items[k + (n == "values" ? 1 : 0)]);
          }
        }
        return make_list(ValueKind::List, std::move(out), at);
      }
      if (n == "update") {
        if (arg(0) && arg(0)->kind == ValueKind::Dict) {
          self->items.insert(self->items.end(), arg(0)->items.begin(), arg(0)->items.end());
        }
        for (const auto& k : args.keywords) {
          self->items.push_back(make_str(k.name, at));
          self->items.push_back(k.value);
        }
        changed(self);
        return make_none(at);
      }
      if (n == "copy") {
        return make_list(ValueKind::Dict, self->items, at);
      }
      return make_unknown("the dict method `" + n + "`", at);
    }
    if (self->kind == ValueKind::Tuple && n == "index") {
      for (size_t k = 0; arg(0) && k < self->items.size(); ++k) {
        if (equal(*self->items[k], *arg(0))) {
          return make_int(static_cast<int64_t>(k), at);
        }
      }
    }
    return make_unknown("the method `" + n + "` of " + describe(*self), at);
  }

  // "{} {0} {name}".format(...)
  ValuePtr str_format(const Value& fmt, const Args& args, Span at) {
    ValuePtr out = make_str("", at);
    size_t next = 0;
    uint32_t lit = 0;
    const std::string& s = fmt.s;
    for (uint32_t k = 0; k < s.size(); ++k) {
      if ((s[k] == '{' || s[k] == '}') && k + 1 < s.size() && s[k + 1] == s[k]) {
        out = concat(*out, *substr(fmt, lit, k + 1), at);
        lit = k + 2;
        ++k;
        continue;
      }
      if (s[k] != '{') {
        continue;
      }
      const auto close = s.find('}', k);
      if (close == std::string::npos) {
        return make_unknown("a format string miglint cannot read", at);
      }
      out = concat(*out, *substr(fmt, lit, k), at);
      std::string field = s.substr(k + 1, close - k - 1);
      if (field.find_first_of(":!.[") != std::string::npos) {
        return make_unknown("a format field miglint cannot read", at);
      }
      ValuePtr v;
      if (field.empty()) {
        v = next < args.positional.size() ? args.positional[next++] : nullptr;
      } else if (std::isdigit(static_cast<unsigned char>(field[0]))) {
        const size_t index = std::stoul(field);
        v = index < args.positional.size() ? args.positional[index] : nullptr;
      } else {
        v = args.keyword(field);
      }
      if (!v) {
        return make_unknown("a format field without a value", at);
      }
      ValuePtr text = formatted(*v, v->span);
      if (!text) {
        return v->kind == ValueKind::Unknown ? v : make_unknown("a format of " + describe(*v), at);
      }
      out = concat(*out, *text, at);
      lit = static_cast<uint32_t>(close + 1);
      k = static_cast<uint32_t>(close);
    }
    return concat(*out, *substr(fmt, lit, static_cast<uint32_t>(s.size())), at);
  }
};

Evaluator::Evaluator(const Module& module,
                     const std::map<std::string, std::string, std::less<>>& aliases, Host& host)
    : m_impl(std::make_shared<Impl>(module, aliases, host)) {}

std::map<std::string, ValuePtr, std::less<>> Evaluator::class_namespace(const Stmt& cls) {
  m_impl->init();
  const EnvPtr env = m_impl->scope(m_impl->m_globals);
  for (const auto& s : cls.body) {
    try {
      if (s.kind == StmtKind::Def) {
        m_impl->bind_def(s, env);
        env->vars[s.name]->closure = m_impl->m_globals; // methods see the module, not the class
      } else {
        m_impl->statement(s, env);
      }
    } catch (...) {
    }
  }
  return env->vars;
}

ValuePtr Evaluator::call(const ValuePtr& fn, std::vector<ValuePtr> args) {
  m_impl->init();
  if (!fn || fn->kind != ValueKind::Function) {
    return make_unknown("not a function", {});
  }
  Args a;
  a.positional = std::move(args);
  try {
    return m_impl->call_function(*fn, a, fn->span);
  } catch (...) {
    return make_unknown("the function raised", fn->span);
  }
}

ValuePtr Evaluator::global(const std::string& name) {
  m_impl->init();
  auto it = m_impl->m_globals->vars.find(name);
  return it == m_impl->m_globals->vars.end() ? nullptr : it->second;
}

std::string Evaluator::run(const Stmt& fn) {
  m_impl->init();
  const EnvPtr env = m_impl->scope(m_impl->m_globals);
  try {
    m_impl->block(fn.body, env);
  } catch (const ReturnSignal&) {
  } catch (const RaiseSignal& r) {
    return r.what;
  } catch (const BreakSignal&) {
  } catch (const ContinueSignal&) {
  } catch (const BudgetSignal& b) {
    m_impl->m_host.unanalyzable(b.span, "the evaluation stopped after " +
                                            std::to_string(k_max_steps) +
                                            " steps: the rest of this function is not "
                                            "analysed");
  }
  return {};
}

} // namespace miglint::python
