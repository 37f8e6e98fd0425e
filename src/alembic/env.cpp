#include "alembic/env.hpp"

#include "python/ast.hpp"
#include "sql/parser.hpp"

#include <cctype>
#include <functional>
#include <utility>
#include <vector>

namespace miglint::alembic {
namespace {

using python::Expr;
using python::ExprKind;
using python::ExprPtr;
using python::Stmt;

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// The last segment of a dotted name: "sa.MetaData" -> "MetaData".
std::string_view last_name(std::string_view dotted) {
  const auto dot = dotted.rfind('.');
  return dot == std::string_view::npos ? dotted : dotted.substr(dot + 1);
}

void visit_expr(const ExprPtr& e, const std::function<void(const Expr&)>& fn) {
  if (!e) {
    return;
  }
  fn(*e);
  visit_expr(e->target, fn);
  for (const auto& item : e->items) {
    visit_expr(item, fn);
  }
  for (const auto& k : e->keywords) {
    visit_expr(k.value, fn);
  }
}

// Every statement, nested ones included (function bodies, with, if, try, for).
void visit_stmts(const std::vector<Stmt>& body, const std::function<void(const Stmt&)>& fn) {
  for (const auto& s : body) {
    fn(s);
    visit_stmts(s.body, fn);
    visit_stmts(s.orelse, fn);
  }
}

class Reader {
public:
  explicit Reader(const python::Module& module) : m_module(module) {
    // Names assigned exactly once anywhere in the file: their value stands for the name.
    std::map<std::string, int> count;
    visit_stmts(module.body, [&](const Stmt& s) {
      if (s.kind == python::StmtKind::Assign && s.value) {
        for (const auto& t : s.targets) {
          if (t && t->kind == ExprKind::Name) {
            ++count[t->text];
            m_assigned[t->text] = s.value;
          }
        }
      }
    });
    std::erase_if(m_assigned, [&](const auto& entry) { return count[entry.first] != 1; });
  }

  Env read() {
    Env env;
    visit_stmts(m_module.body, [&](const Stmt& s) {
      for (const auto& t : s.targets) {
        visit_expr(t, [&](const Expr& e) { call(e, env); });
      }
      visit_expr(s.value, [&](const Expr& e) { call(e, env); });
      visit_expr(s.test, [&](const Expr& e) { call(e, env); });
      for (const auto& item : s.items) {
        visit_expr(item.context, [&](const Expr& e) { call(e, env); });
      }
    });
    return env;
  }

private:
  // Follows names to the one value assigned to them.
  const Expr* resolve(const ExprPtr& e) const {
    const Expr* cur = e.get();
    for (int hops = 0; cur != nullptr && cur->kind == ExprKind::Name && hops < 8; ++hops) {
      const auto it = m_assigned.find(cur->text);
      if (it == m_assigned.end()) {
        return cur;
      }
      cur = it->second.get();
    }
    return cur;
  }

  std::optional<std::string> string_of(const ExprPtr& e) const {
    const Expr* v = resolve(e);
    if (v != nullptr && v->kind == ExprKind::Str) {
      return v->text;
    }
    return std::nullopt;
  }

  std::optional<bool> bool_of(const ExprPtr& e) const {
    const Expr* v = resolve(e);
    if (v != nullptr && (v->kind == ExprKind::True || v->kind == ExprKind::False)) {
      return v->kind == ExprKind::True;
    }
    return std::nullopt;
  }

  static const ExprPtr* keyword(const Expr& call, std::string_view name) {
    for (const auto& k : call.keywords) {
      if (k.name == name) {
        return &k.value;
      }
    }
    return nullptr;
  }

  // The SQL a call to execute() is given: a string, or text("...") of one.
  std::optional<std::string> sql_argument(const Expr& call) const {
    if (call.items.empty()) {
      return std::nullopt;
    }
    if (auto s = string_of(call.items[0])) {
      return s;
    }
    const Expr* arg = resolve(call.items[0]);
    if (arg != nullptr && arg->kind == ExprKind::Call && arg->target &&
        last_name(arg->target->dotted()) == "text" && !arg->items.empty()) {
      return string_of(arg->items[0]);
    }
    return std::nullopt;
  }

