#include "alembic/project_types.hpp"

#include "alembic/vocabulary.hpp"

#include <fstream>
#include <mutex>
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

} // namespace

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
