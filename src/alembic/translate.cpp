#include "alembic/translate.hpp"

#include "alembic/catalog_questions.hpp"
#include "alembic/project_types.hpp"
#include "alembic/schema_facts.hpp"
#include "alembic/vocabulary.hpp"
#include "core/md5.hpp"
#include "python/eval.hpp"
#include "sql/parser.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <map>
#include <set>

namespace miglint::alembic {
namespace {

using python::Expr;
using python::ExprKind;
using python::ExprPtr;
using python::Stmt;
using python::StmtKind;
namespace fs = std::filesystem;

constexpr std::string_view k_unanalyzable = "unanalyzable-code";

// --- SQL text helpers ----------------------------------------------------------------------------

bool needs_quotes(std::string_view name) {
  // PostgreSQL reserved words that SQLAlchemy quotes (the ones that occur as names in practice).
  static const std::set<std::string, std::less<>> reserved = {
      "all",          "analyse",      "analyze",      "and",          "any",
      "array",        "as",           "asc",          "asymmetric",   "authorization",
      "between",      "binary",       "both",         "case",         "cast",
      "check",        "collate",      "column",       "constraint",   "create",
      "cross",        "current_date", "current_role", "current_time", "current_timestamp",
      "current_user", "default",      "deferrable",   "desc",         "distinct",
      "do",           "else",         "end",          "except",       "false",
      "fetch",        "for",          "foreign",      "freeze",       "from",
      "full",         "grant",        "group",        "having",       "ilike",
      "in",           "initially",    "inner",        "intersect",    "into",
      "is",           "isnull",       "join",         "lateral",      "leading",
      "left",         "like",         "limit",        "localtime",    "localtimestamp",
      "natural",      "not",          "notnull",      "null",         "offset",
      "on",           "only",         "or",           "order",        "outer",
      "overlaps",     "placing",      "primary",      "references",   "returning",
      "right",        "select",       "session_user", "similar",      "some",
      "symmetric",    "table",        "then",         "to",           "trailing",
      "true",         "union",        "unique",       "user",         "using",
      "variadic",     "verbose",      "when",         "where",        "window",
      "with"};
  if (name.empty() || reserved.contains(name)) {
    return true;
  }
  if (!((name[0] >= 'a' && name[0] <= 'z') || name[0] == '_')) {
    return true;
  }
  return std::any_of(name.begin(), name.end(), [](char c) {
    return !((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '$');
  });
}

std::string ident(std::string_view name) {
  if (!needs_quotes(name)) {
    return std::string(name);
  }
  std::string out = "\"";
  for (char c : name) {
    out += c == '"' ? std::string("\"\"") : std::string(1, c);
  }
  return out + "\"";
}

std::string qualified(std::string_view schema, std::string_view name) {
  return schema.empty() ? ident(name) : ident(schema) + "." + ident(name);
}

std::string literal(std::string_view value) {
  std::string out = "'";
  for (char c : value) {
    out += c == '\'' ? std::string("''") : std::string(1, c);
  }
  return out + "'";
}

std::string join(const std::vector<std::string>& parts, std::string_view sep = ", ") {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    out += (i ? std::string(sep) : std::string()) + parts[i];
  }
  return out;
}

std::string upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return s;
}

// --- what the revision's code means ------------------------------------------------------------

// Raised while evaluating an expression miglint cannot understand statically.
struct Unanalyzable {
  python::Span span;
  std::string why;
};

struct EnumType {
  std::string name;
  std::string schema;
  std::vector<std::string> labels;
  bool create = true;
};

struct TypeSql {
  std::string sql;
  std::string integer; // "INTEGER" / "BIGINT" / "SMALLINT" for integer types (SERIAL candidates)
  std::optional<EnumType> enum_type;
};

struct ForeignKeySql {
  std::string name;
  ExprPtr name_expr; // as written (op.f() makes it final), for the naming convention
  std::vector<std::string> columns;
  std::string ref_schema;
  std::string ref_table;
  std::vector<std::string> ref_columns;
  std::string ondelete, onupdate, match, initially;
  std::optional<bool> deferrable;
  bool not_valid = false;
  // use_alter=True: left out of CREATE TABLE on PostgreSQL (SQLAlchemy's
  // create_table_constraints skips it where the dialect supports ALTER); op.create_table
  // does not add it afterwards.
  bool use_alter = false;

  std::string clause() const {
    std::vector<std::string> cols;
    for (const auto& c : columns) {
      cols.push_back(ident(c));
    }
    std::vector<std::string> refs;
    for (const auto& c : ref_columns) {
      refs.push_back(ident(c));
    }
    std::string out = (name.empty() ? "" : "CONSTRAINT " + ident(name) + " ") + "FOREIGN KEY(" +
                      join(cols) + ") REFERENCES " + qualified(ref_schema, ref_table) + " (" +
                      join(refs) + ")";
    if (!match.empty()) {
      out += " MATCH " + match;
    }
    if (!ondelete.empty()) {
      out += " ON DELETE " + ondelete;
    }
    if (!onupdate.empty()) {
      out += " ON UPDATE " + onupdate;
    }
    if (deferrable) {
      out += *deferrable ? " DEFERRABLE" : " NOT DEFERRABLE";
    }
    if (!initially.empty()) {
      out += " INITIALLY " + initially;
    }
    if (not_valid) {
      out += " NOT VALID";
    }
    return out;
  }
};

struct ColumnSql {
  std::string name;
  TypeSql type;
  std::optional<bool> nullable;
  bool primary_key = false;
  std::optional<std::string> server_default;
  bool unique = false;
  bool index = false;
  std::optional<std::string> comment;
  std::string computed; // GENERATED ALWAYS AS (...) STORED
  std::string identity; // GENERATED ... AS IDENTITY ...
  std::optional<bool> autoincrement;
  std::vector<ForeignKeySql> foreign_keys;

  bool is_nullable() const { return nullable.value_or(!primary_key && identity.empty()); }

  // `serial`: SQLAlchemy's autoincrement column of the table gets SERIAL/BIGSERIAL.
  std::string spec(bool serial) const {
    std::string type_sql = type.sql;
    if (serial) {
      type_sql = type.integer == "BIGINT"     ? "BIGSERIAL"
                 : type.integer == "SMALLINT" ? "SMALLSERIAL"
                                              : "SERIAL";
    }
    std::string out = ident(name) + " " + type_sql;
    if (server_default) {
      out += " DEFAULT " + *server_default;
    }
    if (!computed.empty()) {
      out += " " + computed;
    }
    if (!identity.empty()) {
      out += " " + identity;
    }
    if (!is_nullable() && identity.empty()) {
      out += " NOT NULL";
    } else if (nullable.value_or(false) && !identity.empty()) {
      out += " NULL";
    }
    return out;
  }
};

// A table as `sa.table()` / `op.create_table()` describes it, for bulk_insert.
struct TableRef {
  std::string schema;
  std::string name;
  std::vector<std::string> columns;
};

class Translator : public python::Host {
public:
  Translator(const Revision& rev, core::Phase phase, const SchemaFacts* schema,
             const NamingConvention* naming)
      : m_rev(rev), m_phase(phase), m_schema(schema),
        m_naming(naming != nullptr && !naming->empty() ? naming : nullptr) {
    if (schema != nullptr) {
      m_live = *schema;
    }
    for (const auto& c : rev.module.comments) {
      const auto text = trim(c.text);
      if (text.substr(0, 8) == "miglint:") {
        m_directives.push_back(&c);
      }
    }
  }

  Translation run() {
    const Stmt* fn = m_phase == core::Phase::Upgrade ? m_rev.upgrade : m_rev.downgrade;
    Translation out;
    if (fn == nullptr) {
      return out;
    }
    // ignore-file directives apply wherever they are written.
    for (const auto* c : m_directives) {
      if (trim(c->text).substr(8).find("ignore-file") != std::string_view::npos) {
        emit_comment(*c, false);
      }
    }
    // Names a revision uses without importing them (templates that import inside functions, or
    // files cut short) mean what Alembic's template means by them.
    auto aliases = m_rev.aliases;
    aliases.try_emplace("op", "alembic.op");
    aliases.try_emplace("sa", "sqlalchemy");
    aliases.try_emplace("context", "alembic.context");
    std::string ended;
    m_running = true;
    if (plain_operations(fn->body, aliases)) {
      // Autogenerate's style, most revisions: op.* calls with literal arguments. Evaluating them
      // gives the same SQL; translating the syntax directly is what keeps lint fast.
      for (const auto& st : fn->body) {
        statement_begin(st);
        if (st.kind == StmtKind::Expr && st.value->kind == ExprKind::Call) {
          try {
            call(*st.value);
          } catch (const Unanalyzable& u) {
            unanalyzable(u.span, u.why);
          }
        }
        statement_end(st);
      }
    } else {
      python::Evaluator evaluator(m_rev.module, aliases, *this);
      ended = evaluator.run(*fn);
    }
    m_running = false;
    if (!ended.empty()) {
      m_body_note = ended;
    }
    if (m_body_note.empty() && m_segments.empty()) {
      const bool has_pass = std::any_of(fn->body.begin(), fn->body.end(),
                                        [](const Stmt& st) { return st.kind == StmtKind::Pass; });
      // A body of only a docstring (or `...`) is empty; saying `pass` would misquote it.
      m_body_note = !is_trivial(fn->body) ? source::k_runs_no_sql
                    : has_pass            ? "is `pass`"
                                          : "is empty";
    }
    source::Script script;
    script.sql = std::move(m_sql);
    script.origin = source::OriginMap(m_rev.file, std::move(m_segments));
    script.tx = source::TxMode::PerScript; // Alembic runs each revision in a transaction
    const std::string& text = m_rev.file->text();
    const auto line_end = text.find_first_of("\r\n", fn->span.begin);
    script.anchor = {
        m_rev.file, fn->span.begin,
        static_cast<uint32_t>(line_end == std::string::npos ? fn->span.end : line_end)};
    script.body_note = m_body_note;
    script.enum_types = std::move(m_enum_types);
    out.script = std::move(script);
    out.findings = std::move(m_findings);
    out.asked_schema = m_asked_schema;
    return out;
  }

private:
  static std::string_view trim(std::string_view s) {
    const auto b = s.find_first_not_of(" \t");
    return b == std::string_view::npos ? std::string_view() : s.substr(b);
  }

  // --- output ------------------------------------------------------------------------------------

  // Whether a statement changes the schema (DDL), judged by its first keyword.
  static bool changes_schema(std::string_view sql) {
    size_t i = 0;
    while (i < sql.size()) { // skip white space and leading comments
      if (std::isspace(static_cast<unsigned char>(sql[i]))) {
        ++i;
      } else if (sql.substr(i, 2) == "--") {
        const auto eol = sql.find('\n', i);
        i = eol == std::string_view::npos ? sql.size() : eol + 1;
      } else if (sql.substr(i, 2) == "/*") {
        const auto end = sql.find("*/", i);
        i = end == std::string_view::npos ? sql.size() : end + 2;
      } else {
        break;
      }
    }
    std::string word;
    while (i < sql.size() && std::isalpha(static_cast<unsigned char>(sql[i]))) {
      word += static_cast<char>(std::toupper(static_cast<unsigned char>(sql[i++])));
    }
    static const std::set<std::string> data = {"SELECT", "INSERT", "UPDATE",  "DELETE", "WITH",
                                               "COPY",   "VALUES", "ANALYZE", "SET",    "RESET",
                                               "SHOW",   "BEGIN",  "COMMIT",  "MERGE",  ""};
    return !data.contains(word);
  }

  void emit(const std::string& sql, python::Span origin) {
    m_schema_changes += changes_schema(sql) ? 1 : 0;
    if (m_probing > 0) {
      return;
    }
    const auto begin = static_cast<uint32_t>(m_sql.size());
    m_sql += sql;
    m_segments.push_back(
        {begin, static_cast<uint32_t>(m_sql.size()), origin.begin, origin.end, false});
    m_sql += ";";
    m_pending_statement = true;
  }

  // SQL written in the revision (op.execute): copied with a byte map into the literal.
  void emit_literal(const Expr& str, python::Span call) {
    m_schema_changes += changes_schema(str.text) ? 1 : 0;
    if (m_probing > 0) {
      return;
    }
    const auto base = static_cast<uint32_t>(m_sql.size());
    m_sql += str.text;
    for (const auto& p : str.pieces) {
      m_segments.push_back(
          {base + p.value_begin, base + p.value_end, p.file_begin, p.file_end, p.exact});
    }
    if (str.pieces.empty()) {
      m_segments.push_back(
          {base, static_cast<uint32_t>(m_sql.size()), call.begin, call.end, false});
    }
    m_sql += "\n;";
    m_pending_statement = true;
  }

  void emit_comment(const python::Comment& c, bool trailing) {
    if (!trailing) {
      end_line();
    } else {
      m_sql += ' ';
    }
    const auto begin = static_cast<uint32_t>(m_sql.size());
    m_sql += "--" + c.text;
    m_segments.push_back(
        {begin, static_cast<uint32_t>(m_sql.size()), c.span.begin, c.span.end, false});
    m_sql += "\n";
    m_pending_statement = false;
  }

  void end_line() {
    if (m_pending_statement) {
      m_sql += "\n";
      m_pending_statement = false;
    }
  }

  // Whether a body is only `op.X(...)` calls whose arguments are literals and SQLAlchemy
  // constructs named through the file's imports (no variables, no code): then the syntax is the
  // value and the evaluator is not needed.
  static bool plain_operations(const std::vector<Stmt>& body,
                               const std::map<std::string, std::string, std::less<>>& aliases) {
    for (const auto& st : body) {
      if (st.kind == StmtKind::Pass ||
          (st.kind == StmtKind::Expr && st.value && st.value->kind == ExprKind::Str)) {
        continue;
      }
      if (st.kind != StmtKind::Expr || !st.value || st.value->kind != ExprKind::Call) {
        return false;
      }
      const Expr& c = *st.value;
      const std::string target = c.target->dotted();
      const auto dot = target.find('.');
      if (dot == std::string::npos || target.find('.', dot + 1) != std::string::npos) {
        return false;
      }
      const auto head = aliases.find(target.substr(0, dot));
      const std::string op = target.substr(dot + 1);
      if (head == aliases.end() || head->second != "alembic.op" || op == "batch_alter_table" ||
          op == "get_bind" || op == "get_context") {
        return false;
      }
      if (op == "execute" &&
          !(c.items.size() == 1 && c.keywords.empty() && c.items[0]->kind == ExprKind::Str)) {
        return false; // sa.text() and the rest go through the evaluator's SQL reader
      }
      for (const auto& a : c.items) {
        if (!plain_value(*a, aliases)) {
          return false;
        }
      }
      for (const auto& k : c.keywords) {
        if (k.name.empty() || !plain_value(*k.value, aliases)) {
          return false;
        }
      }
    }
    return true;
  }

  static bool plain_value(const Expr& e,
                          const std::map<std::string, std::string, std::less<>>& aliases) {
    switch (e.kind) {
    case ExprKind::Str:
    case ExprKind::Num:
    case ExprKind::True:
    case ExprKind::False:
    case ExprKind::None:
      return true;
    case ExprKind::UnaryOp:
      return e.text == "-" && e.items.size() == 1 && e.items[0]->kind == ExprKind::Num;
    case ExprKind::Tuple:
    case ExprKind::List:
    case ExprKind::Set:
    case ExprKind::Dict:
      return std::all_of(e.items.begin(), e.items.end(),
                         [&](const ExprPtr& i) { return i && plain_value(*i, aliases); });
    case ExprKind::Name:
    case ExprKind::Attribute: {
      const std::string d = e.dotted();
      const auto head = d.substr(0, d.find('.'));
      const auto it = aliases.find(head);
      // Only library names: a project's class is read by the evaluator.
      return it != aliases.end() && is_library_name(it->second) && it->second != "alembic.op";
    }
    case ExprKind::Call:
      if (!plain_value(*e.target, aliases) && e.target->dotted() != "op.f") {
        return false;
      }
      for (const auto& a : e.items) {
        if (!plain_value(*a, aliases)) {
          return false;
        }
      }
      for (const auto& k : e.keywords) {
        if (k.name.empty() || !plain_value(*k.value, aliases)) {
          return false;
        }
      }
      return true;
    default:
      return false;
    }
  }

  // A body of only `pass`, `...`, docstrings and comments.
  static bool is_trivial(const std::vector<Stmt>& body) {
    return std::all_of(body.begin(), body.end(), [](const Stmt& st) {
      return st.kind == StmtKind::Pass ||
             (st.kind == StmtKind::Expr && st.value &&
              (st.value->kind == ExprKind::Str || st.value->kind == ExprKind::Ellipsis));
    });
  }

  // `# miglint:` comments before a statement of the function body, and a trailing one after it.
  void statement_begin(const Stmt& s) override {
    while (m_next_directive < m_directives.size() &&
           m_directives[m_next_directive]->span.begin < s.span.begin) {
      const auto* c = m_directives[m_next_directive++];
      if (trim(c->text).substr(8).find("ignore-file") == std::string_view::npos) {
        emit_comment(*c, false);
      }
    }
    end_line();
  }

  void statement_end(const Stmt& s) override {
    const std::string& text = m_rev.file->text();
    if (m_next_directive < m_directives.size()) {
      const auto* c = m_directives[m_next_directive];
      if (c->span.begin >= s.span.end) {
        const auto between = std::string_view(text).substr(s.span.end, c->span.begin - s.span.end);
        if (between.find_first_of("\r\n") == std::string_view::npos) {
          ++m_next_directive;
          if (m_pending_statement) {
            emit_comment(*c, true);
          }
        }
      }
    }
    end_line();
  }

