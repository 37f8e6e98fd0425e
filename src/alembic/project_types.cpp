#include "alembic/project_types.hpp"

#include "alembic/vocabulary.hpp"

#include <fstream>
#include <functional>
#include <mutex>
#include <optional>
#include <set>
#include <sstream>

namespace miglint::alembic {
namespace {

namespace fs = std::filesystem;
using python::Args;
using python::Value;
using python::ValueKind;
using python::ValuePtr;

constexpr int k_max_depth = 8; // types defined in terms of other project types

// What a type module's code may call while its types are read: SQLAlchemy constructs, the
// dialect (PostgreSQL), nothing with effects.
class TypeHost : public python::Host {
public:
  ValuePtr call(const ValuePtr& callee, const Args& args) override {
    if (callee->kind == ValueKind::Ref || callee->kind == ValueKind::Class) {
      auto v = std::make_shared<Value>();
      v->kind = ValueKind::Construct;
      v->name = callee->kind == ValueKind::Class ? "__class__." + callee->name : callee->name;
      v->items = args.positional;
      v->keywords = args.keywords;
      v->span = args.call ? args.call->span : python::Span{};
      return v;
    }
    if (callee->kind == ValueKind::Builtin && callee->self) {
      const auto kind = callee->self->attrs.find("kind");
      if (kind != callee->self->attrs.end() && kind->second == "dialect" &&
          callee->name == "type_descriptor" && !args.positional.empty()) {
        return args.positional[0];
      }
    }
    return python::make_unknown("code a column type runs", args.origin);
  }
  ValuePtr attribute(const ValuePtr& obj, const std::string& name, python::Span at) override {
    const auto kind = obj->attrs.find("kind");
    if (kind != obj->attrs.end() && kind->second == "dialect") {
      if (name == "name") {
        return python::make_str("postgresql", at);
      }
      if (name == "driver") {
        return python::make_str("psycopg2", at);
      }
    }
    return nullptr;
  }
  ValuePtr enter(const ValuePtr&, python::Span) override { return nullptr; }
  void exit(const ValuePtr&, python::Span) override {}
  void unanalyzable(python::Span, const std::string&) override {}
  void statement_begin(const python::Stmt&) override {}
  void statement_end(const python::Stmt&) override {}
  void discarded(const ValuePtr&, const python::Stmt&) override {}
  size_t schema_changes() const override { return 0; }
  void probe(bool) override {}
};

// A module whose classes are read: one parsed from a file here (`owned`), or a revision's own
// tree, used in place.
struct LoadedModule {
  std::string text; // the parse tree points into nothing, but spans index this
  python::Module owned;
  const python::Module* module = &owned;
  std::map<std::string, std::string, std::less<>> aliases;