  static void apply_sql(const std::string& sql, Env& env) {
    const sql::ParsedScript parsed = sql::parse(sql);
    for (const auto& statement : parsed.statements) {
      const auto* set = statement.as<sql::SetVariable>();
      if (set == nullptr || set->local) {
        continue; // SET LOCAL ends with the transaction it is made in
      }
      if (set->reset) {
        if (set->name.empty()) {
          env.session_settings.clear(); // RESET ALL
        } else {
          env.session_settings.erase(set->name);
        }
      } else if (!set->name.empty()) {
        env.session_settings[set->name] = set->value;
      }
    }
  }

  // libpq `options`: "-c name=value", "-cname=value" or "--name=value", separated by blanks.
  static void apply_options(const std::string& options, Env& env) {
    std::vector<std::string> words;
    std::string word;
    for (size_t i = 0; i < options.size(); ++i) {
      const char c = options[i];
      if (c == '\\' && i + 1 < options.size()) {
        word += options[++i];
      } else if (c == ' ' || c == '\t' || c == '\n') {
        if (!word.empty()) {
          words.push_back(std::exchange(word, {}));
        }
      } else {
        word += c;
      }
    }
    if (!word.empty()) {
      words.push_back(word);
    }
    for (size_t i = 0; i < words.size(); ++i) {
      std::string setting;
      bool dashes = false;
      if (words[i] == "-c" && i + 1 < words.size()) {
        setting = words[++i];
      } else if (words[i].rfind("--", 0) == 0) {
        setting = words[i].substr(2);
        dashes = true;
      } else if (words[i].rfind("-c", 0) == 0) {
        setting = words[i].substr(2);
      }
      const auto eq = setting.find('=');
      if (eq == std::string::npos || eq == 0) {
        continue;
      }
      std::string name = setting.substr(0, eq);
      for (auto& ch : name) {
        ch = dashes && ch == '-' ? '_' : static_cast<char>(std::tolower(ch));
      }
      env.session_settings[name] = setting.substr(eq + 1);
    }
  }

  void call(const Expr& e, Env& env) const {
    if (e.kind != ExprKind::Call || !e.target) {
      return;
    }
    const std::string dotted = e.target->chain();
    const std::string_view name = e.target->kind == ExprKind::Attribute
                                      ? std::string_view(e.target->text)
                                      : last_name(dotted);
    if (name == "execute" || name == "exec_driver_sql") {
      if (auto sql = sql_argument(e)) {
        apply_sql(*sql, env);
      }
    } else if (name == "create_engine" || name == "engine_from_config" ||
               name == "create_async_engine" || name == "async_engine_from_config") {
      const ExprPtr* args = keyword(e, "connect_args");
      const Expr* dict = args != nullptr ? resolve(*args) : nullptr;
      if (dict == nullptr || dict->kind != ExprKind::Dict) {
        return;
      }
      for (size_t i = 0; i + 1 < dict->items.size(); i += 2) {
        if (string_of(dict->items[i]) == "options") {
          if (auto options = string_of(dict->items[i + 1])) {
            apply_options(*options, env);
          }
        }
      }
    } else if (name == "configure" && ends_with(dotted, "context.configure")) {
      if (const ExprPtr* v = keyword(e, "transaction_per_migration")) {
        env.transaction_per_migration = bool_of(*v);
      }
      if (const ExprPtr* v = keyword(e, "transactional_ddl")) {
        env.transactional_ddl = bool_of(*v);
      }
      if (const ExprPtr* v = keyword(e, "version_table")) {
        env.version_table = string_of(*v);
      }
      if (const ExprPtr* v = keyword(e, "version_table_schema")) {
        env.version_table_schema = string_of(*v);
      }
    } else if (name == "MetaData") {
      const ExprPtr* v = keyword(e, "naming_convention");
      const Expr* dict = v != nullptr ? resolve(*v) : nullptr;
      if (dict == nullptr || dict->kind != ExprKind::Dict) {
        return;
      }
      for (size_t i = 0; i + 1 < dict->items.size(); i += 2) {
        auto key = string_of(dict->items[i]);
        auto value = string_of(dict->items[i + 1]);
        if (key && value) {
          env.naming_convention[*key] = *value;
        }
      }
    }
  }

  const python::Module& m_module;
  std::map<std::string, ExprPtr> m_assigned;
};

} // namespace

Env read_env(std::string_view source) {
  const python::Module module = python::parse(source);
  return Reader(module).read();
}

} // namespace miglint::alembic