  void unanalyzable(python::Span span, const std::string& why) override { note(span, why); }

  // One fact miglint could not read (const: the SQL builders report while they build).
  void note(python::Span span, const std::string& why) const {
    if (m_probing > 0 || !m_reported.insert({span.begin, why}).second) {
      return; // a helper called several times: its code is reported once
    }
    core::Finding f = finding_at(m_rev.file, span, std::string(k_unanalyzable), why);
    f.migration = m_rev.id;
    f.phase = m_phase;
    m_findings.push_back(std::move(f));
  }

  // --- the Host: what the revision's code does ---------------------------------------------------

  using Value = python::Value;
  using ValuePtr = python::ValuePtr;
  using ValueKind = python::ValueKind;

  // An object the revision works with: `kind` for dispatch, `description` for messages.
  static ValuePtr object(const std::string& kind, const std::string& description, python::Span at) {
    ValuePtr v = python::make_object(description, at);
    v->attrs["kind"] = kind;
    return v;
  }

  static std::string kind_of(const Value& v) {
    auto it = v.attrs.find("kind");
    return it == v.attrs.end() ? std::string() : it->second;
  }

  static ValuePtr construct(const std::string& name, const python::Args& args, python::Span at) {
    auto v = std::make_shared<Value>();
    v->kind = ValueKind::Construct;
    v->name = name;
    v->items = args.positional;
    v->keywords = args.keywords;
    v->span = args.call ? args.call->span : at;
    return v;
  }

  ValuePtr bind_object(python::Span at) const {
    return object("bind", "the connection (op.get_bind())", at);
  }

  // The call as syntax, for the operation handlers: `prefix.name(args...)` at `origin`.
  static ExprPtr call_expr(const std::string& callee, const python::Args& args) {
    auto e = std::make_shared<Expr>();
    e->kind = ExprKind::Call;
    e->span = args.origin;
    e->target = python::dotted_expr(callee, args.origin);
    for (const auto& v : args.positional) {
      e->items.push_back(python::to_expr(v));
    }
    for (const auto& k : args.keywords) {
      e->keywords.push_back({k.name, python::to_expr(k.value)});
    }
    return e;
  }

  // Runs one Alembic operation (`op.X` or `batch_op.X`) and returns its value.
  ValuePtr operation(const std::string& name, bool batch, const python::Args& args) {
    const python::Span at = args.origin;
    if (name == "get_bind") {
      return bind_object(at);
    }
    if (name == "get_context") {
      return object("context", "the migration context (op.get_context())", at);
    }
    if (name == "f") { // the string, marked final for the naming convention
      const ValuePtr v = args.get(0, "name");
      if (v && v->kind == ValueKind::Str) {
        ValuePtr named = std::make_shared<Value>(*v);
        named->attrs["final"] = "1";
        return named;
      }
      return v ? v : python::make_none(at);
    }
    if (name == "inline_literal") {
      return args.get(0, "value") ? args.get(0, "value") : python::make_none(at);
    }
    if (name == "batch_alter_table") {
      ValuePtr b = object("batch", "a batch_alter_table() block", at);
      const ExprPtr c = call_expr("op.batch_alter_table", args);
      try {
        b->attrs["table"] = str_arg(*c, 0, "table_name");
        b->attrs["schema"] = opt_str_kw(*c, "schema").value_or("");
        b->attrs["recreate"] = opt_str_kw(*c, "recreate").value_or("auto");
      } catch (const Unanalyzable& u) {
        unanalyzable(u.span, u.why);
        return python::make_unknown("a batch_alter_table() of a table miglint cannot name", at);
      }
      return b;
    }
    if (!m_running) {
      return python::make_unknown("an Alembic operation outside upgrade()/downgrade()", at);
    }
    if (name == "execute") {
      execute_sql(args.get(0, "sqltext"), args, "op.execute()");
      return python::make_none(at);
    }
    if (m_probing > 0 && name != "bulk_insert") {
      ++m_schema_changes; // an operation on the schema, whatever its arguments turn out to be
      return name == "create_table" ? construct("alembic.op.create_table", args, at)
                                    : python::make_none(at);
    }
    const ExprPtr c = call_expr((batch ? "batch." : "op.") + name, args);
    try {
      call(*c);
    } catch (const Unanalyzable& u) {
      unanalyzable(u.span, u.why);
    }
    if (name == "create_table") {
      return construct("alembic.op.create_table", args, at);
    }
    return python::make_none(at);
  }

  // sa.text()'s `:name` bind parameters as PostgreSQL's `$n`, padded to the same length so
  // the SQL still maps byte for byte into the literal.
  static void positional_binds(std::string& sql) {
    int n = 0;
    for (const auto& [begin, end] : bind_parameters(sql)) {
      std::string param = "$" + std::to_string(++n);
      if (param.size() > end - begin) {
        continue; // `:a` as the tenth parameter: left as written
      }
      param.resize(end - begin, ' ');
      sql.replace(begin, end - begin, param);
    }
  }

  // Where sa.text()'s `:name` bind parameters are written in `sql`, as [begin, end) offsets of
  // `:name`, in order: outside '...' literals, and not `::type` casts.
  static std::vector<std::pair<size_t, size_t>> bind_parameters(const std::string& sql) {
    std::vector<std::pair<size_t, size_t>> out;
    bool quoted = false;
    for (size_t i = 0; i < sql.size(); ++i) {
      const char c = sql[i];
      if (c == '\'') {
        quoted = !quoted;
        continue;
      }
      if (quoted || c != ':' || (i > 0 && sql[i - 1] == ':') || i + 1 >= sql.size() ||
          sql[i + 1] == ':' ||
          !(std::isalpha(static_cast<unsigned char>(sql[i + 1])) || sql[i + 1] == '_')) {
        continue;
      }
      size_t end = i + 1;
      while (end < sql.size() &&
             (std::isalnum(static_cast<unsigned char>(sql[end])) || sql[end] == '_')) {
        ++end;
      }
      out.emplace_back(i, end);
      i = end - 1;
    }
    return out;
  }

  // A bound value as psycopg2 sends it (its mogrify: `adapt(value).getquoted()`): a string
  // quoted with its quotes doubled (PostgreSQL's standard_conforming_strings, on since 9.1, so
  // backslashes stay as they are), None as NULL, booleans as true/false, integers as written
  // (negative ones after a space, psycopg2's `Int` adapter).
  // nullopt for values whose text miglint does not know (floats, dates, containers).
  static std::optional<std::string> psycopg2_literal(const Value& v) {
    switch (v.kind) {
    case ValueKind::Str: {
      std::string out = "'";
      for (const char c : v.s) {
        out += c;
        if (c == '\'') {
          out += c;
        }
      }
      return out + "'";
    }
    case ValueKind::None:
      return std::string("NULL");
    case ValueKind::Bool:
      return std::string(v.b ? "true" : "false");
    case ValueKind::Int: // a negative number after a space, so that `- -1` is no comment
      return v.i < 0 ? " " + std::to_string(v.i) : std::to_string(v.i);
    default:
      return std::nullopt;
    }
  }

  // sa.text()'s `:name` bind parameters with the values given to execute() or bindparams()
  // as psycopg2 renders them into the statement it sends; those not known statically as
  // PostgreSQL's `$n`. Each literal maps to where `:name` is written in the file.
  static ValuePtr bind_literals(const Value& text, const std::map<std::string, ValuePtr>& values) {
    const std::string& sql = text.s;
    ValuePtr out = python::str_slice(text, 0, 0);
    uint32_t copied = 0;
    int n = 0;
    for (const auto& [i, end] : bind_parameters(sql)) {
      const auto it = values.find(sql.substr(i + 1, end - i - 1));
      std::optional<std::string> literal;
      if (it != values.end() && it->second) {
        literal = psycopg2_literal(*it->second);
      }
      const std::string replacement = literal ? *literal : "$" + std::to_string(++n);
      const auto at = static_cast<uint32_t>(i);
      const auto stop = static_cast<uint32_t>(end);
      out = python::str_concat(*out, *python::str_slice(text, copied, at), text.span);
      const ValuePtr written = python::str_slice(text, at, stop);
      ValuePtr piece = python::make_str(replacement, text.span);
      for (auto p : written->pieces) {
        p.value_begin = 0;
        p.value_end = static_cast<uint32_t>(replacement.size());
        p.exact = false;
        piece->pieces.push_back(p);
      }
      out = python::str_concat(*out, *piece, text.span);
      copied = stop;
    }
    out = python::str_concat(
        *out, *python::str_slice(text, copied, static_cast<uint32_t>(sql.size())), text.span);
    return out;
  }

  // table.insert().from_select(names, sa.select(columns...)) and sa.insert(table).from_select(...)
  // where the tables are objects miglint knows (a reflected table, a new one): the INSERT ...
  // SELECT SQLAlchemy compiles. nullopt for anything else.
  static std::optional<std::string> insert_from_select(const Value& stmt) {
    if (!ends_with(stmt.name, ".from_select") || !stmt.self || stmt.items.size() < 2) {
      return std::nullopt;
    }
    const Value& insert = *stmt.self;
    ValuePtr target = insert.self;
    if (!target && !insert.items.empty()) {
      target = insert.items[0]; // sa.insert(table)
    }
    if (!target || kind_of(*target) != "table") {
      return std::nullopt;
    }
    const ValuePtr names = stmt.items[0];
    const ValuePtr select = stmt.items[1];
    if ((names->kind != ValueKind::List && names->kind != ValueKind::Tuple) ||
        select->kind != ValueKind::Construct || !ends_with(select->name, "select")) {
      return std::nullopt;
    }
    std::vector<std::string> cols;
    for (const auto& n : names->items) {
      if (n->kind != ValueKind::Str) {
        return std::nullopt;
      }
      cols.push_back(ident(n->s));
    }
    std::vector<std::string> selected;
    std::string source;
    for (const auto& c : select->items) {
      if (kind_of(*c) != "column" || !c->attrs.contains("table")) {
        return std::nullopt;
      }
      if (!source.empty() && source != c->attrs.at("table")) {
        return std::nullopt; // a join: not rendered
      }
      source = c->attrs.at("table");
      selected.push_back(source + "." + ident(c->attrs.at("name")));
    }
    if (source.empty()) {
      return std::nullopt;
    }
    return "INSERT INTO " + qualified(target->attrs.at("schema"), target->attrs.at("name")) + " (" +
           join(cols) + ") SELECT " + join(selected) + " \nFROM " + source;
  }

  // SQL handed to a connection or the context: a string or sa.text().
  ValuePtr execute_sql(const ValuePtr& sql, const python::Args& args, const std::string& how) {
    const python::Span at = args.origin;
    ValuePtr text = sql;
    std::map<std::string, std::string> params; // literal values of bind parameters
    std::map<std::string, ValuePtr> values;    // the values of bind parameters
    auto add_params = [&](const std::vector<python::KeywordValue>& keywords) {
      for (const auto& k : keywords) {
        if (!k.name.empty() && k.value) {
          values.try_emplace(k.name, k.value);
        }
        if (!k.name.empty() && k.value && k.value->kind == ValueKind::Str) {
          params.try_emplace(k.name, k.value->s);
        }
      }
    };
    // sa.text("...").bindparams(...) / .params(...) / .execution_options(...): still the text.
    while (text && text->kind == ValueKind::Construct && text->self &&
           (ends_with(text->name, ".params") || ends_with(text->name, ".bindparams") ||
            ends_with(text->name, ".execution_options") || ends_with(text->name, ".columns"))) {
      add_params(text->keywords);
      text = text->self;
    }
    if (const ValuePtr given = args.get(1, "parameters"); given && given->kind == ValueKind::Dict) {
      for (size_t i = 0; i + 1 < given->items.size(); i += 2) {
        const auto& k = given->items[i];
        const auto& v = given->items[i + 1];
        if (k && v && k->kind == ValueKind::Str) {
          values.try_emplace(k->s, v);
        }
        if (k && v && k->kind == ValueKind::Str && v->kind == ValueKind::Str) {
          params.try_emplace(k->s, v->s);
        }
      }
    }
    const bool wrapped = text && text->kind == ValueKind::Construct &&
                         ends_with(text->name, ".text") && !text->items.empty() &&
                         text->items[0]->kind == ValueKind::Str;
    if (wrapped || (text && text->kind == ValueKind::Str)) {
      // A question to PostgreSQL's catalog ("does this index exist?") is answered from the
      // schema the history built, and sends nothing miglint lints.
      const std::string& raw = wrapped ? text->items[0]->s : text->s;
      if (const std::string relation = catalog_relation(raw); !relation.empty()) {
        return catalog_rows(raw, relation, params, how, at);
      }
    }
    if (wrapped && values.empty()) {
      text = std::make_shared<Value>(*text->items[0]);
      positional_binds(text->s);
    } else if (wrapped) {
      text = bind_literals(*text->items[0], values);
    }
    if (text && text->kind == ValueKind::Str) {
      if (m_running) {
        emit_literal(*python::to_expr(text), at);
      }
      return object("result", "rows that " + how + " reads from the database", at);
    }
    if (sql && sql->kind == ValueKind::Construct) {
      if (auto rendered = insert_from_select(*sql)) {
        if (m_running) {
          emit(*rendered, at);
        }
        return object("result", "rows that " + how + " reads from the database", at);
      }
    }
    const std::string built = sql && sql->kind == ValueKind::Construct ? sql->name : "";
    // The statement's kind is its first verb: table.insert().from_select(...) is an INSERT.
    std::string verb;
    size_t first = std::string::npos;
    for (const char* v : {"select", "insert", "update", "delete"}) {
      const auto at_verb = built.find(v);
      if (at_verb != std::string::npos && at_verb < first) {
        first = at_verb;
        verb = v;
      }
    }
    const bool select = verb == "select";
    if (select) {
      return object("result", "rows that " + how + " reads from the database", at); // a read
    }
    if (text && text->kind == ValueKind::Unknown) {
      ++m_schema_changes; // SQL only known when it runs: it may change the schema
      unanalyzable(text->span,
                   "SQL run through `" + how + "` is not analysed: its text is " + text->name);
    } else {
      const std::string what = verb == "insert"   ? "an INSERT"
                               : verb == "update" ? "an UPDATE"
                               : verb == "delete" ? "a DELETE"
                                                  : "a statement";
      unanalyzable(at, "`" + how + "` runs " + what +
                           " built with SQLAlchemy's expression language (" +
                           (sql ? python::describe(*sql) : "nothing") +
                           "): miglint does not render it to SQL");
    }
    return object("result", "rows that " + how + " reads from the database", at);
  }

  // The rows a catalog query returns on the schema the history built (see
  // catalog_questions.hpp); unknown before the facts are known, or for shapes not answered.
  ValuePtr catalog_rows(const std::string& sql, const std::string& relation,
                        const std::map<std::string, std::string>& params, const std::string& how,
                        python::Span at) {
    m_asked_schema = true;
    const SchemaFacts* facts = live_facts();
    if (facts == nullptr) {
      return python::make_unknown(
          "what the database holds before this revision (a query of `" + relation + "`)", at);
    }
    auto rows = answer_catalog_query(sql, params, *facts, at);
    if (!rows) {
      return python::make_unknown("the rows a query of `" + relation + "` through `" + how +
                                      "` returns (a query shape miglint does not answer)",
                                  at);
    }
    ValuePtr v = object("catalog_rows", "the rows of a query of " + relation, at);
    v->attrs["iterable"] = "1";
    v->items = std::move(*rows);
    return v;
  }

  // fetchone() / fetchall() / scalar() / first() / all() / scalars() of answered catalog rows.
  static ValuePtr catalog_method(const ValuePtr& self, const std::string& name, python::Span at) {
    const auto& rows = self->items;
    const bool scalars = self->attrs.contains("scalars");
    auto first_column = [&](const ValuePtr& row) {
      if (scalars) {
        return row;
      }
      return row->items.empty() ? python::make_none(at) : row->items[0];
    };
    if (name == "fetchone" || name == "first" || name == "one_or_none") {
      return rows.empty() ? python::make_none(at) : rows[0];
    }
    if (name == "fetchall" || name == "all") {
      return python::make_list(ValueKind::List, rows, at);
    }
    if (name == "scalar" || name == "scalar_one_or_none") {
      return rows.empty() ? python::make_none(at) : first_column(rows[0]);
    }
    if ((name == "one" || name == "scalar_one") && rows.size() == 1) {
      return name == "one" ? rows[0] : first_column(rows[0]);
    }
    if (name == "scalars" && !scalars) {
      ValuePtr v = object("catalog_rows", self->name, at);
      v->attrs["iterable"] = "1";
      v->attrs["scalars"] = "1";
      for (const auto& row : rows) {
        v->items.push_back(first_column(row));
      }
      return v;
    }
    if (name == "close") {
      return python::make_none(at);
    }
    return python::make_unknown("`" + name + "()` of " + self->name, at);
  }

  static bool is_enum_construct(const Value& v) {
    return v.kind == ValueKind::Construct &&
           (ends_with(v.name, ".Enum") || ends_with(v.name, ".ENUM"));
  }