  LoadedModule() = default;
  LoadedModule(const LoadedModule&) = delete;
  LoadedModule& operator=(const LoadedModule&) = delete;
};

std::map<std::string, std::string, std::less<>> aliases_of(const python::Module& m) {
  std::map<std::string, std::string, std::less<>> out = {{"sa", "sqlalchemy"}};
  for (const auto& s : m.body) {
    for (const auto& [name, alias] : s.names) {
      if (s.kind == python::StmtKind::Import) {
        out[alias.empty() ? name.substr(0, name.find('.')) : alias] =
            alias.empty() ? name.substr(0, name.find('.')) : name;
      } else if (s.kind == python::StmtKind::ImportFrom && name != "*") {
        out[alias.empty() ? name : alias] = s.module + "." + name;
      }
    }
  }
  return out;
}

std::mutex g_mutex;
std::map<std::string, std::shared_ptr<LoadedModule>> g_modules; // by path ("" = not found)
std::map<std::string, ValuePtr> g_types;                        // by path + ":" + class

std::shared_ptr<LoadedModule> load(const fs::path& path) {
  const std::string key = path.string();
  if (auto it = g_modules.find(key); it != g_modules.end()) {
    return it->second;
  }
  std::shared_ptr<LoadedModule> out;
  std::ifstream in(path, std::ios::binary);
  if (in) {
    std::ostringstream text;
    text << in.rdbuf();
    out = std::make_shared<LoadedModule>();
    out->text = text.str();
    out->owned = python::parse(out->text);
    out->aliases = aliases_of(out->owned);
  }
  g_modules[key] = out;
  return out;
}

// The file of module `dotted` seen from `from` and the directories above it.
std::optional<fs::path> find_module(const std::string& dotted, fs::path from) {
  std::string rel;
  for (char c : dotted) {
    rel += c == '.' ? '/' : c;
  }
  std::error_code ec;
  from = fs::absolute(from, ec);
  for (int up = 0; up < 16 && !from.empty(); ++up) {
    for (const fs::path& base : {from, from / "src"}) {
      for (const fs::path& candidate : {base / (rel + ".py"), base / rel / "__init__.py"}) {
        if (fs::is_regular_file(candidate, ec)) {
          return candidate;
        }
      }
    }
    if (from == from.parent_path()) {
      break;
    }
    from = from.parent_path();
  }
  return std::nullopt;
}

ValuePtr construct(const std::string& name) {
  auto v = std::make_shared<Value>();
  v->kind = ValueKind::Construct;
  v->name = name;
  return v;
}

bool is_type_construct(const Value& v) {
  if (v.kind != ValueKind::Construct && v.kind != ValueKind::Ref) {
    return false;
  }
  const std::string last = v.name.substr(v.name.rfind('.') + 1);
  return (is_library_name(v.name) && find_type(last) != nullptr) ||
         v.name.rfind("__class__.", 0) == 0 || !is_library_name(v.name);
}

ValuePtr class_type(const LoadedModule& lm, const std::string& name, const fs::path& from,
                    int depth);

// A value that names a type: a library type, another project type, a class of the module.
ValuePtr as_type(const ValuePtr& v, const LoadedModule& lm, const fs::path& from, int depth) {
  if (!v || depth > k_max_depth) {
    return nullptr;
  }
  if (v->kind == ValueKind::Class) {
    return class_type(lm, v->name, from, depth + 1);
  }
  if (v->kind == ValueKind::Ref) { // `impl = sa.DateTime`: the class itself, no arguments
    return as_type(construct(v->name), lm, from, depth);
  }
  if (v->kind != ValueKind::Construct || !is_type_construct(*v)) {
    return nullptr;
  }
  if (v->name.rfind("__class__.", 0) == 0) {
    return class_type(lm, v->name.substr(10), from, depth + 1);
  }
  if (!is_library_name(v->name)) {
    const auto dot = v->name.rfind('.');
    if (dot == std::string::npos) {
      return nullptr;
    }
    const auto file = find_module(v->name.substr(0, dot), from);
    if (!file) {
      return nullptr;
    }
    const auto other = load(*file);
    return other ? class_type(*other, v->name.substr(dot + 1), from, depth + 1) : nullptr;
  }
  return v;
}

ValuePtr class_type(const LoadedModule& lm, const std::string& name, const fs::path& from,
                    int depth) {
  if (depth > k_max_depth) {
    return nullptr;
  }
  const python::Stmt* cls = nullptr;
  for (const auto& s : lm.module->body) {
    if (s.kind == python::StmtKind::Class && s.name == name) {
      cls = &s;
    }
  }
  if (cls == nullptr) {
    // Re-exported: `from a.b import Name` in this module.
    if (auto it = lm.aliases.find(name); it != lm.aliases.end() && it->second != name) {
      return as_type(construct(it->second), lm, from, depth + 1);
    }
    return nullptr;
  }
  TypeHost host;
  python::Evaluator evaluator(*lm.module, lm.aliases, host);
  const auto ns = evaluator.class_namespace(*cls);
  if (auto it = ns.find("load_dialect_impl"); it != ns.end()) {
    auto dialect = python::make_object("the dialect");
    dialect->attrs["kind"] = "dialect";
    const ValuePtr self = python::make_unknown("self", {});
    if (ValuePtr t = as_type(evaluator.call(it->second, {self, dialect}), lm, from, depth)) {
      return t;
    }
  }
  if (auto it = ns.find("impl"); it != ns.end()) {
    if (ValuePtr t = as_type(it->second, lm, from, depth)) {
      return t;
    }
  }
  for (const auto& base : cls->targets) { // class Email(sa.String): the base type
    const std::string dotted = base->dotted();
    if (dotted.empty()) {
      continue;
    }
    const auto head = dotted.substr(0, dotted.find('.'));
    const auto alias = lm.aliases.find(head);
    const std::string q = alias == lm.aliases.end()
                              ? dotted
                              : alias->second + dotted.substr(std::min(dotted.size(), head.size()));
    const std::string last = q.substr(q.rfind('.') + 1);
    if (last == "TypeDecorator" || last == "UserDefinedType" || last == "TypeEngine") {
      continue;
    }
    ValuePtr b = alias == lm.aliases.end() && q.find('.') == std::string::npos
                     ? class_type(lm, q, from, depth + 1)
                     : as_type(construct(q), lm, from, depth);
    if (b) {
      return b;
    }
  }
  return nullptr;
}

// --- the application's target_metadata and its naming convention ----------------------------

using Naming = std::map<std::string, std::string>;
using python::Expr;
using python::ExprKind;
using python::Stmt;
using python::StmtKind;

constexpr int k_max_hops = 12; // names, imports, bases and returns followed

void each_stmt(const std::vector<Stmt>& body, const std::function<void(const Stmt&)>& fn) {
  for (const auto& s : body) {
    fn(s);
    each_stmt(s.body, fn);
    each_stmt(s.orelse, fn);
    each_stmt(s.finalbody, fn);
    for (const auto& h : s.handlers) {
      each_stmt(h.body, fn);
    }
  }
}

// A module read for its metadata: imports made anywhere in it (env.py imports the application
// inside functions), and where it lies (project modules are looked for from there).
struct Scope {
  const python::Module* module = nullptr;
  fs::path dir;
  std::map<std::string, std::string, std::less<>> imports;
};

Scope scope_of(const python::Module& m, const fs::path& dir) {
  Scope sc{&m, dir, aliases_of(m)};
  each_stmt(m.body, [&](const Stmt& s) {
    if (s.kind == StmtKind::ImportFrom) {
      for (const auto& [name, alias] : s.names) {
        if (name != "*") {
          sc.imports.try_emplace(alias.empty() ? name : alias, s.module + "." + name);
        }
      }
    } else if (s.kind == StmtKind::Import) {
      for (const auto& [name, alias] : s.names) {
        sc.imports.try_emplace(alias.empty() ? name.substr(0, name.find('.')) : alias,
                               alias.empty() ? name.substr(0, name.find('.')) : name);
      }
    }
  });
  return sc;
}

std::string last_of(const std::string& dotted) {
  return dotted.substr(dotted.rfind('.') + 1);
}

const python::ExprPtr* keyword_of(const Expr& call, std::string_view name) {
  for (const auto& k : call.keywords) {
    if (k.name == name) {
      return &k.value;
    }
  }
  return nullptr;
}

class NamingResolver {
public:
  std::optional<Naming> expr(const Expr* e, const Scope& sc, int hops) {
    if (e == nullptr || hops > k_max_hops) {
      return std::nullopt;
    }
    switch (e->kind) {
    case ExprKind::Call: {
      const std::string callee = e->target ? e->target->dotted() : std::string();
      if (last_of(callee) == "MetaData") {
        const python::ExprPtr* conv = keyword_of(*e, "naming_convention");
        return conv != nullptr ? dict(conv->get(), sc, hops + 1) : Naming{};
      }
      if (const python::ExprPtr* md = keyword_of(*e, "metadata")) { // declarative_base, registry
        return expr(md->get(), sc, hops + 1);
      }
      if (e->target && e->target->kind == ExprKind::Name) { // a function of the module
        for (const auto& s : sc.module->body) {
          if (s.kind == StmtKind::Def && s.name == callee) {
            std::optional<Naming> out;
            each_stmt(s.body, [&](const Stmt& r) {
              if (!out && r.kind == StmtKind::Return && r.value) {
                out = expr(r.value.get(), sc, hops + 1);
              }
            });
            return out;
          }
        }
      }
      return std::nullopt;
    }
    case ExprKind::Name:
      return name(e->text, sc, hops + 1);
    case ExprKind::Attribute:
      if (e->text == "metadata" && e->target) {
        return owner(*e->target, sc, hops + 1);
      }
      return std::nullopt;
    default:
      return std::nullopt;
    }
  }

private:
  // The value of a module-level name: assigned once here, or imported from a project module.
  std::optional<Naming> name(const std::string& n, const Scope& sc, int hops) {
    if (hops > k_max_hops) {
      return std::nullopt;
    }
    if (const Expr* v = assigned(n, sc)) {
      return expr(v, sc, hops + 1);
    }
    return imported(n, sc, hops, [&](const std::string& attr, const Scope& other, int h) {
      return name(attr, other, h);
    });
  }

  // `.metadata` of a class or object named by `e`.
  std::optional<Naming> owner(const Expr& e, const Scope& sc, int hops) {
    if (hops > k_max_hops) {
      return std::nullopt;
    }
    const std::string dotted = e.dotted();
    if (dotted.empty()) {
      return std::nullopt;
    }
    if (auto set = assigned_convention(dotted, sc, hops)) {
      return set;
    }
    if (e.kind == ExprKind::Attribute) { // models.Base: `import app.models as models`
      const auto head = sc.imports.find(dotted.substr(0, dotted.rfind('.')));
      if (head == sc.imports.end()) {
        return std::nullopt;
      }
      const auto other = module_scope(head->second, sc);
      return other ? owner_named(e.text, *other, hops + 1) : std::nullopt;
    }
    return owner_named(dotted, sc, hops);
  }

  std::optional<Naming> owner_named(const std::string& n, const Scope& sc, int hops) {
    if (hops > k_max_hops) {
      return std::nullopt;
    }
    if (auto set = assigned_convention(n, sc, hops)) {
      return set;
    }
    for (const auto& s : sc.module->body) {
      if (s.kind == StmtKind::Class && s.name == n) {
        return class_metadata(s, sc, hops + 1);
      }
    }
    if (const Expr* v = assigned(n, sc)) {
      if (v->kind == ExprKind::Call) { // Base = declarative_base(metadata=...)
        if (const python::ExprPtr* md = keyword_of(*v, "metadata")) {
          return expr(md->get(), sc, hops + 1);
        }
        return Naming{};
      }
      return v->kind == ExprKind::Name || v->kind == ExprKind::Attribute ? owner(*v, sc, hops + 1)
                                                                         : std::nullopt;
    }
    auto found = imported(n, sc, hops, [&](const std::string& attr, const Scope& other, int h) {
      return owner_named(attr, other, h);
    });
    if (found) {
      return found;
    }
    // A library class (SQLModel): its metadata is given a convention by the project's modules
    // that this one imports.
    for (const auto& [alias, qualified] : sc.imports) {
      for (const std::string& mod : {qualified, qualified.substr(0, qualified.rfind('.'))}) {
        const auto other = module_scope(mod, sc);
        if (other && other->module != sc.module) {
          if (auto set = assigned_convention(n, *other, hops + 1)) {
            return set;
          }
        }
      }
    }
    return std::nullopt;
  }