  // Enum(...).create(bind, checkfirst=...) / .drop(bind, checkfirst=...)
  ValuePtr enum_method(const ValuePtr& en, const std::string& method, const python::Args& args) {
    const python::Span at = args.origin;
    TypeSql t;
    try {
      t = type_of(python::to_expr(en));
    } catch (const Unanalyzable& u) {
      unanalyzable(u.span, u.why);
      return python::make_none(at);
    }
    if (!t.enum_type) {
      return python::make_none(at);
    }
    const bool checkfirst = [&] {
      const ValuePtr c = args.get(1, "checkfirst");
      return c && python::truth(*c).value_or(true);
    }();
    std::optional<bool> exists;
    if (checkfirst) {
      m_asked_schema = true;
      if (const SchemaFacts* facts = live_facts()) {
        exists = facts->enums.contains(facts_key(t.enum_type->schema, t.enum_type->name));
      }
    }
    if (!m_running) {
      return python::make_none(at);
    }
    if (method == "create" && !exists.value_or(false)) {
      create_enum(*t.enum_type, at);
    } else if (method == "drop" && exists.value_or(true)) {
      emit("DROP TYPE " + qualified(t.enum_type->schema, t.enum_type->name), at);
    }
    return python::make_none(at);
  }

  ValuePtr call(const ValuePtr& callee, const python::Args& args) override {
    const python::Span at = args.origin;
    if (callee->kind == ValueKind::Ref) {
      const std::string& q = callee->name;
      if (q.rfind("alembic.op.", 0) == 0) {
        return operation(q.substr(11), false, args);
      }
      if (q == "alembic.context.is_offline_mode") {
        return python::make_bool(false, at);
      }
      if (q == "alembic.context.get_context") {
        return object("context", "the migration context", at);
      }
      if (q == "alembic.context.get_bind") {
        return bind_object(at);
      }
      if (q == "alembic.context.execute") {
        return execute_sql(args.get(0, "sql"), args, "context.execute()");
      }
      if (ends_with(q, ".Table") && is_library_name(q)) {
        if (ValuePtr t = table_object(args)) {
          return t;
        }
      }
      if (q == "sqlalchemy.inspect" || q == "sqlalchemy.engine.reflection.Inspector.from_engine") {
        ValuePtr inspector = object("inspector", "the database's schema (sa.inspect())", at);
        inspector->attrs["id"] = std::to_string(++m_inspectors);
        return inspector;
      }
      if (q.rfind("logging.", 0) == 0 || q == "warnings.warn") {
        return object("logger", "a logger", at);
      }
      if (is_library_name(q)) {
        return construct(q, args, at);
      }
      const std::string last = q.substr(q.rfind('.') + 1);
      if (last == "get_logger" || last == "getLogger" || last == "logger" || last == "log") {
        return object("logger", "a logger", at); // logging can't change the schema
      }
      // Defined outside this file (the application's modules): kept as a construct so a
      // column of a project type is still a column; a call made for its effects is reported.
      ValuePtr v = construct(q, args, at);
      v->attrs["external"] = "1";
      return v;
    }
    if (callee->kind == ValueKind::Builtin && callee->self) {
      return method(callee->self, callee->name, args);
    }
    if (callee->kind == ValueKind::Construct) {
      return construct(callee->name, args, at); // a construct called again: sa.Column(...)(...)
    }
    if (callee->kind == ValueKind::Class) { // a class of this file, such as a column type
      return construct("__class__." + callee->name, args, at);
    }
    return python::make_unknown("a call of " + python::describe(*callee), at, true);
  }

  ValuePtr method(const ValuePtr& self, const std::string& name, const python::Args& args) {
    const python::Span at = args.origin;
    const std::string kind = kind_of(*self);
    if (kind == "batch_op") {
      // Its operations apply to the innermost open batch: a batch_op kept past its `with` block
      // (Alembic runs nothing it queues then) or used inside another batch's block is not read.
      const auto id = self->attrs.find("batch");
      if (m_batches.empty() || id == self->attrs.end() || m_batches.back().id != id->second) {
        note(at, "`" + name +
                     "()` of a batch called outside the batch's own "
                     "`with op.batch_alter_table(...)` block is not analysed");
        return python::make_none(at);
      }
      return operation(name, true, args);
    }
    if (kind == "bind" || kind == "context") {
      if (name == "execute" || name == "exec_driver_sql") {
        return execute_sql(args.get(0, "statement"), args,
                           kind == "bind" ? "connection." + name + "()" : "context.execute()");
      }
      if (name == "commit") {
        if (m_running) {
          emit("COMMIT", at); // SQLAlchemy 2.0: the next statement begins a new transaction
          end_line();
          emit("BEGIN", at);
          end_line();
        }
        return python::make_none(at);
      }
      if (name == "autocommit_block") {
        return object("autocommit_block", "an autocommit_block()", at);
      }
      if (name == "is_offline_mode" || name == "in_transaction" || name == "closed") {
        return python::make_bool(name == "in_transaction", at);
      }
      if (name == "begin" || name == "begin_nested" || name == "begin_transaction") {
        return object("transaction", "a transaction block", at);
      }
      if (name == "get_bind" || name == "connect") {
        return bind_object(at);
      }
      if (name == "get_context") {
        return self;
      }
    }
    if (kind == "table" || kind == "column" || kind == "constraint") {
      if (ValuePtr v = table_method(self, kind, name, args)) {
        return v;
      }
    }
    if (kind == "inspector") {
      python::Args asked = args;
      asked.self_id = self->attrs.contains("id") ? self->attrs.at("id") : std::string();
      return inspector_question(name, asked);
    }
    if (kind == "logger") {
      return python::make_none(at);
    }
    if (kind == "dialect" && name == "has_table") {
      python::Args shifted = args;
      if (!shifted.positional.empty()) {
        shifted.positional.erase(shifted.positional.begin()); // the connection
      }
      return inspector_question("has_table", shifted);
    }
    if (kind == "url" && (name == "get_backend_name" || name == "get_dialect")) {
      return name == "get_backend_name" ? python::make_str("postgresql", at)
                                        : object("dialect", "the dialect", at);
    }
    if (kind == "catalog_rows") {
      return catalog_method(self, name, at);
    }
    if (kind == "result") {
      return python::make_unknown(self->name, at);
    }
    if (self->kind == ValueKind::Construct && !args.positional.empty() &&
        (name == "create" || name == "drop" || name == "create_all" || name == "drop_all") &&
        (ends_with(self->name, ".Table") || ends_with(self->name, ".Index") ||
         ends_with(self->name, ".Sequence") || ends_with(self->name, ".MetaData") ||
         ends_with(self->name, ".table"))) {
      // DDL from SQLAlchemy metadata (a table copied from a reflected one, an index object).
      ++m_schema_changes;
      const std::string what = self->name.substr(self->name.rfind('.') + 1);
      unanalyzable(at, "`" + what + "." + name +
                           "(bind)` runs DDL built from SQLAlchemy "
                           "metadata: miglint does not render it to SQL");
      return python::make_none(at);
    }
    if (is_enum_construct(*self) && (name == "create" || name == "drop")) {
      return enum_method(self, name, args);
    }
    if (self->kind == ValueKind::Construct) {
      ValuePtr v = construct(self->name + "." + name, args, at);
      v->self = self; // the construct the method was called on: sa.text("...").params(...)
      if (self->attrs.contains("external")) {
        v->attrs["external"] = "1";
      }
      return v;
    }
    return python::make_unknown("`" + name + "()` of " + python::describe(*self), at, true);
  }

  // The SQLAlchemy classes a reflected column's type is an instance of. SQLAlchemy's PostgreSQL
  // dialect reflects each catalog type as one of its own types (`ischema_names` of
  // sqlalchemy/dialects/postgresql/base.py): `text` as postgresql's TEXT, a subclass of Text
  // and String; `character varying` as VARCHAR (String); `bigint` as BIGINT (BigInteger,
  // Integer); `jsonb` as JSONB (postgresql.JSON, sqlalchemy.JSON); an enum as postgresql.ENUM
  // (sqlalchemy.Enum, String); an array as ARRAY. Classes are compared by their last name (the
  // dialect's TIMESTAMP, JSON, UUID, ARRAY subclass SQLAlchemy's of the same name); `Uuid` and
  // `Double` are SQLAlchemy 2.0's bases of UUID and DOUBLE_PRECISION.
  bool reflected_type_is(const std::string& type, const std::string& cls) {
    if (cls == "TypeEngine") {
      return true;
    }
    if (type.size() > 2 && type.compare(type.size() - 2, 2, "[]") == 0) {
      return cls == "ARRAY";
    }
    const std::string base = type.substr(0, type.find('('));
    static const std::map<std::string, std::vector<std::string>, std::less<>> classes = {
        {"text", {"TEXT", "Text", "String"}},
        {"varchar", {"VARCHAR", "String"}},
        {"character varying", {"VARCHAR", "String"}},
        {"char", {"CHAR", "String"}},
        {"character", {"CHAR", "String"}},
        {"citext", {"CITEXT", "TEXT", "Text", "String"}},
        {"integer", {"INTEGER", "Integer"}},
        {"bigint", {"BIGINT", "BigInteger", "Integer"}},
        {"smallint", {"SMALLINT", "SmallInteger", "Integer"}},
        {"numeric", {"NUMERIC", "Numeric"}},
        {"real", {"REAL", "Float", "Numeric"}},
        {"double precision", {"DOUBLE_PRECISION", "Double", "Float", "Numeric"}},
        {"boolean", {"BOOLEAN", "Boolean"}},
        {"timestamp", {"TIMESTAMP", "DateTime"}},
        {"timestamp with time zone", {"TIMESTAMP", "DateTime"}},
        {"date", {"DATE", "Date"}},
        {"time", {"TIME", "Time"}},
        {"time with time zone", {"TIME", "Time"}},
        {"interval", {"INTERVAL"}},
        {"json", {"JSON"}},
        {"jsonb", {"JSONB", "JSON"}},
        {"uuid", {"UUID", "Uuid"}},
        {"bytea", {"BYTEA", "LargeBinary"}},
        {"inet", {"INET"}},
        {"cidr", {"CIDR"}},
        {"macaddr", {"MACADDR"}},
        {"money", {"MONEY"}},
        {"tsvector", {"TSVECTOR"}},
        {"bit", {"BIT"}},
        {"oid", {"OID"}},
    };
    if (const auto it = classes.find(base); it != classes.end()) {
      return std::find(it->second.begin(), it->second.end(), cls) != it->second.end();
    }
    if (const SchemaFacts* facts = live_facts()) {
      for (const auto& [key, en] : facts->enums) {
        if (en.name == base) {
          return cls == "ENUM" || cls == "Enum" || cls == "String";
        }
      }
    }
    return false;
  }

  ValuePtr attribute(const ValuePtr& obj, const std::string& name, python::Span at) override {
    if (obj->kind == ValueKind::Set && obj->attrs.contains("live") && name == "__len__") {
      return live_size(*obj, at);
    }
    if (obj->kind == ValueKind::Str && obj->attrs.contains("host_class") &&
        name.rfind("__isinstance__ ", 0) == 0) {
      const std::string cls = name.substr(name.rfind('.') + 1);
      return python::make_bool(reflected_type_is(obj->s, cls), at);
    }
    const std::string kind = kind_of(*obj);
    if (kind == "table" || kind == "column" || kind == "constraint") {
      if (ValuePtr v = table_attribute(obj, kind, name, at)) {
        return v;
      }
    }
    if (obj->kind == ValueKind::Ref) {
      if (obj->name == "alembic.context" && name == "config") {
        return object("config", "Alembic's Config", at);
      }
      return nullptr;
    }
    if (kind == "bind" || kind == "context") {
      if (name == "dialect") {
        return object("dialect", "the dialect", at);
      }
      if (name == "engine" || name == "bind" || name == "connection") {
        return bind_object(at);
      }
      if (name == "url") {
        return object("url", "the database URL", at);
      }
      if (name == "name") {
        return python::make_str("postgresql", at);
      }
      if (name == "opts" || name == "config") {
        return python::make_unknown("the migration context's configuration", at);
      }
    }
    if (kind == "dialect") {
      if (name == "name") {
        return python::make_str("postgresql", at);
      }
      if (name == "driver") {
        return python::make_str("psycopg2", at);
      }
      if (name == "server_version_info") {
        return python::make_unknown("the server's version", at);
      }
    }
    if (kind == "url") {
      if (name == "drivername" || name == "__str__") {
        return python::make_str(name == "__str__" ? "postgresql://" : "postgresql", at);
      }
      if (name == "database") {
        return python::make_unknown("the database name", at);
      }
    }
    return nullptr;
  }

  struct Batch {
    std::string table;
    std::string schema;
    std::string alias;
    std::string id; // the batch_op object of its `with` block carries it (attrs["batch"])
    // recreate="always" on a table the history built: where the block's statements begin, and
    // the table before them.
    bool recreate = false;
    size_t sql_start = 0;
    size_t segments_start = 0;
    TableFacts before;
    python::Span at;
  };

  ValuePtr enter(const ValuePtr& ctx, python::Span at) override {
    const std::string kind = kind_of(*ctx);
    if (kind == "autocommit_block") {
      if (m_running) {
        // Alembic commits, runs the block outside a transaction, and begins again.
        emit("COMMIT", at);
        end_line();
      }
      return python::make_none(at);
    }
    if (kind == "batch") {
      Batch batch;
      batch.table = ctx->attrs.at("table");
      batch.schema = ctx->attrs.at("schema");
      batch.alias = "batch";
      if (ctx->attrs.at("recreate") == "always") {
        // Rendered as the copy-and-swap it is once the block ends, from the table the history
        // built: the block's statements are captured to learn the new shape, then replaced.
        m_asked_schema = true;
        const SchemaFacts* facts = live_facts();
        const auto it = facts != nullptr ? facts->tables.find(facts_key(batch.schema, batch.table))
                                         : decltype(facts->tables.end()){};
        if (facts != nullptr && it != facts->tables.end() && m_probing == 0) {
          end_line();
          batch.recreate = true;
          batch.before = it->second;
          batch.sql_start = m_sql.size();
          batch.segments_start = m_segments.size();
          batch.at = at;
        } else if (m_probing == 0) {
          unanalyzable(at, "batch_alter_table(recreate=\"always\") copies `" + batch.table +
                               "` into a new table and swaps it in (the whole table is "
                               "rewritten under an ACCESS EXCLUSIVE lock); the history has not "
                               "built `" +
                               batch.table +
                               "`, so the statements below are read as plain ALTER TABLE");
        }
      }
      batch.id = std::to_string(++m_batch_count);
      m_batches.push_back(batch);
      ValuePtr op = object("batch_op", "batch_op", at);
      op->attrs["batch"] = batch.id;
      return op;
    }
    if (kind == "transaction" || kind == "bind" || kind == "context") {
      return ctx;
    }
    return nullptr;
  }

  void exit(const ValuePtr& ctx, python::Span at) override {
    const std::string kind = kind_of(*ctx);
    if (kind == "autocommit_block" && m_running) {
      end_line();
      emit("BEGIN", at);
      end_line();
    } else if (kind == "batch" && !m_batches.empty()) {
      const Batch batch = m_batches.back();
      m_batches.pop_back();
      if (batch.recreate) {
        recreate_table(batch);
      }
    }
  }