  std::optional<Naming> class_metadata(const Stmt& cls, const Scope& sc, int hops) {
    for (const auto& s : cls.body) { // metadata = MetaData(...)
      if ((s.kind == StmtKind::Assign || s.kind == StmtKind::AnnAssign) && s.value) {
        for (const auto& t : s.targets) {
          if (t && t->kind == ExprKind::Name && t->text == "metadata") {
            return expr(s.value.get(), sc, hops + 1);
          }
        }
      }
    }
    for (const auto& s : cls.body) { // registry = registry(metadata=MetaData(...))
      if ((s.kind == StmtKind::Assign || s.kind == StmtKind::AnnAssign) && s.value &&
          s.value->kind == ExprKind::Call && keyword_of(*s.value, "metadata") != nullptr) {
        return expr(s.value.get(), sc, hops + 1);
      }
    }
    for (const auto& base : cls.targets) {
      if (base && (base->kind == ExprKind::Name || base->kind == ExprKind::Attribute)) {
        if (auto out = owner(*base, sc, hops + 1)) {
          return out;
        }
      }
    }
    return std::nullopt;
  }

  // `N.metadata.naming_convention = {...}` (or `N.naming_convention = ...` for a MetaData N)
  // anywhere in the module.
  std::optional<Naming> assigned_convention(const std::string& n, const Scope& sc, int hops) {
    std::optional<Naming> out;
    each_stmt(sc.module->body, [&](const Stmt& s) {
      if (s.kind != StmtKind::Assign || !s.value) {
        return;
      }
      for (const auto& t : s.targets) {
        const std::string d = t ? t->dotted() : std::string();
        if (d == n + ".metadata.naming_convention" || d == n + ".naming_convention") {
          out = dict(s.value.get(), sc, hops + 1);
        }
      }
    });
    return out;
  }