  // Alembic's batch "move and copy" on PostgreSQL (alembic/operations/batch.py, ApplyBatchImpl
  // with PostgresqlImpl.prep_table_for_batch): the old table's named constraints dropped (their
  // names are reused), CREATE TABLE _alembic_tmp_<t> with the columns and constraints the block
  // leaves, INSERT ... SELECT of the columns that were there before, DROP TABLE, RENAME, then
  // the indexes. The block's own statements (captured since it began) give the new shape.
  void recreate_table(const Batch& b) {
    const std::string captured = m_sql.substr(b.sql_start);
    const sql::ParsedScript parsed = sql::parse(captured);
    SchemaFacts scratch;
    const std::string key = facts_key(b.schema, b.table);
    scratch.tables[key] = b.before;
    learn(scratch, parsed, captured);
    const auto found = scratch.tables.find(key);
    if (found == scratch.tables.end()) {
      return; // the block renamed or dropped the table: its statements stay as they are
    }
    const TableFacts& after = found->second;
    std::set<std::string> dropped;              // constraints the block drops itself
    std::map<std::string, std::string> renamed; // new column name -> the name it had before
    for (const auto& st : parsed.statements) {
      if (const auto* a = st.as<sql::AlterTable>()) {
        for (const auto& cmd : a->cmds) {
          if (cmd.kind == sql::AlterKind::DropConstraint) {
            dropped.insert(cmd.name);
          }
        }
      } else if (const auto* r = st.as<sql::Rename>();
                 r != nullptr && r->kind == sql::ObjectKind::Column) {
        const auto was = renamed.find(r->old_name);
        renamed[r->new_name] = was != renamed.end() ? was->second : r->old_name;
        if (was != renamed.end()) {
          renamed.erase(was);
        }
      }
    }
    m_sql.resize(b.sql_start);
    m_segments.resize(b.segments_start);
    m_pending_statement = false;
    if (m_learned > b.sql_start) { // the captured statements were learnt: learn again
      m_live = *m_schema;
      m_learned = 0;
    }
    const python::Span at = b.at;
    const std::string target = qualified(b.schema, b.table);
    const std::string tmp_name = "_alembic_tmp_" + b.table;
    const std::string tmp = qualified(b.schema, tmp_name);
    for (const auto& c : b.before.constraints) {
      if (!c.name.empty() && !dropped.contains(c.name)) {
        emit("ALTER TABLE " + target + " DROP CONSTRAINT " + ident(c.name), at);
        end_line();
      }
    }
    std::vector<std::string> body;
    const ConstraintFacts* pk = nullptr;
    for (const auto& c : after.constraints) {
      if (c.kind == "primary_key") {
        pk = &c;
      }
    }
    const bool single_integer_pk =
        pk != nullptr && pk->columns.size() == 1 &&
        std::any_of(after.columns.begin(), after.columns.end(), [&](const ColumnFacts& c) {
          return c.name == pk->columns[0] &&
                 (c.type == "integer" || c.type == "bigint" || c.type == "smallint");
        });
    std::vector<std::string> insert_cols;
    std::vector<std::string> select_cols;
    for (const auto& c : after.columns) {
      std::string spec = ident(c.name) + " ";
      const bool serial = single_integer_pk && c.name == pk->columns[0] && c.default_sql &&
                          c.default_sql->rfind("nextval('", 0) == 0;
      if (serial) { // SQLAlchemy reflects a serial key as autoincrement: SERIAL again
        spec += c.type == "bigint" ? "BIGSERIAL" : c.type == "smallint" ? "SMALLSERIAL" : "SERIAL";
      } else {
        spec += reflected_type_sql(c.type);
        if (c.default_sql && *c.default_sql != "DEFAULT") {
          spec += " DEFAULT " + *c.default_sql;
        }
      }
      if (!c.nullable) {
        spec += " NOT NULL";
      }
      body.push_back(spec);
      const auto was = renamed.find(c.name);
      const std::string old_name = was != renamed.end() ? was->second : c.name;
      const auto before = std::find_if(b.before.columns.begin(), b.before.columns.end(),
                                       [&](const ColumnFacts& o) { return o.name == old_name; });
      if (before != b.before.columns.end()) {
        insert_cols.push_back(ident(c.name));
        const std::string expr = ident(b.table) + "." + ident(old_name);
        select_cols.push_back(type_affinity(before->type) == type_affinity(c.type)
                                  ? expr
                                  : "CAST(" + expr + " AS " + reflected_type_sql(c.type) + ") AS " +
                                        ident(c.name));
      }
    }
    auto named_clause = [](const ConstraintFacts& c) {
      return c.name.empty() ? std::string() : "CONSTRAINT " + ident(c.name) + " ";
    };
    auto cols_of = [](const std::vector<std::string>& cols) {
      std::vector<std::string> out;
      for (const auto& c : cols) {
        out.push_back(ident(c));
      }
      return join(out);
    };
    if (pk != nullptr) {
      body.push_back(named_clause(*pk) + "PRIMARY KEY (" + cols_of(pk->columns) + ")");
    }
    for (const auto& c : after.constraints) {
      if (c.kind == "unique") {
        body.push_back(named_clause(c) + "UNIQUE (" + cols_of(c.columns) + ")");
      } else if (c.kind == "check") {
        body.push_back(named_clause(c) + "CHECK (" + c.sqltext + ")");
      } else if (c.kind == "foreign_key") {
        std::string fk = named_clause(c) + "FOREIGN KEY(" + cols_of(c.columns) + ") REFERENCES " +
                         qualified(c.ref_schema == "public" ? "" : c.ref_schema, c.ref_table) +
                         " (" + cols_of(c.ref_columns) + ")";
        if (!c.ondelete.empty()) {
          fk += " ON DELETE " + c.ondelete;
        }
        if (!c.onupdate.empty()) {
          fk += " ON UPDATE " + c.onupdate;
        }
        body.push_back(fk);
      }
    }
    emit("CREATE TABLE " + tmp + " (\n    " + join(body, ", \n    ") + "\n)", at);
    end_line();
    if (!insert_cols.empty()) {
      emit("INSERT INTO " + tmp + " (" + join(insert_cols) + ") SELECT " + join(select_cols) +
               " \nFROM " + target,
           at);
      end_line();
    }
    // The rows were copied above: dropping the old table loses nothing.
    end_line();
    m_sql += "-- miglint: ignore drop-table -- batch_alter_table(recreate=\"always\") copied its "
             "rows into " +
             tmp_name + "\n";
    emit("DROP TABLE " + target, at);
    end_line();
    emit("ALTER TABLE " + tmp + " RENAME TO " + ident(b.table), at);
    end_line();
    for (const auto& ix : after.indexes) {
      if (std::any_of(after.constraints.begin(), after.constraints.end(),
                      [&](const ConstraintFacts& c) { return c.name == ix.name; })) {
        continue; // the index of a constraint comes with it
      }
      emit(std::string("CREATE ") + (ix.unique ? "UNIQUE " : "") + "INDEX " + ident(ix.name) +
               " ON " + target + " (" + cols_of(ix.columns) + ")",
           at);
      end_line();
    }
  }

  // SQLAlchemy's _type_affinity of a PostgreSQL type: Alembic's batch copy CASTs a column
  // whose type changes affinity (an integer becoming text), not one that stays within it.
  static std::string type_affinity(const std::string& type) {
    const std::string base = type.substr(0, type.find_first_of(" ("));
    if (base == "varchar" || base == "text" || base == "char" || base == "character" ||
        base == "citext") {
      return "string";
    }
    if (base == "integer" || base == "bigint" || base == "smallint") {
      return "integer";
    }
    if (base == "timestamp") {
      return "datetime";
    }
    return base;
  }

  // --- sa.Table(name, metadata[, autoload_with=bind]): tables as objects -----------------------
  //
  // Revisions that copy a table (reflect it, build a new Table from copies of its columns and
  // constraints, create it, copy the rows, drop the old one, rename the new one) work on these.
  // A reflected table is read from the facts of the history; Table.create(bind) renders it.

  static ValuePtr clone(const ValuePtr& v) { return std::make_shared<Value>(*v); }

  ValuePtr column_object(const ColumnFacts& c, bool primary_key, python::Span at) const {
    ValuePtr col = object("column", "the column " + c.name, at);
    col->attrs["name"] = c.name;
    col->attrs["type"] = c.type;
    col->attrs["nullable"] = c.nullable ? "1" : "0";
    col->attrs["primary_key"] = primary_key ? "1" : "0";
    if (c.default_sql) {
      col->attrs["default"] = *c.default_sql;
    }
    return col;
  }

  ValuePtr constraint_object(const ConstraintFacts& c, python::Span at) const {
    ValuePtr con = object("constraint", "the constraint " + c.name, at);
    con->attrs["ctype"] = c.kind;
    con->attrs["name"] = c.name;
    con->attrs["ref_schema"] = c.ref_schema;
    con->attrs["ref_table"] = c.ref_table;
    con->attrs["ondelete"] = c.ondelete;
    con->attrs["onupdate"] = c.onupdate;
    con->items.push_back(str_list(c.columns, at));
    con->items.push_back(str_list(c.ref_columns, at));
    return con;
  }

  // sa.Table(name, metadata) (empty, to be filled) or with autoload_with= (reflected); null for a
  // Table given its columns (a construct, as for bulk_insert).
  ValuePtr table_object(const python::Args& args) {
    const python::Span at = args.origin;
    const ValuePtr name = args.get(0, "name");
    if (!name || name->kind != ValueKind::Str) {
      return nullptr;
    }
    const ValuePtr schema_v = args.keyword("schema");
    const std::string schema =
        schema_v && schema_v->kind == ValueKind::Str ? schema_v->s : std::string();
    const bool reflect = args.keyword("autoload_with") != nullptr ||
                         (args.keyword("autoload") && python::truth(*args.keyword("autoload")));
    if (!reflect && args.positional.size() > 2) {
      return nullptr;
    }
    ValuePtr t = object("table", "the table " + name->s, at);
    t->attrs["name"] = name->s;
    t->attrs["schema"] = schema;
    t->attrs["table_id"] = std::to_string(++m_table_count);
    m_table_objects[t->attrs["table_id"]] = t;
    t->items.clear();
    if (!reflect) {
      return t;
    }
    m_asked_schema = true;
    const SchemaFacts* facts = live_facts();
    if (facts == nullptr) {
      return python::make_unknown("the columns of " + name->s + " reflected from the database", at);
    }
    const auto it = facts->tables.find(facts_key(schema, name->s));
    if (it == facts->tables.end()) {
      throw python::HostRaise{"raises NoSuchTableError", at};
    }
    std::set<std::string> pk;
    for (const auto& c : it->second.constraints) {
      if (c.kind == "primary_key") {
        pk.insert(c.columns.begin(), c.columns.end());
      }
    }
    for (const auto& c : it->second.columns) {
      t->items.push_back(column_object(c, pk.contains(c.name), at));
      t->items.back()->attrs["table"] = qualified(schema, name->s);
    }
    for (const auto& c : it->second.constraints) {
      t->keywords.push_back({"constraint", constraint_object(c, at)});
      t->keywords.back().value->attrs["owner"] = t->attrs["table_id"];
    }
    return t;
  }

  // Table.constraints: a Python set. Iterating it while it changes size raises RuntimeError
  // ("Set changed size during iteration"): "live" asks the table its size after each turn.
  ValuePtr constraints_list(const ValuePtr& table, bool foreign_keys_only, python::Span at) const {
    std::vector<ValuePtr> out;
    for (const auto& k : table->keywords) {
      if (!foreign_keys_only || k.value->attrs.at("ctype") == "foreign_key") {
        out.push_back(k.value);
      }
    }
    ValuePtr v = python::make_list(ValueKind::Set, std::move(out), at);
    if (table->attrs.contains("table_id")) {
      v->attrs["live"] = table->attrs.at("table_id");
    }
    return v;
  }

  // The size now of the table's constraint set a "live" set was read from.
  ValuePtr live_size(const Value& set, python::Span at) const {
    const auto it = m_table_objects.find(set.attrs.at("live"));
    const ValuePtr table = it == m_table_objects.end() ? nullptr : it->second.lock();
    if (!table) {
      return python::make_int(static_cast<int64_t>(set.items.size()), at);
    }
    return python::make_int(static_cast<int64_t>(table->keywords.size()), at);
  }

  ValuePtr table_attribute(const ValuePtr& obj, const std::string& kind, const std::string& name,
                           python::Span at) const {
    if (kind == "table") {
      if (name == "columns") {
        return python::make_list(ValueKind::List, obj->items, at);
      }
      if (name == "c") { // table.c.name, table.c["name"], for col in table.c
        ValuePtr c = object("table", "the columns of " + obj->attrs.at("name"), at);
        c->attrs = obj->attrs;
        c->attrs["collection"] = "1";
        c->attrs["iterable"] = "1";
        c->items = obj->items;
        return c;
      }
      if (name == "name") {
        return python::make_str(obj->attrs.at("name"), at);
      }
      if (name == "constraints") {
        return constraints_list(obj, false, at);
      }
      if (name == "foreign_keys") { // ForeignKey objects: `.constraint` is their constraint
        std::vector<ValuePtr> out;
        for (const auto& k : obj->keywords) {
          if (k.value->attrs.at("ctype") == "foreign_key") {
            ValuePtr fk = object("constraint", "a foreign key", at);
            fk->attrs = k.value->attrs;
            fk->attrs["kind"] = "constraint";
            fk->attrs["fk_of"] = "1";
            fk->items = k.value->items;
            out.push_back(fk);
          }
        }
        return python::make_list(ValueKind::List, std::move(out), at);
      }
      const bool item = name.size() > 2 && name.front() == '[';
      if (item || obj->attrs.contains("collection")) { // table.c["name"], table.c.name
        const std::string wanted = item ? name.substr(1, name.size() - 2) : name;
        for (const auto& c : obj->items) {
          if (c->attrs.at("name") == wanted) {
            return c;
          }
        }
      }
      return nullptr;
    }
    if (kind == "column") {
      if (name == "name") {
        return python::make_str(obj->attrs.at("name"), at);
      }
      if (name == "nullable" || name == "primary_key") {
        return python::make_bool(obj->attrs.at(name) == "1", at);
      }
      if (name == "type" || name == "__str__") {
        return reflected_type_value(obj->attrs.at("type"), at);
      }
      return nullptr;
    }
    // constraint
    if (name == "name") {
      const std::string& n = obj->attrs.at("name");
      return n.empty() ? python::make_none(at) : python::make_str(n, at);
    }
    if (name == "constraint") {
      ValuePtr con = clone(obj);
      con->attrs.erase("fk_of");
      return con;
    }
    if (name == "column_keys") {
      return obj->items.at(0);
    }
    if (name == "columns") { // column objects: uq.columns -> [col.name for col in ...]
      std::vector<ValuePtr> cols;
      for (const auto& n : obj->items.at(0)->items) {
        ValuePtr col = object("column", "the column " + n->s, at);
        col->attrs["name"] = n->s;
        col->attrs["type"] = "";
        col->attrs["nullable"] = "1";
        col->attrs["primary_key"] = "0";
        cols.push_back(col);
      }
      return python::make_list(ValueKind::List, std::move(cols), at);
    }
    if (name.rfind("__isinstance__ ", 0) == 0) {
      const std::string cls = name.substr(name.rfind('.') + 1);
      const std::string& ctype = obj->attrs.at("ctype");
      const bool is = (cls == "UniqueConstraint" && ctype == "unique") ||
                      (cls == "PrimaryKeyConstraint" && ctype == "primary_key") ||
                      (cls == "ForeignKeyConstraint" && ctype == "foreign_key" &&
                       !obj->attrs.contains("fk_of")) ||
                      (cls == "ForeignKey" && obj->attrs.contains("fk_of")) ||
                      (cls == "CheckConstraint" && ctype == "check") || cls == "Constraint";
      return python::make_bool(is, at);
    }
    return nullptr;
  }

  ValuePtr table_method(const ValuePtr& self, const std::string& kind, const std::string& name,
                        const python::Args& args) {
    const python::Span at = args.origin;
    if (name == "copy" || name == "_copy") {
      ValuePtr copy = clone(self);
      // SQLAlchemy builds the copy of a UniqueConstraint (a ColumnCollectionConstraint) from
      // the original's Column objects unless target_table= is given: the copy attaches itself
      // to the original's table at once (ColumnCollectionMixin._check_attach), so that table's
      // constraint set grows. Foreign keys are copied by column name, check constraints with
      // _autoattach=False: neither attaches. Same in SQLAlchemy 1.4 and 2.0.
      if (kind == "constraint" && self->attrs.at("ctype") == "unique" &&
          !self->attrs.contains("fk_of") && self->attrs.contains("owner") &&
          !args.keyword("target_table")) {
        const auto it = m_table_objects.find(self->attrs.at("owner"));
        if (const ValuePtr owner = it == m_table_objects.end() ? nullptr : it->second.lock()) {
          owner->keywords.push_back({"constraint", copy});
        }
      }
      return copy;
    }
    if (kind != "table") {
      return nullptr;
    }
    if (name == "append_column" && !args.positional.empty() &&
        kind_of(*args.positional[0]) == "column") {
      self->items.push_back(args.positional[0]);
      return python::make_none(at);
    }
    if (name == "append_constraint" && !args.positional.empty() &&
        kind_of(*args.positional[0]) == "constraint") {
      self->keywords.push_back({"constraint", args.positional[0]});
      if (self->attrs.contains("table_id")) {
        args.positional[0]->attrs["owner"] = self->attrs.at("table_id");
      }
      return python::make_none(at);
    }
    if ((name == "create" || name == "drop") && !args.positional.empty()) {
      const std::string target = qualified(self->attrs.at("schema"), self->attrs.at("name"));
      if (name == "drop") {
        emit("DROP TABLE " + target, at);
        return python::make_none(at);
      }
      emit(create_table_sql(*self, target, at), at);
      return python::make_none(at);
    }
    if (name == "insert" || name == "select" || name == "update" || name == "delete") {
      ValuePtr v = construct("sqlalchemy.table." + name, args, at); // data: read or changed
      v->self = self;
      return v;
    }
    return nullptr;
  }

  static bool single_integer_pk(const Value& table) {
    return std::count_if(table.items.begin(), table.items.end(),
                         [](const ValuePtr& c) { return c->attrs.at("primary_key") == "1"; }) == 1;
  }

  // A reflected column's type as SQLAlchemy renders it again: its PostgreSQL types in capitals
  // (`varchar(36)` -> `VARCHAR(36)`, `timestamp with time zone` -> `TIMESTAMP WITH TIME ZONE`);
  // other types (enums, domains, anything quoted) as they are named.
  static std::string reflected_type_sql(const std::string& type) {
    static const std::set<std::string, std::less<>> builtin = {
        "bigint", "bigserial", "bit",      "boolean", "bytea",   "char",    "character", "cidr",
        "citext", "date",      "double",   "float",   "inet",    "integer", "interval",  "json",
        "jsonb",  "macaddr",   "money",    "numeric", "real",    "serial",  "smallint",  "text",
        "time",   "timestamp", "tsvector", "uuid",    "varchar", "xml"};
    const auto end = type.find_first_of(" (");
    if (!builtin.contains(std::string_view(type).substr(0, end)) ||
        type.find_first_of("\"'") != std::string::npos) {
      return type;
    }
    std::string out = type;
    for (auto& ch : out) {
      ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    }
    return out;
  }

  // CREATE TABLE for a Table object, the way SQLAlchemy renders a copied table. Server defaults
  // of reflected columns are not known as text: said once.
  std::string create_table_sql(const Value& table, const std::string& target, python::Span at) {
    std::vector<std::string> body;
    std::vector<std::string> pk;
    bool defaults = false;
    for (const auto& c : table.items) {
      std::string spec = ident(c->attrs.at("name")) + " " + reflected_type_sql(c->attrs.at("type"));
      const std::string not_null = c->attrs.at("nullable") == "0" ? " NOT NULL" : "";
      if (c->attrs.contains("default")) {
        const std::string& d = c->attrs.at("default");
        if (d.rfind("nextval('", 0) == 0) {
          // SQLAlchemy reflects a serial as an autoincrement integer without a default; its copy
          // as the table's one integer primary key is SERIAL again (a new sequence).
          const std::string& type = c->attrs.at("type");
          const bool integer = type == "integer" || type == "bigint" || type == "smallint";
          if (integer && c->attrs.at("primary_key") == "1" && single_integer_pk(table)) {
            spec = ident(c->attrs.at("name")) + " " +
                   (type == "bigint"     ? "BIGSERIAL"
                    : type == "smallint" ? "SMALLSERIAL"
                                         : "SERIAL");
          }
        } else if (d == "DEFAULT") {
          defaults = true;
        } else {
          // The reflected server default, as pg_get_expr printed it (SQLAlchemy renders the
          // copy's DefaultClause text as it is, before NOT NULL).
          spec += " DEFAULT " + d;
        }
      }
      spec += not_null;
      if (c->attrs.at("primary_key") == "1") {
        pk.push_back(ident(c->attrs.at("name")));
      }
      body.push_back(spec);
    }
    if (!pk.empty()) {
      body.push_back("PRIMARY KEY (" + join(pk) + ")");
    }
    std::set<std::string> seen;
    for (const auto& k : table.keywords) {
      const auto& a = k.value->attrs;
      const std::string& ctype = a.at("ctype");
      if (ctype == "primary_key" || !seen.insert(a.at("name")).second) {
        continue;
      }
      std::vector<std::string> cols;
      for (const auto& v : k.value->items.at(0)->items) {
        cols.push_back(ident(v->s));
      }
      const std::string named =
          a.at("name").empty() ? std::string() : "CONSTRAINT " + ident(a.at("name")) + " ";
      if (ctype == "unique") {
        body.push_back(named + "UNIQUE (" + join(cols) + ")");
      } else if (ctype == "foreign_key") {
        std::vector<std::string> refs;
        for (const auto& v : k.value->items.at(1)->items) {
          refs.push_back(ident(v->s));
        }
        std::string fk = named + "FOREIGN KEY(" + join(cols) + ") REFERENCES " +
                         qualified(a.at("ref_schema"), a.at("ref_table")) + " (" + join(refs) + ")";
        if (!a.at("ondelete").empty()) {
          fk += " ON DELETE " + a.at("ondelete");
        }
        if (!a.at("onupdate").empty()) {
          fk += " ON UPDATE " + a.at("onupdate");
        }
        body.push_back(fk);
      }
    }
    if (defaults) {
      note(at, "the server defaults of columns copied from a reflected table are not known as "
               "text: the new table is checked without them");
    }
    return "CREATE TABLE " + target + " (\n    " + join(body, ", \n    ") + "\n)";
  }

  // --- sa.inspect(bind): answered from what the history has built -------------------------------

  static std::string facts_key(const std::string& schema, const std::string& name) {
    return (schema.empty() ? "public" : schema) + "." + name;
  }

  // A reflected column's type: reads as its name ("varchar(36)"), answers isinstance() as the
  // SQLAlchemy type it is (reflected_type_is).
  static ValuePtr reflected_type_value(const std::string& type, python::Span at) {
    ValuePtr v = python::make_str(type, at);
    v->attrs["host_class"] = "reflected_type";
    return v;
  }

  static ValuePtr str_list(const std::vector<std::string>& names, python::Span at) {
    std::vector<ValuePtr> items;
    for (const auto& n : names) {
      items.push_back(python::make_str(n, at));
    }
    return python::make_list(ValueKind::List, std::move(items), at);
  }

  // SQLAlchemy's PostgreSQL reflection: {"ondelete": "CASCADE", ...}, only what is not NO ACTION.
  static ValuePtr fk_options(const ConstraintFacts& c, python::Span at) {
    std::vector<std::pair<std::string, ValuePtr>> entries;
    if (!c.ondelete.empty()) {
      entries.emplace_back("ondelete", python::make_str(c.ondelete, at));
    }
    if (!c.onupdate.empty()) {
      entries.emplace_back("onupdate", python::make_str(c.onupdate, at));
    }
    return dict(std::move(entries), at);
  }

  static ValuePtr dict(std::vector<std::pair<std::string, ValuePtr>> entries, python::Span at) {
    std::vector<ValuePtr> items;
    for (auto& [k, v] : entries) {
      items.push_back(python::make_str(k, at));
      items.push_back(std::move(v));
    }
    return python::make_list(ValueKind::Dict, std::move(items), at);
  }

  // The facts as the database has them now: those before the revision plus what the revision
  // has run so far (the inspector queries the live database).
  const SchemaFacts* live_facts() {
    if (m_schema == nullptr) {
      return nullptr;
    }
    if (m_learned < m_sql.size()) {
      const std::string_view text = std::string_view(m_sql).substr(m_learned);
      learn(m_live, sql::parse(text), text);
      m_learned = m_sql.size();
    }
    return &m_live;
  }

  // SQLAlchemy's Inspector caches the answers of its reflection methods per inspector (the
  // same question asked twice of one inspector gets the first answer); has_table and get_enums
  // are asked anew.
  ValuePtr inspector_question(const std::string& name, const python::Args& args) {
    if (name == "has_table" || name == "has_index" || name == "get_enums" ||
        name == "get_schema_names" || args.self_id.empty()) {
      return answer(name, args);
    }
    std::string key = args.self_id + "|" + name;
    for (const auto& v : args.positional) {
      key += "|" + python::describe(*v);
    }
    for (const auto& k : args.keywords) {
      key += "|" + k.name + "=" + python::describe(*k.value);
    }
    auto it = m_inspector_cache.find(key);
    if (it != m_inspector_cache.end()) {
      return it->second;
    }
    ValuePtr v = answer(name, args);
    m_inspector_cache[key] = v;
    return v;
  }

  ValuePtr answer(const std::string& name, const python::Args& args) {
    const python::Span at = args.origin;
    m_asked_schema = true;
    const SchemaFacts* facts = live_facts();
    if (facts == nullptr) {
      return python::make_unknown(
          "what the database holds before this revision (`" + name + "()` of sa.inspect())", at);
    }
    auto str_of = [&](size_t i, std::string_view kw) -> std::optional<std::string> {
      const ValuePtr v = args.get(i, kw);
      if (v && v->kind == ValueKind::Str) {
        return v->s;
      }
      return std::nullopt;
    };
    const std::string schema = [&] {
      const ValuePtr v = args.keyword("schema");
      return v && v->kind == ValueKind::Str ? v->s : std::string();
    }();
    if (name == "get_table_names") {
      const std::string s = str_of(0, "schema").value_or("");
      std::vector<std::string> names;
      for (const TableFacts* table : facts->table_order(s.empty() ? "public" : s)) {
        names.push_back(table->name);
      }
      return str_list(names, at);
    }
    if (name == "get_schema_names") {
      std::set<std::string> names = {"public"};
      for (const auto& [key, table] : facts->tables) {
        names.insert(table.schema);
      }
      return str_list({names.begin(), names.end()}, at);
    }
    if (name == "get_enums") {
      std::vector<ValuePtr> out;
      for (const auto& [key, en] : facts->enums) {
        out.push_back(dict({{"name", python::make_str(en.name, at)},
                            {"schema", python::make_str(en.schema, at)},
                            {"visible", python::make_bool(en.schema == "public", at)},
                            {"labels", str_list(en.labels, at)}},
                           at));
      }
      return python::make_list(ValueKind::List, std::move(out), at);
    }
    const auto table_name = str_of(0, "table_name");
    if (!table_name) {
      return python::make_unknown("an inspector question about a table miglint cannot name", at);
    }
    const auto it = facts->tables.find(facts_key(schema, *table_name));
    const TableFacts* table = it == facts->tables.end() ? nullptr : &it->second;
    if (name == "has_table") {
      return python::make_bool(table != nullptr, at);
    }
    if (name == "has_index") {
      const auto index = str_of(1, "index_name");
      bool found = false;
      for (const auto& ix : table ? table->indexes : std::vector<IndexFacts>{}) {
        found = found || (index && ix.name == *index);
      }
      return python::make_bool(found, at);
    }
    if (table == nullptr) {
      // SQLAlchemy raises NoSuchTableError; revisions guard it with `try:`.
      throw python::HostRaise{"raises NoSuchTableError", at};
    }
    std::vector<ValuePtr> out;
    if (name == "get_columns") {
      for (const auto& c : table->columns) {
        out.push_back(dict({{"name", python::make_str(c.name, at)},
                            {"type", reflected_type_value(c.type, at)},
                            {"nullable", python::make_bool(c.nullable, at)},
                            {"default", c.default_sql ? python::make_str(*c.default_sql, at)
                                                      : python::make_none(at)}},
                           at));
      }
    } else if (name == "get_indexes") {
      // SQLAlchemy's PostgreSQL dialect reads indexes and foreign keys ORDER BY their names.
      std::vector<IndexFacts> indexes = table->indexes;
      std::stable_sort(indexes.begin(), indexes.end(),
                       [](const IndexFacts& a, const IndexFacts& b) { return a.name < b.name; });
      for (const auto& ix : indexes) {
        out.push_back(dict({{"name", python::make_str(ix.name, at)},
                            {"column_names", str_list(ix.columns, at)},
                            {"unique", python::make_bool(ix.unique, at)}},
                           at));
      }
    } else if (name == "get_unique_constraints" || name == "get_foreign_keys" ||
               name == "get_check_constraints") {
      const std::string want = name == "get_unique_constraints" ? "unique"
                               : name == "get_foreign_keys"     ? "foreign_key"
                                                                : "check";
      std::vector<ConstraintFacts> constraints = table->constraints;
      if (want == "foreign_key") {
        std::stable_sort(
            constraints.begin(), constraints.end(),
            [](const ConstraintFacts& a, const ConstraintFacts& b) { return a.name < b.name; });
      }
      for (const auto& c : constraints) {
        if (c.kind != want) {
          continue;
        }
        if (want == "unique") {
          out.push_back(dict(
              {{"name", python::make_str(c.name, at)}, {"column_names", str_list(c.columns, at)}},
              at));
        } else if (want == "foreign_key") {
          out.push_back(
              dict({{"name", python::make_str(c.name, at)},
                    {"constrained_columns", str_list(c.columns, at)},
                    {"referred_table", python::make_str(c.ref_table, at)},
                    {"referred_schema", c.ref_schema.empty() ? python::make_none(at)
                                                             : python::make_str(c.ref_schema, at)},
                    {"referred_columns", str_list(c.ref_columns, at)},
                    {"options", fk_options(c, at)}},
                   at));
        } else {
          out.push_back(dict({{"name", python::make_str(c.name, at)},
                              {"sqltext", python::make_str(c.sqltext, at)}},
                             at));
        }
      }
    } else if (name == "get_pk_constraint") {
      for (const auto& c : table->constraints) {
        if (c.kind == "primary_key") {
          return dict({{"name", python::make_str(c.name, at)},
                       {"constrained_columns", str_list(c.columns, at)}},
                      at);
        }
      }
      return dict({{"name", python::make_none(at)}, {"constrained_columns", str_list({}, at)}}, at);
    } else {
      return python::make_unknown("`" + name + "()` of sa.inspect()", at);
    }
    return python::make_list(ValueKind::List, std::move(out), at);
  }

  size_t schema_changes() const override { return m_schema_changes; }
  void probe(bool on) override { m_probing += on ? 1 : -1; }

  void discarded(const ValuePtr& v, const Stmt& s) override {
    if (v->kind == ValueKind::Construct && v->attrs.contains("external")) {
      unanalyzable(s.span, "`" + v->name.substr(0, v->name.find('(')) +
                               "()` is defined outside this file: what it does to the schema is "
                               "not analysed");
    }
  }

  // --- names
  // ---------------------------------------------------------------------------------------

  static bool ends_with(std::string_view s, std::string_view suffix) {
    return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
  }

  // "sa.Column" -> "sqlalchemy.Column" through the file's imports; batch aliases -> "batch.X".
  std::string qualified_name(const Expr& e) const {
    const std::string dotted = e.dotted();
    if (dotted.empty()) {
      return {};
    }
    const auto dot = dotted.find('.');
    const std::string head = dotted.substr(0, dot);
    const std::string rest = dot == std::string::npos ? std::string() : dotted.substr(dot);
    for (const auto& b : m_batches) {
      if (!b.alias.empty() && head == b.alias) {
        return "batch" + rest;
      }
    }
    if (auto it = m_rev.aliases.find(head); it != m_rev.aliases.end()) {
      return it->second + rest;
    }
    return dotted;
  }

  // The SQLAlchemy / sqlmodel name a call or reference stands for ("Column", "Integer"), or "".
  std::string sa_name(const Expr& e) const {
    const std::string q = qualified_name(e);
    if (q.rfind("sqlalchemy", 0) == 0 || q.rfind("sqlmodel", 0) == 0 ||
        q.rfind("postgresql.", 0) == 0 || q.find('.') == std::string::npos) {
      const auto dot = q.rfind('.');
      return dot == std::string::npos ? q : q.substr(dot + 1);
    }
    return {};
  }

  bool is_op(const std::string& q, std::string_view name) const {
    return q == "alembic.op." + std::string(name) || q == "op." + std::string(name) ||
           q == "batch." + std::string(name);
  }

  bool is_op_call(const Expr& call) const {
    const std::string q = qualified_name(*call.target);
    return q.rfind("alembic.op.", 0) == 0 || q.rfind("op.", 0) == 0 || q.rfind("batch.", 0) == 0;
  }

  // --- argument access
  // -----------------------------------------------------------------------------

  ExprPtr arg(const Expr& call, size_t index, std::string_view keyword) const {
    for (const auto& k : call.keywords) {
      if (k.name == keyword) {
        return k.value;
      }
    }
    if (index < call.items.size() && call.items[index]->kind != ExprKind::Starred) {
      return call.items[index];
    }
    return nullptr;
  }

  ExprPtr kw(const Expr& call, std::string_view keyword) const {
    for (const auto& k : call.keywords) {
      if (k.name == keyword) {
        return k.value;
      }
    }
    return nullptr;
  }

  // A string value: a literal, op.f("x"), sa.text("x"), or a local bound to one.
  std::optional<std::string> string_value(const ExprPtr& e) const {
    if (!e) {
      return std::nullopt;
    }
    if (e->kind == ExprKind::Str) {
      return e->text;
    }
    if (e->kind == ExprKind::Call &&
        (ends_with(qualified_name(*e->target), ".f") || sa_name(*e->target) == "text" ||
         sa_name(*e->target) == "quoted_name" || sa_name(*e->target) == "literal_column")) {
      return e->items.empty() ? std::nullopt : string_value(e->items[0]);
    }
    return std::nullopt;
  }

  // Why an argument is not a string: the evaluator's reason when the value is unknown.
  static std::string not_a_string(std::string_view keyword, const ExprPtr& e) {
    if (e && e->kind == ExprKind::Other && !e->text.empty()) {
      return "the operation's `" + std::string(keyword) + "` argument is not known statically (" +
             e->text + ")";
    }
    return "the operation's `" + std::string(keyword) +
           "` argument is not a string miglint can "
           "read";
  }

  std::string str_arg(const Expr& call, size_t index, std::string_view keyword) const {
    const ExprPtr e = arg(call, index, keyword);
    auto v = string_value(e);
    if (!v) {
      throw Unanalyzable{e ? e->span : call.span, not_a_string(keyword, e)};
    }
    return *v;
  }

  std::optional<std::string> opt_str_kw(const Expr& call, std::string_view keyword) const {
    const ExprPtr e = kw(call, keyword);
    if (!e || e->kind == ExprKind::None) {
      return std::nullopt;
    }
    auto v = string_value(e);
    if (!v) {
      throw Unanalyzable{e->span, not_a_string(keyword, e)};
    }
    return v;
  }

  std::optional<bool> bool_value(const ExprPtr& e) const {
    if (!e) {
      return std::nullopt;
    }
    if (e->kind == ExprKind::True) {
      return true;
    }
    if (e->kind == ExprKind::False || e->kind == ExprKind::None) {
      return false;
    }
    throw Unanalyzable{e->span, "expected True or False"};
  }

  std::optional<int64_t> int_value(const ExprPtr& e) const {
    if (!e || e->kind == ExprKind::None) {
      return std::nullopt;
    }
    if (e->kind == ExprKind::Num) {
      try {
        return std::stoll(e->text);
      } catch (...) {
      }
    }
    if (e->kind == ExprKind::UnaryOp && e->text == "-" && !e->items.empty()) {
      if (auto v = int_value(e->items[0])) {
        return -*v;
      }
    }
    throw Unanalyzable{e->span, "expected an integer"};
  }

  std::vector<std::string> string_list(const ExprPtr& e) const {
    std::vector<std::string> out;
    if (!e) {
      return out;
    }
    if (auto s = string_value(e)) {
      out.push_back(*s);
      return out;
    }
    if (e->kind != ExprKind::List && e->kind != ExprKind::Tuple) {
      throw Unanalyzable{e->span, "expected a list of names"};
    }
    for (const auto& item : e->items) {
      auto s = string_value(item);
      if (!s) {
        throw Unanalyzable{item->span, "expected a column name"};
      }
      out.push_back(*s);
    }
    return out;
  }