  template <typename Fn>
  std::optional<Naming> imported(const std::string& n, const Scope& sc, int hops, Fn&& next) {
    const auto it = sc.imports.find(n);
    if (it == sc.imports.end() || it->second.find('.') == std::string::npos) {
      return std::nullopt;
    }
    const auto dot = it->second.rfind('.');
    const auto other = module_scope(it->second.substr(0, dot), sc);
    if (!other) {
      return std::nullopt;
    }
    return next(it->second.substr(dot + 1), *other, hops + 1);
  }

  std::optional<Naming> dict(const Expr* e, const Scope& sc, int hops) {
    if (e == nullptr || hops > k_max_hops) {
      return std::nullopt;
    }
    if (e->kind == ExprKind::Name) {
      if (const Expr* v = assigned(e->text, sc)) {
        return dict(v, sc, hops + 1);
      }
      return imported(e->text, sc, hops, [&](const std::string& attr, const Scope& other, int h) {
        const Expr* v = assigned(attr, other);
        return v != nullptr ? dict(v, other, h) : std::nullopt;
      });
    }
    if (e->kind != ExprKind::Dict) {
      return std::nullopt;
    }
    Naming out;
    for (size_t i = 0; i + 1 < e->items.size(); i += 2) {
      const auto& k = e->items[i];
      const auto& v = e->items[i + 1];
      if (k && v && k->kind == ExprKind::Str && v->kind == ExprKind::Str) {
        out[k->text] = v->text;
      }
    }
    return out;
  }

  // The value a module-level name is assigned, when it is assigned exactly once.
  static const Expr* assigned(const std::string& n, const Scope& sc) {
    const Expr* out = nullptr;
    int count = 0;
    for (const auto& s : sc.module->body) {
      if ((s.kind == StmtKind::Assign || s.kind == StmtKind::AnnAssign) && s.value) {
        for (const auto& t : s.targets) {
          if (t && t->kind == ExprKind::Name && t->text == n) {
            out = s.value.get();
            ++count;
          }
        }
      }
    }
    return count == 1 ? out : nullptr;
  }

  std::optional<Scope> module_scope(const std::string& dotted, const Scope& from) {
    const auto file = find_module(dotted, from.dir);
    if (!file) {
      return std::nullopt;
    }
    const auto lm = load(*file);
    if (!lm) {
      return std::nullopt;
    }
    m_keep.push_back(lm);
    return scope_of(*lm->module, file->parent_path());
  }