  // Index columns: names are quoted, sa.text() expressions are used as written.
  std::vector<std::string> index_columns(const ExprPtr& e) const {
    std::vector<std::string> out;
    if (!e) {
      return out;
    }
    std::vector<ExprPtr> items;
    if (e->kind == ExprKind::List || e->kind == ExprKind::Tuple) {
      items = e->items;
    } else {
      items.push_back(e);
    }
    for (const auto& raw : items) {
      const ExprPtr item = raw;
      if (item->kind == ExprKind::Str) {
        out.push_back(ident(item->text));
      } else if (item->kind == ExprKind::Call &&
                 (sa_name(*item->target) == "text" || sa_name(*item->target) == "literal_column")) {
        out.push_back(*string_value(item));
      } else if (item->kind == ExprKind::Call &&
                 (sa_name(*item->target) == "desc" || sa_name(*item->target) == "asc")) {
        out.push_back(index_columns(item->items.empty() ? nullptr : item->items[0]).at(0) + " " +
                      upper(sa_name(*item->target)));
      } else {
        throw Unanalyzable{item->span, "this index element is not one miglint can read"};
      }
    }
    return out;
  }

  // A SQL expression given as a string or sa.text() (CHECK conditions, WHERE clauses, USING).
  std::string sql_text(const ExprPtr& e, python::Span where) const {
    auto v = string_value(e);
    if (!v) {
      throw Unanalyzable{e ? e->span : where,
                         "this SQL expression is not a string miglint can read"};
    }
    return *v;
  }

  // --- server defaults
  // -------------------------------------------------------------------------------

  std::string value_sql(const ExprPtr& e) const {
    if (e->kind == ExprKind::Str) {
      return literal(e->text);
    }
    if (e->kind == ExprKind::Num) {
      return e->text;
    }
    if (e->kind == ExprKind::True || e->kind == ExprKind::False) {
      return e->kind == ExprKind::True ? "true" : "false";
    }
    if (e->kind == ExprKind::None) {
      return "NULL";
    }
    if (e->kind == ExprKind::UnaryOp && e->text == "-" && !e->items.empty() &&
        e->items[0]->kind == ExprKind::Num) {
      return "-" + e->items[0]->text;
    }
    throw Unanalyzable{e->span, "this value is not a literal miglint can read"};
  }

  std::string default_sql(const ExprPtr& e) const {
    if (e->kind == ExprKind::Str) {
      return literal(e->text);
    }
    if (e->kind == ExprKind::Call) {
      const std::string name = sa_name(*e->target);
      if (name == "text" || name == "literal_column") {
        return *string_value(e);
      }
      if (auto constant = constant_construct(name); constant && e->items.empty()) {
        return std::string(*constant);
      }
      if (name == "literal" && !e->items.empty()) {
        return value_sql(e->items[0]);
      }
      const std::string q = qualified_name(*e->target);
      const auto func = q.find("func.");
      if (func != std::string::npos) {
        std::vector<std::string> args;
        for (const auto& a : e->items) {
          args.push_back(value_sql(a));
        }
        return q.substr(func + 5) + "(" + join(args) + ")";
      }
    }
    throw Unanalyzable{e->span, "this server_default is not one miglint can read"};
  }

  // --- types
  // -----------------------------------------------------------------------------------------

  // The Python name a type expression was written with ("TZDateTime" for `TZDateTime()`).
  std::string written_name(const Expr& e) const {
    const std::string& text = m_rev.file->text();
    if (e.span.end <= e.span.begin || e.span.end > text.size()) {
      return "type";
    }
    std::string written = text.substr(e.span.begin, e.span.end - e.span.begin);
    written = written.substr(0, written.find('('));
    const auto dot = written.rfind('.');
    return dot == std::string::npos ? written : written.substr(dot + 1);
  }

  // A type miglint does not know: the column keeps it as an opaque type named as written, and
  // the one fact is reported (once per place).
  TypeSql opaque_type(const Expr& e, const std::string& why) const {
    const std::string name =
        e.kind == ExprKind::Call || e.kind == ExprKind::Name || e.kind == ExprKind::Attribute
            ? (e.dotted().empty() ? written_name(*e.target) : written_name(e))
            : written_name(e);
    note(e.span, why + ": the column is kept with the opaque type \"" + name + "\"");
    TypeSql t;
    t.sql = ident(name.empty() ? "type" : name);
    if (t.sql == name) {
      t.sql = "\"" + name + "\""; // always quoted: it is not a PostgreSQL type name
    }
    return t;
  }

  TypeSql type_of(const ExprPtr& raw) const {
    const ExprPtr e = raw;
    if (e->kind == ExprKind::Other) { // a value the evaluator could not know
      return opaque_type(*e, "this column type is not known statically (" + e->text + ")");
    }
    const bool is_call = e->kind == ExprKind::Call;
    const Expr& callee = is_call ? *e->target : *e;
    const std::string name = sa_name(callee);
    static const Expr empty_call = [] {
      Expr c;
      c.kind = ExprKind::Call;
      return c;
    }();
    const Expr& c = is_call ? *e : empty_call;
    const TypeEntry* entry = name.empty() ? nullptr : find_type(name);
    if (entry == nullptr && m_type_depth < 8) {
      // A type of the project: read from its module (or this file) when it is in the tree.
      const std::string dotted = callee.dotted();
      fs::path dir = fs::path(m_rev.file->path()).parent_path();
      if (dir.empty()) {
        dir = ".";
      }
      python::ValuePtr resolved;
      if (dotted.rfind("__class__.", 0) == 0) {
        resolved = resolve_class_type(m_rev.module, dotted.substr(10), dir);
      } else if (!dotted.empty() && !is_library_name(dotted)) {
        resolved = resolve_project_type(dotted, dir);
      }
      if (resolved) {
        ++m_type_depth;
        struct Down {
          int& d;
          ~Down() { --d; }
        } down{m_type_depth};
        return type_of(python::to_expr(resolved));
      }
    }
    if (entry == nullptr) {
      std::string dotted = callee.dotted();
      if (dotted.rfind("__class__.", 0) == 0) {
        dotted = dotted.substr(10);
      }
      return opaque_type(*e, "`" + (dotted.empty() ? std::string("this type") : dotted) +
                                 "` is not a column type miglint knows");
    }
    TypeSql t;
    t.integer = std::string(entry->integer);
    const std::string base(entry->sql);
    switch (entry->args) {
    case TypeArgs::None:
      t.sql = base;
      break;
    case TypeArgs::Length:
    case TypeArgs::Precision: {
      auto v = int_value(arg(c, 0, entry->args == TypeArgs::Length ? "length" : "precision"));
      t.sql = base + (v ? "(" + std::to_string(*v) + ")" : "");
      break;
    }
    case TypeArgs::Timezone: {
      const bool tz = bool_value(arg(c, 0, "timezone")).value_or(false);
      auto p = int_value(kw(c, "precision"));
      t.sql = base + (p ? "(" + std::to_string(*p) + ")" : "") +
              (tz ? " WITH TIME ZONE" : " WITHOUT TIME ZONE");
      break;
    }
    case TypeArgs::Numeric: {
      auto p = int_value(arg(c, 0, "precision"));
      auto sc = int_value(arg(c, 1, "scale"));
      t.sql =
          base + (p ? "(" + std::to_string(*p) + (sc ? ", " + std::to_string(*sc) : "") + ")" : "");
      break;
    }
    case TypeArgs::Array: {
      const ExprPtr inner = arg(c, 0, "item_type");
      if (!inner) {
        throw Unanalyzable{e->span, "ARRAY without an item type"};
      }
      const TypeSql item = type_of(inner);
      const auto dims = int_value(kw(c, "dimensions")).value_or(1);
      t.sql = item.sql;
      for (int64_t i = 0; i < std::max<int64_t>(dims, 1); ++i) {
        t.sql += "[]";
      }
      break;
    }
    case TypeArgs::Enum: {
      EnumType en;
      for (const auto& item : c.items) {
        const ExprPtr v = item;
        if (v->kind != ExprKind::Str) {
          throw Unanalyzable{v->span, "enum labels that are not string literals (a Python enum "
                                      "class) cannot be read statically"};
        }
        en.labels.push_back(v->text);
      }
      auto n = opt_str_kw(c, "name");
      if (!n) {
        throw Unanalyzable{e->span, "an Enum without `name=` has no type name in PostgreSQL"};
      }
      en.name = *n;
      en.schema = opt_str_kw(c, "schema").value_or("");
      if (!bool_value(kw(c, "native_enum")).value_or(true)) {
        // A VARCHAR as long as the longest label (SQLAlchemy's Enum.length), no type.
        size_t longest = 0;
        for (const auto& l : en.labels) {
          longest = std::max(longest, l.size());
        }
        t.sql = "VARCHAR(" +
                std::to_string(int_value(kw(c, "length")).value_or(static_cast<int64_t>(longest))) +
                ")";
        break;
      }
      en.create = bool_value(kw(c, "create_type")).value_or(true);
      t.sql = qualified(en.schema, en.name);
      m_enum_types.insert((en.schema.empty() ? std::string("public") : en.schema) + "." + en.name);
      t.enum_type = std::move(en);
      break;
    }
    }
    return t;
  }

  // --- columns and constraints -------------------------------------------------------------------

  // A foreign key target as SQLAlchemy writes it: "[schema.]table.column".
  static void add_reference(ForeignKeySql& fk, const std::string& target, python::Span where) {
    const auto dot = target.rfind('.');
    if (dot == std::string::npos) {
      throw Unanalyzable{where, "a foreign key target must be \"table.column\""};
    }
    std::string table = target.substr(0, dot);
    if (const auto schema_dot = table.rfind('.'); schema_dot != std::string::npos) {
      fk.ref_schema = table.substr(0, schema_dot);
      table = table.substr(schema_dot + 1);
    }
    fk.ref_table = table;
    fk.ref_columns.push_back(target.substr(dot + 1));
  }

  ForeignKeySql column_foreign_key(const Expr& fk, const std::string& column) const {
    ForeignKeySql out;
    add_reference(out, str_arg(fk, 0, "column"), fk.span);
    out.columns = {column};
    fill_fk_options(fk, out);
    return out;
  }

  void fill_fk_options(const Expr& call, ForeignKeySql& out) const {
    out.name = opt_str_kw(call, "name").value_or("");
    out.name_expr = kw(call, "name");
    // SQLAlchemy renders ON DELETE / ON UPDATE actions as written ("cascade" stays lower case).
    out.ondelete = opt_str_kw(call, "ondelete").value_or("");
    out.onupdate = opt_str_kw(call, "onupdate").value_or("");
    out.match = upper(opt_str_kw(call, "match").value_or(""));
    out.initially = upper(opt_str_kw(call, "initially").value_or(""));
    if (const ExprPtr d = kw(call, "deferrable"); d && d->kind != ExprKind::None) {
      out.deferrable = bool_value(d);
    }
    out.not_valid = bool_value(kw(call, "postgresql_not_valid")).value_or(false);
    out.use_alter = bool_value(kw(call, "use_alter")).value_or(false);
  }

  ColumnSql column_of(const ExprPtr& raw) const {
    const ExprPtr e = raw;
    if (e->kind != ExprKind::Call || sa_name(*e->target) != "Column") {
      throw Unanalyzable{e->span, "expected sa.Column(...)"};
    }
    ColumnSql col;
    size_t next = 0;
    if (!e->items.empty() && string_value(e->items[0])) {
      col.name = *string_value(e->items[0]);
      next = 1;
    } else if (auto n = opt_str_kw(*e, "name")) {
      col.name = *n;
    } else {
      throw Unanalyzable{e->span, "a Column without a name"};
    }
    bool typed = false;
    if (const ExprPtr t = kw(*e, "type_")) {
      col.type = type_of(t);
      typed = true;
    }
    for (size_t i = next; i < e->items.size(); ++i) {
      const ExprPtr item = e->items[i];
      const Expr& callee = item->kind == ExprKind::Call ? *item->target : *item;
      const std::string n = sa_name(callee);
      if (n == "ForeignKey") {
        col.foreign_keys.push_back(column_foreign_key(*item, col.name));
      } else if (n == "Computed") {
        const bool persisted = bool_value(kw(*item, "persisted")).value_or(true);
        col.computed = "GENERATED ALWAYS AS (" + sql_text(arg(*item, 0, "sqltext"), item->span) +
                       ")" + (persisted ? " STORED" : "");
      } else if (n == "Identity") {
        col.identity = identity_of(*item);
      } else if (n == "Sequence") {
        // A named sequence default: not rendered by the DDL.
      } else if (!typed) {
        col.type = type_of(item);
        typed = true;
      } else {
        throw Unanalyzable{item->span, "this Column argument is not one miglint knows"};
      }
    }
    if (!typed) {
      throw Unanalyzable{e->span, "a Column without a type"};
    }
    if (const ExprPtr n = kw(*e, "nullable"); n && n->kind != ExprKind::None) {
      col.nullable = bool_value(n);
    }
    col.primary_key = bool_value(kw(*e, "primary_key")).value_or(false);
    if (const ExprPtr d = kw(*e, "server_default"); d && d->kind != ExprKind::None) {
      try {
        col.server_default = default_sql(d);
      } catch (const Unanalyzable& u) {
        note(u.span, u.why + ": the column is checked as if it had no server default");
      }
    }
    col.unique = bool_value(kw(*e, "unique")).value_or(false);
    col.index = bool_value(kw(*e, "index")).value_or(false);
    col.comment = opt_str_kw(*e, "comment");
    if (const ExprPtr a = kw(*e, "autoincrement"); a && a->kind != ExprKind::Str) {
      col.autoincrement = bool_value(a);
    }
    return col;
  }

  std::string identity_of(const Expr& call) const {
    const bool always = bool_value(kw(call, "always")).value_or(false);
    std::vector<std::string> options;
    if (auto v = int_value(kw(call, "increment"))) {
      options.push_back("INCREMENT BY " + std::to_string(*v));
    }
    if (auto v = int_value(kw(call, "start"))) {
      options.push_back("START WITH " + std::to_string(*v));
    }
    if (auto v = int_value(kw(call, "minvalue"))) {
      options.push_back("MINVALUE " + std::to_string(*v));
    }
    if (auto v = int_value(kw(call, "maxvalue"))) {
      options.push_back("MAXVALUE " + std::to_string(*v));
    }
    if (bool_value(kw(call, "cycle")).value_or(false)) {
      options.push_back("CYCLE");
    }
    if (auto v = int_value(kw(call, "cache"))) {
      options.push_back("CACHE " + std::to_string(*v));
    }
    return std::string("GENERATED ") + (always ? "ALWAYS" : "BY DEFAULT") + " AS IDENTITY" +
           (options.empty() ? "" : " (" + join(options, " ") + ")");
  }

  std::string columns_sql(const std::vector<std::string>& cols) const {
    std::vector<std::string> quoted;
    for (const auto& c : cols) {
      quoted.push_back(ident(c));
    }
    return "(" + join(quoted) + ")";
  }

  std::string named(const std::optional<std::string>& name) const {
    return name ? "CONSTRAINT " + ident(*name) + " " : std::string();
  }

  // The name a constraint gets under the target MetaData's naming convention (from env.py), as
  // SQLAlchemy gives it: an `op.f()` name is final; a convention with %(constraint_name)s is
  // applied to the name given (none: the constraint stays unnamed); one without it names only
  // unnamed constraints. `kind`: "pk", "uq", "ck", "fk", "ix".
  std::optional<std::string> convention_name(std::string_view kind, const ExprPtr& name_expr,
                                             const std::string& table,
                                             const std::vector<std::string>& columns,
                                             const std::string& referred = {}) const {
    const ExprPtr e = name_expr;
    std::optional<std::string> given =
        e && e->kind != ExprKind::None ? string_value(e) : std::nullopt;
    const bool final =
        e && e->kind == ExprKind::Call && ends_with(qualified_name(*e->target), ".f");
    if (final && given) {
      return truncated_label(*given); // op.f() is a conv(): shortened as convention names are
    }
    if (m_naming == nullptr) {
      return given;
    }
    const auto it = m_naming->find(std::string(kind));
    if (it == m_naming->end()) {
      return given;
    }
    const std::string& conv = it->second;
    const bool needs_name = conv.find("%(constraint_name)s") != std::string::npos;
    if (given.has_value() != needs_name) {
      return given;
    }
    std::string out;
    for (size_t i = 0; i < conv.size();) {
      if (conv.compare(i, 2, "%(") != 0) {
        out += conv[i++];
        continue;
      }
      const auto close = conv.find(")s", i);
      if (close == std::string::npos) {
        out += conv.substr(i);
        break;
      }
      const std::string token = conv.substr(i + 2, close - i - 2);
      std::string all_names, all_names_sep, all_labels;
      for (size_t k = 0; k < columns.size(); ++k) {
        all_names += columns[k];
        all_names_sep += (k ? "_" : "") + columns[k];
        all_labels += (k ? "_" : "") + table + "_" + columns[k];
      }
      const std::string first = columns.empty() ? std::string() : columns[0];
      if (token == "table_name") {
        out += table;
      } else if (token == "constraint_name") {
        out += given.value_or("");
      } else if (token == "column_0_name" || token == "column_0_key") {
        out += first;
      } else if (token == "column_0_label") {
        out += table + "_" + first;
      } else if (token == "column_0N_name" || token == "column_0N_key") {
        out += all_names;
      } else if (token == "column_0_N_name" || token == "column_0_N_key") {
        out += all_names_sep;
      } else if (token == "column_0_N_label") {
        out += all_labels;
      } else if (token == "referred_table_name") {
        out += referred;
      } else {
        out += conv.substr(i, close + 2 - i); // a token miglint does not know: as written
      }
      i = close + 2;
    }
    return truncated_label(out);
  }

  // A constraint name SQLAlchemy may shorten (a convention's result, an op.f() name: its
  // `_truncated_label`s), as its compiler's format_constraint does: longer than PostgreSQL's
  // 63-byte identifiers (NAMEDATALEN - 1), it keeps 55 bytes and appends "_" and the last four
  // hex digits of the full name's MD5.
  static std::string truncated_label(std::string name) {
    constexpr size_t k_max_identifier = 63;
    if (name.size() > k_max_identifier) {
      name = name.substr(0, k_max_identifier - 8) + "_" + core::md5_hex(name).substr(28);
    }
    return name;
  }

  // A table-level constraint object passed to create_table.
  std::string table_constraint(const Expr& c, std::vector<std::string>& pk, ExprPtr& pk_name,
                               const std::string& table) const {
    const std::string n = sa_name(*c.target);
    if (n == "PrimaryKeyConstraint") {
      for (const auto& item : c.items) {
        pk.push_back(*string_value(item));
      }
      pk_name = kw(c, "name");
      return {};
    }
    if (n == "UniqueConstraint") {
      std::vector<std::string> cols;
      for (const auto& item : c.items) {
        cols.push_back(*string_value(item));
      }
      return named(convention_name("uq", kw(c, "name"), table, cols)) + "UNIQUE " +
             columns_sql(cols);
    }
    if (n == "CheckConstraint") {
      return named(convention_name("ck", kw(c, "name"), table, {})) + "CHECK (" +
             sql_text(arg(c, 0, "sqltext"), c.span) + ")";
    }
    if (n == "ForeignKeyConstraint") {
      ForeignKeySql fk;
      fk.columns = string_list(arg(c, 0, "columns"));
      const auto refs = string_list(arg(c, 1, "refcolumns"));
      for (const auto& r : refs) {
        add_reference(fk, r, c.span);
      }
      fill_fk_options(c, fk);
      fk.name = convention_name("fk", fk.name_expr, table, fk.columns, fk.ref_table).value_or("");
      return fk.use_alter ? std::string() : fk.clause();
    }
    throw Unanalyzable{c.span, "this table argument is not one miglint knows"};
  }

  std::string index_name(const std::string& schema, const std::string& table,
                         const std::string& column) const {
    if (m_naming != nullptr && m_naming->contains("ix")) {
      if (auto n = convention_name("ix", nullptr, table, {column})) {
        return *n;
      }
    }
    return "ix_" + (schema.empty() ? "" : schema + "_") + table + "_" + column;
  }

  void create_enum(const EnumType& en, python::Span origin) {
    std::vector<std::string> labels;
    for (const auto& l : en.labels) {
      labels.push_back(literal(l));
    }
    emit("CREATE TYPE " + qualified(en.schema, en.name) + " AS ENUM (" + join(labels) + ")",
         origin);
  }

  // --- operations --------------------------------------------------------------------------------

  // For batch_op.* calls the table is implicit: positional arguments shift by one.
  std::string table_arg(const Expr& call, bool batch, size_t index,
                        std::string_view keyword) const {
    return batch ? m_batches.back().table : str_arg(call, index, keyword);
  }

  std::string schema_arg(const Expr& call, bool batch) const {
    if (batch) {
      return m_batches.back().schema;
    }
    return opt_str_kw(call, "schema").value_or("");
  }

  // "ALTER TABLE t ADD [CONSTRAINT name] " for the create_*_constraint operations.
  std::string add_constraint(const Expr& c, bool batch, std::string_view kind,
                             const std::vector<std::string>& columns = {}) const {
    const std::string table = table_arg(c, batch, 1, "table_name");
    return "ALTER TABLE " + qualified(schema_arg(c, batch), table) + " ADD " +
           named(convention_name(kind, arg(c, 0, "constraint_name"), table, columns));
  }

  void call(const Expr& c) {
    const std::string q = qualified_name(*c.target);
    const bool batch = q.rfind("batch.", 0) == 0;
    const size_t shift = batch ? 1 : 0; // batch_op methods take no table argument
    const auto dot = q.rfind('.');
    const std::string op = dot == std::string::npos ? q : q.substr(dot + 1);
    if (!(q.rfind("alembic.op.", 0) == 0 || q.rfind("op.", 0) == 0 || batch)) {
      if (ends_with(q, ".execute") || q == "execute") {
        throw Unanalyzable{c.span, "SQL run through a connection (`" + c.target->dotted() +
                                       "`) is not analysed: a data migration's statements "
                                       "depend on data"};
      }
      throw Unanalyzable{
          c.span, "`" +
                      (c.target->dotted().empty() ? std::string("this call") : c.target->dotted()) +
                      "` is not an Alembic operation miglint understands"};
    }
    const python::Span at = c.span;
    if (op == "create_table") {
      create_table(c);
    } else if (op == "drop_table") {
      emit("DROP TABLE " + qualified(schema_arg(c, false), str_arg(c, 0, "table_name")), at);
    } else if (op == "add_column") {
      add_column(c, table_arg(c, batch, 0, "table_name"), schema_arg(c, batch), 1 - shift);
    } else if (op == "drop_column") {
      emit("ALTER TABLE " + qualified(schema_arg(c, batch), table_arg(c, batch, 0, "table_name")) +
               " DROP COLUMN " + ident(str_arg(c, 1 - shift, "column_name")),
           at);
    } else if (op == "alter_column") {
      alter_column(c, table_arg(c, batch, 0, "table_name"), schema_arg(c, batch),
                   str_arg(c, 1 - shift, "column_name"));
    } else if (op == "create_index") {
      create_index(c, batch, shift);
    } else if (op == "drop_index") {
      const bool concurrently = bool_value(kw(c, "postgresql_concurrently")).value_or(false);
      const bool if_exists = bool_value(kw(c, "if_exists")).value_or(false);
      emit(std::string("DROP INDEX ") + (concurrently ? "CONCURRENTLY " : "") +
               (if_exists ? "IF EXISTS " : "") +
               qualified(schema_arg(c, batch), str_arg(c, 0, "index_name")),
           at);
    } else if (op == "create_unique_constraint") {
      const auto cols = string_list(arg(c, 2 - shift, "columns"));
      emit(add_constraint(c, batch, "uq", cols) + "UNIQUE " + columns_sql(cols), at);
    } else if (op == "create_primary_key") {
      const auto cols = string_list(arg(c, 2 - shift, "columns"));
      emit(add_constraint(c, batch, "pk", cols) + "PRIMARY KEY " + columns_sql(cols), at);
    } else if (op == "create_check_constraint") {
      emit(add_constraint(c, batch, "ck") + "CHECK (" +
               sql_text(arg(c, 2 - shift, "condition"), at) + ")",
           at);
    } else if (op == "create_foreign_key") {
      create_foreign_key(c, batch, shift);
    } else if (op == "create_exclude_constraint" || op == "create_exclusion_constraint") {
      create_exclude_constraint(c, batch, shift);
    } else if (op == "drop_constraint") {
      const ExprPtr name = arg(c, 0, "constraint_name");
      if ((!name || name->kind == ExprKind::None) && m_probing > 0) {
        return;
      }
      if (!name || name->kind == ExprKind::None) {
        core::Finding f = finding_at(
            m_rev.file, at, "drop-constraint-without-name",
            "op.drop_constraint() with no name cannot run: Alembic raises before any SQL is sent");
        f.migration = m_rev.id;
        f.phase = m_phase;
        m_findings.push_back(std::move(f));
        return;
      }
      const std::string table = table_arg(c, batch, 1, "table_name");
      const std::string type = opt_str_kw(c, "type_").value_or("");
      const std::string kind = type == "unique"       ? "uq"
                               : type == "foreignkey" ? "fk"
                               : type == "primary"    ? "pk"
                               : type == "check"      ? "ck"
                                                      : "";
      const std::string dropped =
          kind.empty()
              ? str_arg(c, 0, "constraint_name")
              : convention_name(kind, name, table, {}).value_or(str_arg(c, 0, "constraint_name"));
      emit("ALTER TABLE " + qualified(schema_arg(c, batch), table) + " DROP CONSTRAINT " +
               ident(dropped),
           at);
    } else if (op == "rename_table") {
      emit("ALTER TABLE " + qualified(schema_arg(c, false), str_arg(c, 0, "old_table_name")) +
               " RENAME TO " + ident(str_arg(c, 1, "new_table_name")),
           at);
    } else if (op == "create_table_comment" || op == "drop_table_comment") {
      const std::string table =
          qualified(schema_arg(c, batch), table_arg(c, batch, 0, "table_name"));
      const std::string value =
          op == "drop_table_comment" ? "NULL" : literal(str_arg(c, 1 - shift, "comment"));
      emit("COMMENT ON TABLE " + table + " IS " + value, at);
    } else if (op == "execute") {
      execute(c);
    } else if (op == "sync_enum_values") {
      sync_enum_values(c);
    } else if (op == "bulk_insert") {
      bulk_insert(c);
    } else if (op == "f" || op == "get_context" || op == "get_bind" || op == "inline_literal") {
      // Values, not operations.
    } else {
      throw Unanalyzable{at, "`" + c.target->dotted() + "` is not an operation miglint knows"};
    }
  }

  void create_table(const Expr& c) {
    const python::Span at = c.span;
    const std::string table = str_arg(c, 0, "table_name");
    const std::string schema = opt_str_kw(c, "schema").value_or("");
    const std::string target = qualified(schema, table);
    std::vector<ColumnSql> cols;
    std::vector<std::string> explicit_constraints;
    std::vector<std::string> pk;
    ExprPtr pk_name;
    std::vector<std::string> table_indexes;
    std::set<std::string> fk_columns; // in a table-level ForeignKeyConstraint
    for (size_t i = 1; i < c.items.size(); ++i) {
      const ExprPtr item = c.items[i];
      if (item->kind != ExprKind::Call) {
        throw Unanalyzable{item->span, "this create_table argument is not one miglint knows"};
      }
      const std::string n = sa_name(*item->target);
      if (n == "Column") {
        cols.push_back(column_of(item));
      } else if (n == "Index") {
        const std::string name = str_arg(*item, 0, "name");
        std::vector<std::string> exprs;
        for (size_t k = 1; k < item->items.size(); ++k) {
          const auto part = index_columns(item->items[k]);
          exprs.insert(exprs.end(), part.begin(), part.end());
        }
        const bool unique = bool_value(kw(*item, "unique")).value_or(false);
        table_indexes.push_back(std::string("CREATE ") + (unique ? "UNIQUE " : "") + "INDEX " +
                                ident(name) + " ON " + target + " (" + join(exprs) + ")");
      } else {
        if (n == "ForeignKeyConstraint") { // its columns are not autoincrement (SQLAlchemy)
          for (const auto& col : string_list(arg(*item, 0, "columns"))) {
            fk_columns.insert(col);
          }
        }
        std::string sql = table_constraint(*item, pk, pk_name, table);
        if (!sql.empty()) {
          explicit_constraints.push_back(sql);
        }
      }
    }
    std::vector<std::string> pk_cols = pk;
    if (pk_cols.empty()) {
      for (const auto& col : cols) {
        if (col.primary_key) {
          pk_cols.push_back(col.name);
        }
      }
    }
    // Enum types first, once each per migration context: SQLAlchemy's ENUM notes the types it
    // created in the DDL runner's memo (Alembic's impl, one per run), and skips those on the next
    // create_table. An explicit .create(bind) does not note it.
    for (const auto& col : cols) {
      if (col.type.enum_type && col.type.enum_type->create &&
          m_enum_memo.insert(col.type.enum_type->schema + "." + col.type.enum_type->name).second) {
        create_enum(*col.type.enum_type, at);
      }
    }
    std::vector<std::string> body;
    for (auto& col : cols) {
      if (std::find(pk_cols.begin(), pk_cols.end(), col.name) != pk_cols.end()) {
        col.primary_key = true;
      }
      const bool serial = pk_cols.size() == 1 && pk_cols[0] == col.name &&
                          !col.type.integer.empty() && col.autoincrement.value_or(true) &&
                          !col.server_default && col.identity.empty() && col.foreign_keys.empty() &&
                          !fk_columns.contains(col.name);
      body.push_back(col.spec(serial));
    }
    if (!pk_cols.empty()) {
      body.push_back(named(convention_name("pk", pk_name, table, pk_cols)) + "PRIMARY KEY " +
                     columns_sql(pk_cols));
    }
    body.insert(body.end(), explicit_constraints.begin(), explicit_constraints.end());
    // Column by column, in the order SQLAlchemy creates them when the column joins the table:
    // its unique=True constraint, then the constraint of its ForeignKey (made after the attach).
    for (auto& col : cols) {
      if (col.unique && !col.index) {
        body.push_back(named(convention_name("uq", nullptr, table, {col.name})) + "UNIQUE (" +
                       ident(col.name) + ")");
      }
      for (auto& fk : col.foreign_keys) {
        fk.name = convention_name("fk", fk.name_expr, table, fk.columns, fk.ref_table).value_or("");
        if (!fk.use_alter) {
          body.push_back(fk.clause());
        }
      }
    }
    emit("CREATE TABLE " + target + " (\n    " + join(body, ", \n    ") + "\n)", at);
    for (const auto& sql : table_indexes) {
      emit(sql, at);
    }
    for (const auto& col : cols) {
      if (col.index) {
        emit(std::string("CREATE ") + (col.unique ? "UNIQUE " : "") + "INDEX " +
                 ident(index_name(schema, table, col.name)) + " ON " + target + " (" +
                 ident(col.name) + ")",
             at);
      }
    }
    if (auto comment = opt_str_kw(c, "comment")) {
      emit("COMMENT ON TABLE " + target + " IS " + literal(*comment), at);
    }
    for (const auto& col : cols) {
      if (col.comment) {
        emit("COMMENT ON COLUMN " + target + "." + ident(col.name) + " IS " + literal(*col.comment),
             at);
      }
    }
    m_tables[table] = TableRef{schema, table, column_names(cols)};
  }

  static std::vector<std::string> column_names(const std::vector<ColumnSql>& cols) {
    std::vector<std::string> names;
    for (const auto& c : cols) {
      names.push_back(c.name);
    }
    return names;
  }

  void add_column(const Expr& c, const std::string& table, const std::string& schema,
                  size_t column_index) {
    const python::Span at = c.span;
    const ExprPtr col_expr = arg(c, column_index, "column");
    if (!col_expr) {
      throw Unanalyzable{at, "add_column without a column"};
    }
    ColumnSql col = column_of(col_expr);
    const std::string target = qualified(schema, table);
    const bool serial = col.primary_key && !col.type.integer.empty() &&
                        col.autoincrement.value_or(true) && !col.server_default &&
                        col.identity.empty() && col.foreign_keys.empty();
    emit("ALTER TABLE " + target + " ADD COLUMN " + col.spec(serial), at);
    for (auto& fk : col.foreign_keys) {
      fk.name = convention_name("fk", fk.name_expr, table, fk.columns, fk.ref_table).value_or("");
      emit("ALTER TABLE " + target + " ADD " + fk.clause(), at);
    }
    if (col.unique && !col.index) {
      emit("ALTER TABLE " + target + " ADD " +
               named(convention_name("uq", nullptr, table, {col.name})) + "UNIQUE (" +
               ident(col.name) + ")",
           at);
    }
    if (col.index) {
      emit(std::string("CREATE ") + (col.unique ? "UNIQUE " : "") + "INDEX " +
               ident(index_name(schema, table, col.name)) + " ON " + target + " (" +
               ident(col.name) + ")",
           at);
    }
    if (col.comment) {
      emit("COMMENT ON COLUMN " + target + "." + ident(col.name) + " IS " + literal(*col.comment),
           at);
    }
  }

  void alter_column(const Expr& c, const std::string& table, const std::string& schema,
                    const std::string& column) {
    const python::Span at = c.span;
    const std::string prefix = "ALTER TABLE " + qualified(schema, table) + " ";
    const std::string col = ident(column);
    if (const ExprPtr t = kw(c, "type_"); t && t->kind != ExprKind::None) {
      std::string sql = prefix + "ALTER COLUMN " + col + " TYPE " + type_of(t).sql;
      if (const ExprPtr using_ = kw(c, "postgresql_using");
          using_ && using_->kind != ExprKind::None) {
        sql += " USING " + sql_text(using_, at);
      }
      emit(sql, at);
    }
    if (const ExprPtr n = kw(c, "nullable"); n && n->kind != ExprKind::None) {
      emit(prefix + "ALTER COLUMN " + col + (*bool_value(n) ? " DROP NOT NULL" : " SET NOT NULL"),
           at);
    }
    if (const ExprPtr d = kw(c, "server_default"); d && d->kind != ExprKind::False) {
      if (d->kind == ExprKind::None) {
        emit(prefix + "ALTER COLUMN " + col + " DROP DEFAULT", at);
      } else {
        emit(prefix + "ALTER COLUMN " + col + " SET DEFAULT " + default_sql(d), at);
      }
    }
    if (const ExprPtr cm = kw(c, "comment"); cm && cm->kind != ExprKind::False) {
      emit("COMMENT ON COLUMN " + qualified(schema, table) + "." + col + " IS " +
               (cm->kind == ExprKind::None ? std::string("NULL") : literal(sql_text(cm, at))),
           at);
    }
    if (auto name = opt_str_kw(c, "new_column_name")) {
      emit(prefix + "RENAME " + col + " TO " + ident(*name), at);
    }
  }