  std::vector<std::shared_ptr<LoadedModule>> m_keep;
};

} // namespace

namespace {

// The one naming convention written in the package that holds the script directory, when
// target_metadata comes through code miglint does not follow (prefect:
// `provide_database_interface().Base.metadata`): its modules that mention naming_convention are
// read, and a single distinct `MetaData(naming_convention={...})` literal is the answer; none or
// several give nothing.
Naming package_naming(const fs::path& from) {
  std::error_code ec;
  fs::path dir = fs::absolute(from, ec);
  for (int up = 0; up < 3 && !fs::exists(dir / "__init__.py", ec) && dir != dir.parent_path();
       ++up) {
    dir = dir.parent_path();
  }
  if (!fs::exists(dir / "__init__.py", ec)) {
    return {};
  }
  while (fs::exists(dir.parent_path() / "__init__.py", ec) && dir != dir.parent_path()) {
    dir = dir.parent_path();
  }
  static const std::set<std::string> skipped = {"tests", "test", "node_modules", "versions",
                                                "__pycache__"};
  std::set<Naming> found;
  size_t files = 0;
  for (auto it =
           fs::recursive_directory_iterator(dir, fs::directory_options::skip_permission_denied, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_directory(ec) && skipped.contains(it->path().filename().string())) {
      it.disable_recursion_pending();
      continue;
    }
    if (it->path().extension() != ".py" || ++files > 20000) {
      continue;
    }
    std::ifstream in(it->path(), std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    if (text.str().find("naming_convention") == std::string::npos) {
      continue;
    }
    const auto lm = load(it->path());
    if (!lm) {
      continue;
    }
    const Scope sc = scope_of(*lm->module, it->path().parent_path());
    NamingResolver resolver;
    std::function<void(const Expr&)> visit = [&](const Expr& e) {
      if (e.kind == ExprKind::Call && e.target && last_of(e.target->dotted()) == "MetaData") {
        if (auto out = resolver.expr(&e, sc, 0); out && !out->empty()) {
          found.insert(*out);
        }
      }
      for (const auto& i : e.items) {
        if (i) {
          visit(*i);
        }
      }
      for (const auto& k : e.keywords) {
        if (k.value) {
          visit(*k.value);
        }
      }
      if (e.target) {
        visit(*e.target);
      }
    };
    each_stmt(lm->module->body, [&](const Stmt& st) {
      if (st.value) {
        visit(*st.value);
      }
    });
  }
  return found.size() == 1 ? *found.begin() : Naming{};
}

} // namespace

Naming resolve_target_naming(const python::Module& env, const fs::path& from) {
  std::lock_guard lock(g_mutex);
  const Scope sc = scope_of(env, from);
  std::vector<const Expr*> candidates;
  each_stmt(env.body, [&](const Stmt& s) {
    if ((s.kind == StmtKind::Assign || s.kind == StmtKind::AnnAssign) && s.value) {
      for (const auto& t : s.targets) {
        if (t && t->kind == ExprKind::Name && t->text == "target_metadata") {
          candidates.push_back(s.value.get());
        }
      }
    }
  });
  std::function<void(const Expr&)> visit = [&](const Expr& e) {
    if (e.kind == ExprKind::Call) {
      if (const python::ExprPtr* md = keyword_of(e, "target_metadata")) {
        candidates.push_back(md->get());
      }
    }
    for (const auto& i : e.items) {
      if (i) {
        visit(*i);
      }
    }
  };
  each_stmt(env.body, [&](const Stmt& s) {
    if (s.value) {
      visit(*s.value);
    }
  });
  NamingResolver resolver;
  bool unresolved = false;
  for (const Expr* c : candidates) {
    if (c == nullptr || c->kind == ExprKind::None ||
        (c->kind == ExprKind::Name && c->text == "target_metadata")) {
      continue;
    }
    auto out = resolver.expr(c, sc, 0);
    if (out && !out->empty()) {
      return *out;
    }
    unresolved = unresolved || !out;
  }
  return unresolved ? package_naming(from) : Naming{};
}

ValuePtr resolve_project_type(const std::string& qualified, const fs::path& from) {
  const auto dot = qualified.rfind('.');
  if (dot == std::string::npos) {
    return nullptr;
  }
  std::lock_guard lock(g_mutex);
  const auto file = find_module(qualified.substr(0, dot), from);
  if (!file) {
    return nullptr;
  }
  const std::string key = file->string() + ":" + qualified.substr(dot + 1);
  if (auto it = g_types.find(key); it != g_types.end()) {
    return it->second;
  }
  const auto lm = load(*file);
  ValuePtr t = lm ? class_type(*lm, qualified.substr(dot + 1), from, 0) : nullptr;
  g_types[key] = t;
  return t;
}

ValuePtr resolve_class_type(const python::Module& module, const std::string& class_name,
                            const fs::path& from) {
  std::lock_guard lock(g_mutex);
  LoadedModule lm;
  lm.module = &module; // read in place, not copied
  lm.aliases = aliases_of(module);
  return class_type(lm, class_name, from, 0);
}

} // namespace miglint::alembic