  void create_index(const Expr& c, bool batch, size_t shift) {
    const python::Span at = c.span;
    const std::string name = str_arg(c, 0, "index_name");
    const std::string table = table_arg(c, batch, 1, "table_name");
    auto cols = index_columns(arg(c, 2 - shift, "columns"));
    // postgresql_ops={"column": "opclass"}: the operator class after the column it names.
    if (const ExprPtr ops = kw(c, "postgresql_ops"); ops && ops->kind == ExprKind::Dict) {
      for (size_t k = 0; k + 1 < ops->items.size(); k += 2) {
        const auto column = ops->items[k] ? string_value(ops->items[k]) : std::nullopt;
        const auto opclass = string_value(ops->items[k + 1]);
        for (auto& col : cols) {
          if (column && opclass && col == ident(*column)) {
            col += " " + *opclass;
          }
        }
      }
    }
    const bool unique = bool_value(kw(c, "unique")).value_or(false);
    const bool concurrently = bool_value(kw(c, "postgresql_concurrently")).value_or(false);
    const bool if_not_exists = bool_value(kw(c, "if_not_exists")).value_or(false);
    std::string sql = std::string("CREATE ") + (unique ? "UNIQUE " : "") + "INDEX " +
                      (concurrently ? "CONCURRENTLY " : "") +
                      (if_not_exists ? "IF NOT EXISTS " : "") + ident(name) + " ON " +
                      qualified(schema_arg(c, batch), table);
    if (auto using_ = opt_str_kw(c, "postgresql_using")) {
      sql += " USING " + *using_;
    }
    sql += " (" + join(cols) + ")";
    if (const ExprPtr inc = kw(c, "postgresql_include")) {
      sql += " INCLUDE " + columns_sql(string_list(inc));
    }
    if (const ExprPtr where = kw(c, "postgresql_where"); where && where->kind != ExprKind::None) {
      sql += " WHERE " + sql_text(where, at);
    }
    emit(sql, at);
  }

  void create_foreign_key(const Expr& c, bool batch, size_t shift) {
    ForeignKeySql fk;
    fk.name = string_value(arg(c, 0, "constraint_name")).value_or("");
    const std::string source = table_arg(c, batch, 1, "source_table");
    fk.ref_table = str_arg(c, 2 - shift, "referent_table");
    fk.columns = string_list(arg(c, 3 - shift, "local_cols"));
    fk.ref_columns = string_list(arg(c, 4 - shift, "remote_cols"));
    fk.ref_schema = opt_str_kw(c, "referent_schema").value_or("");
    fill_fk_options(c, fk);
    fk.name = convention_name("fk", arg(c, 0, "constraint_name"), source, fk.columns, fk.ref_table)
                  .value_or("");
    const std::string schema =
        batch ? m_batches.back().schema : opt_str_kw(c, "source_schema").value_or("");
    emit("ALTER TABLE " + qualified(schema, source) + " ADD " + fk.clause(), c.span);
  }

  void create_exclude_constraint(const Expr& c, bool batch, size_t shift) {
    const std::string name = str_arg(c, 0, "constraint_name");
    const std::string table = table_arg(c, batch, 1, "table_name");
    std::vector<std::string> elements;
    for (size_t i = 2 - shift; i < c.items.size(); ++i) {
      const ExprPtr e = c.items[i];
      if (e->kind != ExprKind::Tuple || e->items.size() != 2) {
        throw Unanalyzable{e->span, "exclusion elements must be (column, operator) tuples"};
      }
      auto column = string_value(e->items[0]);
      auto op = string_value(e->items[1]);
      if (!column || !op) {
        throw Unanalyzable{e->span, "exclusion elements must be (column, operator) tuples"};
      }
      elements.push_back(ident(*column) + " WITH " + *op);
    }
    std::string sql = "ALTER TABLE " + qualified(schema_arg(c, batch), table) + " ADD CONSTRAINT " +
                      ident(name) + " EXCLUDE USING " + opt_str_kw(c, "using").value_or("gist") +
                      " (" + join(elements) + ")";
    if (const ExprPtr where = kw(c, "where"); where && where->kind != ExprKind::None) {
      sql += " WHERE (" + sql_text(where, c.span) + ")";
    }
    emit(sql, c.span);
  }

  void execute(const Expr& c) {
    ExprPtr sql = arg(c, 0, "sqltext");
    if (sql && sql->kind == ExprKind::Call && sa_name(*sql->target) == "text" &&
        !sql->items.empty()) {
      sql = sql->items[0];
    }
    if (!sql || sql->kind != ExprKind::Str) {
      throw Unanalyzable{c.span, sql && sql->kind == ExprKind::FString
                                     ? "SQL built with an f-string is not analysed: its text is "
                                       "only known when it runs"
                                     : "this op.execute() argument is not a SQL string miglint "
                                       "can read"};
    }
    emit_literal(*sql, c.span);
  }

  // alembic-postgresql-enum's op.sync_enum_values(schema, name, values, affected_columns):
  // the type is renamed to <name>_old, created anew with the values, every affected column is
  // converted to it (ALTER COLUMN ... TYPE ... USING col::text::type, a table rewrite under
  // ACCESS EXCLUSIVE) and the old type dropped — with the package's own comparison operators
  // and default handling around it (checked against its 1.8.0 source, online).
  void sync_enum_values(const Expr& c) {
    const python::Span at = c.span;
    const std::string schema = string_value(arg(c, 0, "enum_schema")).value_or("");
    const std::string name = str_arg(c, 1, "enum_name");
    const auto values = string_list(arg(c, 2, "new_values"));
    const ExprPtr affected = arg(c, 3, "affected_columns");
    struct Column {
      std::string schema, table, column;
    };
    std::vector<Column> columns;
    if (affected && (affected->kind == ExprKind::List || affected->kind == ExprKind::Tuple)) {
      for (const auto& raw : affected->items) {
        const ExprPtr item = raw;
        Column col;
        if (item->kind == ExprKind::Tuple && item->items.size() >= 2) { // (table, column)
          col.table = string_value(item->items[0]).value_or("");
          col.column = string_value(item->items[1]).value_or("");
        } else if (item->kind == ExprKind::Call) { // TableReference(table_schema=..., ...)
          col.schema = opt_str_kw(*item, "table_schema").value_or("");
          col.table = str_arg(*item, 0, "table_name");
          col.column = str_arg(*item, 1, "column_name");
        }
        if (col.table.empty() || col.column.empty()) {
          throw Unanalyzable{item->span, "an affected column of sync_enum_values miglint cannot "
                                         "read"};
        }
        columns.push_back(col);
      }
    } else if (affected) {
      throw Unanalyzable{affected->span, "`affected_columns` is not a list miglint can read"};
    }
    const ExprPtr renames = arg(c, 4, "enum_values_to_rename");
    std::vector<std::pair<std::string, std::string>> renamed; // (old label, new label)
    bool unreadable_renames = false;
    if (renames && (renames->kind == ExprKind::List || renames->kind == ExprKind::Tuple)) {
      for (const auto& item : renames->items) {
        const auto from = item->items.size() == 2 ? string_value(item->items[0]) : std::nullopt;
        const auto to = item->items.size() == 2 ? string_value(item->items[1]) : std::nullopt;
        if (!from || !to) {
          unreadable_renames = true;
          break;
        }
        renamed.emplace_back(*from, *to);
      }
    } else if (renames && renames->kind != ExprKind::None) {
      unreadable_renames = true;
    }
    std::vector<std::string> labels;
    for (const auto& v : values) {
      labels.push_back(literal(v));
    }
    if (unreadable_renames || schema.empty()) {
      // Renames miglint cannot read, or no schema: the type swap only.
      const std::string type = qualified(schema == "public" ? "" : schema, name);
      emit("ALTER TYPE " + type + " RENAME TO " + ident(name + "_old"), at);
      emit("CREATE TYPE " + type + " AS ENUM (" + join(labels) + ")", at);
      for (const auto& col : columns) {
        emit("ALTER TABLE " + qualified(col.schema == "public" ? "" : col.schema, col.table) +
                 " ALTER COLUMN " + ident(col.column) + " TYPE " + type + " USING " +
                 ident(col.column) + "::text::" + type,
             at);
      }
      emit("DROP TYPE " + qualified(schema == "public" ? "" : schema, name + "_old"), at);
      return;
    }
    // The statements alembic-postgresql-enum sends (its sql_commands: enum_type.py,
    // comparison_operators.py, column_default.py): names double-quoted and schema-qualified,
    // = and != between the new and the old type while the columns change (so that indexes and
    // constraints comparing them keep working), each column's default dropped and set again on
    // the new type (its text as PostgreSQL prints it, read from the history).
    auto quoted = [](const std::string& n) {
      std::string out = "\"";
      for (const char ch : n) {
        out += ch;
        if (ch == '"') {
          out += ch;
        }
      }
      return out + "\"";
    };
    const std::string type = quoted(schema) + "." + quoted(name);
    const std::string old_type = quoted(schema) + "." + quoted(name + "_old");
    static const std::pair<const char*, const char*> k_operators[] = {{"!=", "new_old_not_equals"},
                                                                      {"=", "new_old_equals"}};
    emit("ALTER TYPE " + type + " RENAME TO " + name + "_old", at);
    emit("CREATE TYPE " + type + " AS ENUM(" + join(labels) + ")", at);
    // The old value as the new type names it: old_enum_val::text, or a CASE over the renames.
    std::string old_value = "old_enum_val::text";
    if (!renamed.empty()) {
      old_value = "CASE";
      for (const auto& [from, to] : renamed) {
        old_value += " WHEN old_enum_val::text = '" + from + "' THEN '" + to + "'";
      }
      old_value += " ELSE old_enum_val::text END";
    }
    for (const auto& [op, fn] : k_operators) {
      emit(std::string("CREATE FUNCTION ") + fn + "(new_enum_val " + type + ", old_enum_val " +
               old_type + ") RETURNS boolean AS $$ SELECT new_enum_val::text " + op + " " +
               old_value + "; $$ LANGUAGE SQL IMMUTABLE",
           at);
      emit(std::string("CREATE OPERATOR ") + op + " (leftarg = " + type +
               ", rightarg = " + old_type + ", procedure = " + fn + ")",
           at);
    }
    m_asked_schema = true; // the package asks information_schema for each column's default
    const SchemaFacts* facts = live_facts();
    for (const auto& col : columns) {
      const std::string table =
          quoted(col.schema.empty() ? schema : col.schema) + "." + quoted(col.table);
      std::optional<std::string> old_default;
      bool array = false;
      if (facts != nullptr) {
        const auto t =
            facts->tables.find(facts_key(col.schema.empty() ? schema : col.schema, col.table));
        for (const auto& fc :
             t == facts->tables.end() ? std::vector<ColumnFacts>{} : t->second.columns) {
          if (fc.name == col.column && fc.default_sql && *fc.default_sql != "DEFAULT") {
            old_default = fc.default_sql;
          }
          if (fc.name == col.column && fc.type.size() > 2 &&
              fc.type.compare(fc.type.size() - 2, 2, "[]") == 0) {
            array = true;
          }
        }
      }
      if (old_default) {
        emit("ALTER TABLE " + table + " ALTER COLUMN " + quoted(col.column) + " DROP DEFAULT", at);
      }
      const std::string column = quoted(col.column);
      if (array) { // each renamed label replaced in the text array
        std::string cast = column + "::text[]";
        for (const auto& [from, to] : renamed) {
          cast = "array_replace(" + cast + ", '" + from + "', '" + to + "')";
        }
        emit("ALTER TABLE " + table + " ALTER COLUMN " + column + " TYPE " + type + "[] USING " +
                 cast + "::" + type + "[]",
             at);
      } else if (!renamed.empty()) {
        std::string cases = "CASE";
        for (const auto& [from, to] : renamed) {
          cases += " WHEN " + column + "::text = '" + from + "' THEN '" + to + "'::" + type;
        }
        emit("ALTER TABLE " + table + " ALTER COLUMN " + column + " TYPE " + type + " USING " +
                 cases + " ELSE " + column + "::text::" + type + " END",
             at);
      } else {
        emit("ALTER TABLE " + table + " ALTER COLUMN " + column + " TYPE " + type + " USING " +
                 column + "::text::" + type,
             at);
      }
      if (old_default) {
        // rename_default_if_required: the old type's name after `::` becomes schema.name (an
        // array's keeps its []), renamed labels replaced in the quoted text.
        std::string value = old_default->substr(0, old_default->find("::"));
        for (const auto& [from, to] : renamed) {
          for (size_t at_label = 0;
               (at_label = value.find("'" + from + "'", at_label)) != std::string::npos;) {
            value.replace(at_label, from.size() + 2, "'" + to + "'");
            at_label += to.size() + 2;
          }
        }
        const bool array_default =
            old_default->size() > 2 && old_default->compare(old_default->size() - 2, 2, "[]") == 0;
        emit("ALTER TABLE " + table + " ALTER COLUMN " + column + " SET DEFAULT " + value +
                 "::" + schema + "." + name + (array_default ? "[]" : ""),
             at);
      }
    }
    for (const auto& [op, fn] : k_operators) {
      emit(std::string("DROP FUNCTION ") + fn + "(new_enum_val " + type + ", old_enum_val " +
               old_type + ") CASCADE",
           at);
    }
    emit("DROP TYPE " + old_type, at);
  }

  // op.bulk_insert(table, rows): one INSERT per row, as Alembic renders it offline.
  void bulk_insert(const Expr& c) {
    const ExprPtr table_expr = arg(c, 0, "table");
    const ExprPtr rows = arg(c, 1, "rows");
    TableRef table = table_of(table_expr);
    if (!rows || rows->kind != ExprKind::List) {
      throw Unanalyzable{rows ? rows->span : c.span, "bulk_insert rows are not a literal list"};
    }
    for (const auto& raw : rows->items) {
      const ExprPtr row = raw;
      if (row->kind != ExprKind::Dict) {
        throw Unanalyzable{row->span, "bulk_insert rows must be dict literals"};
      }
      std::map<std::string, std::string> values;
      for (size_t i = 0; i + 1 < row->items.size(); i += 2) {
        auto key = row->items[i] ? string_value(row->items[i]) : std::nullopt;
        if (!key) {
          throw Unanalyzable{row->span, "bulk_insert row keys must be strings"};
        }
        values[*key] = value_sql(row->items[i + 1]);
      }
      std::vector<std::string> cols;
      std::vector<std::string> vals;
      for (const auto& col : table.columns) {
        if (auto it = values.find(col); it != values.end()) {
          cols.push_back(ident(col));
          vals.push_back(it->second);
        }
      }
      emit("INSERT INTO " + qualified(table.schema, table.name) + " (" + join(cols) + ") VALUES (" +
               join(vals) + ")",
           c.span);
    }
  }

  TableRef table_of(const ExprPtr& e) const {
    if (e && e->kind == ExprKind::Call) {
      const std::string n = sa_name(*e->target);
      if (n == "table" || n == "Table") {
        TableRef t;
        t.name = str_arg(*e, 0, "name");
        t.schema = opt_str_kw(*e, "schema").value_or("");
        for (size_t i = 1; i < e->items.size(); ++i) {
          const ExprPtr col = e->items[i];
          if (col->kind == ExprKind::Call && !col->items.empty()) {
            if (auto name = string_value(col->items[0])) {
              t.columns.push_back(*name);
            }
          }
        }
        return t;
      }
      if (is_op_call(*e) && ends_with(qualified_name(*e->target), "create_table")) {
        if (auto name = string_value(arg(*e, 0, "table_name")); name && m_tables.contains(*name)) {
          return m_tables.at(*name);
        }
      }
    }
    throw Unanalyzable{e ? e->span : python::Span{},
                       "bulk_insert table is not one miglint can read"};
  }

  const Revision& m_rev;
  core::Phase m_phase;
  const SchemaFacts* m_schema = nullptr;
  const NamingConvention* m_naming = nullptr; // env.py's target MetaData, when literal
  SchemaFacts m_live; // m_schema plus the SQL emitted so far, learnt up to m_learned
  size_t m_learned = 0;
  std::map<std::string, ValuePtr> m_inspector_cache;
  // Table objects by their "table_id" (constraints name the table they are attached to).
  std::map<std::string, std::weak_ptr<Value>> m_table_objects;
  size_t m_table_count = 0;
  size_t m_schema_changes = 0; // DDL statements run so far (probed code included)
  int m_probing = 0;
  mutable int m_type_depth = 0;               // project types defined by other project types
  mutable std::set<std::string> m_enum_types; // native enum types the code declares (keys)
  std::set<std::string> m_enum_memo; // "schema.name" of the enum types create_table created
  int m_inspectors = 0;
  bool m_running = false;
  bool m_asked_schema = false;
  mutable std::set<std::pair<uint32_t, std::string>> m_reported;
  std::string m_sql;
  std::vector<source::OriginSegment> m_segments;
  mutable std::vector<core::Finding> m_findings;
  std::map<std::string, TableRef> m_tables;
  std::vector<Batch> m_batches;
  size_t m_batch_count = 0;
  std::vector<const python::Comment*> m_directives;
  size_t m_next_directive = 0;
  bool m_pending_statement = false;
  std::string m_body_note;
};

} // namespace

Translation translate(const Revision& revision, core::Phase phase, const SchemaFacts* schema,
                      const NamingConvention* naming) {
  return Translator(revision, phase, schema, naming).run();
}

} // namespace miglint::alembic
