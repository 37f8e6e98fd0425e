#include "alembic/translate.hpp"

#include <algorithm>
#include <map>
#include <set>

namespace miglint::alembic {
namespace {

using python::Expr;
using python::ExprKind;
using python::ExprPtr;
using python::Stmt;
using python::StmtKind;

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
  std::vector<std::string> columns;
  std::string ref_schema;
  std::string ref_table;
  std::vector<std::string> ref_columns;
  std::string ondelete, onupdate, match, initially;
  std::optional<bool> deferrable;
  bool not_valid = false;

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

class Translator {
public:
  Translator(const Revision& rev, core::Phase phase) : m_rev(rev), m_phase(phase) {
    // Module-level constants (`TABLE = "users"`) are visible inside the functions.
    for (const auto& s : rev.module.body) {
      if ((s.kind == StmtKind::Assign || s.kind == StmtKind::AnnAssign) && s.value &&
          s.targets.size() == 1 && s.targets[0]->kind == ExprKind::Name) {
        m_locals[s.targets[0]->text] = s.value;
      }
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
    body(fn->body);
    if (m_body_note.empty() && m_segments.empty()) {
      m_body_note = "is `pass`";
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
    out.script = std::move(script);
    out.findings = std::move(m_findings);
    return out;
  }

private:
  static std::string_view trim(std::string_view s) {
    const auto b = s.find_first_not_of(" \t");
    return b == std::string_view::npos ? std::string_view() : s.substr(b);
  }

  // --- output ------------------------------------------------------------------------------------

  void emit(const std::string& sql, python::Span origin) {
    const auto begin = static_cast<uint32_t>(m_sql.size());
    m_sql += sql;
    m_segments.push_back(
        {begin, static_cast<uint32_t>(m_sql.size()), origin.begin, origin.end, false});
    m_sql += ";";
    m_pending_statement = true;
  }

  // SQL written in the revision (op.execute): copied with a byte map into the literal.
  void emit_literal(const Expr& str, python::Span call) {
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

  // `# miglint:` comments before a statement, then the statement, then a trailing one.
  template <typename Fn>
  void with_directives(const Stmt& s, Fn&& fn) {
    while (m_next_directive < m_directives.size() &&
           m_directives[m_next_directive]->span.begin < s.span.begin) {
      const auto* c = m_directives[m_next_directive++];
      if (trim(c->text).substr(8).find("ignore-file") == std::string_view::npos) {
        emit_comment(*c, false);
      }
    }
    end_line();
    fn();
    const std::string& text = m_rev.file->text();
    if (m_next_directive < m_directives.size()) {
      const auto* c = m_directives[m_next_directive];
      const auto between = std::string_view(text).substr(s.span.end, c->span.begin - s.span.end);
      if (c->span.begin >= s.span.end && between.find_first_of("\r\n") == std::string_view::npos) {
        ++m_next_directive;
        if (m_pending_statement) {
          emit_comment(*c, true);
        }
      }
    }
    end_line();
  }

  void unanalyzable(python::Span span, std::string why) {
    core::Finding f = finding_at(m_rev.file, span, std::string(k_unanalyzable), std::move(why));
    f.migration = m_rev.id;
    f.phase = m_phase;
    m_findings.push_back(std::move(f));
  }

  // --- statements --------------------------------------------------------------------------------

  void body(const std::vector<Stmt>& stmts) {
    for (const auto& s : stmts) {
      if (m_stopped) {
        return;
      }
      try {
        statement(s);
      } catch (const Unanalyzable& u) {
        unanalyzable(u.span, u.why);
      }
    }
  }

  void statement(const Stmt& s) {
    switch (s.kind) {
    case StmtKind::Pass:
      return;
    case StmtKind::Expr:
      if (s.value->kind == ExprKind::Str) {
        return; // docstring
      }
      if (s.value->kind == ExprKind::Call) {
        with_directives(s, [&] { call(*s.value); });
        return;
      }
      throw Unanalyzable{s.span, "this expression is not an Alembic operation"};
    case StmtKind::Assign:
    case StmtKind::AnnAssign:
      assign(s);
      return;
    case StmtKind::If:
      if_stmt(s);
      return;
    case StmtKind::With:
      with_stmt(s);
      return;
    case StmtKind::Raise: {
      std::string what = "raises";
      if (s.value) {
        const Expr& e = s.value->kind == ExprKind::Call ? *s.value->target : *s.value;
        if (!e.dotted().empty()) {
          what += " " + e.dotted();
        }
      }
      m_body_note = what;
      m_stopped = true;
      return;
    }
    case StmtKind::Return:
      m_stopped = true;
      return;
    case StmtKind::Import:
    case StmtKind::ImportFrom:
      return; // imports inside the function are rare; their names resolve by their last part
    default:
      throw Unanalyzable{
          s.span, (s.keyword.empty() ? std::string("this statement") : "`" + s.keyword + "`") +
                      " is not analysed: miglint reads revision code without "
                      "running it, so the SQL it runs here is not known"};
    }
  }

  void assign(const Stmt& s) {
    if (s.targets.size() != 1 || s.targets[0]->kind != ExprKind::Name || !s.value) {
      throw Unanalyzable{s.span, "only simple assignments to one name are analysed"};
    }
    const std::string& name = s.targets[0]->text;
    // `t = op.create_table(...)` runs the operation and binds the table.
    if (s.value->kind == ExprKind::Call && is_op_call(*s.value)) {
      with_directives(s, [&] { call(*s.value); });
    }
    m_locals[name] = s.value;
  }

  void if_stmt(const Stmt& s) {
    const std::optional<bool> decided = dialect_test(*s.test);
    if (decided) {
      body(*decided ? s.body : s.orelse);
      return;
    }
    unanalyzable(s.span, "this condition cannot be decided statically: both branches are "
                         "analysed");
    body(s.body);
    body(s.orelse);
  }

  // `dialect.name == "postgresql"` and friends, decided for PostgreSQL.
  std::optional<bool> dialect_test(const Expr& e) {
    if (e.kind == ExprKind::UnaryOp && e.text == "not" && !e.items.empty()) {
      auto inner = dialect_test(*e.items[0]);
      return inner ? std::optional<bool>(!*inner) : std::nullopt;
    }
    if (e.kind != ExprKind::Compare || e.items.size() != 2) {
      return std::nullopt;
    }
    const Expr* name = e.items[0].get();
    const Expr* value = e.items[1].get();
    if (name->kind == ExprKind::Str) {
      std::swap(name, value);
    }
    const std::string chain = name->chain();
    if (chain.size() < 12 || chain.substr(chain.size() - 12) != "dialect.name") {
      return std::nullopt;
    }
    auto is_pg = [](const std::string& v) { return v == "postgresql" || v == "postgres"; };
    if (value->kind == ExprKind::Str && (e.text == "==" || e.text == "!=")) {
      return (e.text == "==") == is_pg(value->text);
    }
    if ((e.text == "in" || e.text == "not in") &&
        (value->kind == ExprKind::Tuple || value->kind == ExprKind::List ||
         value->kind == ExprKind::Set)) {
      bool found = false;
      for (const auto& item : value->items) {
        found |= item->kind == ExprKind::Str && is_pg(item->text);
      }
      return (e.text == "in") == found;
    }
    return std::nullopt;
  }

  void with_stmt(const Stmt& s) {
    if (s.items.size() != 1 || !s.items[0].context || s.items[0].context->kind != ExprKind::Call) {
      throw Unanalyzable{s.span, "this `with` block is not one miglint understands"};
    }
    const Expr& ctx = *s.items[0].context;
    const std::string callee = qualified_name(*ctx.target);
    if (ends_with(ctx.target->chain(), "get_context().autocommit_block")) {
      // Alembic commits, runs the block outside a transaction, and begins again.
      emit("COMMIT", ctx.span);
      end_line();
      body(s.body);
      end_line();
      emit("BEGIN", ctx.span);
      end_line();
      return;
    }
    if (is_op(callee, "batch_alter_table")) {
      Batch batch;
      batch.table = str_arg(ctx, 0, "table_name");
      batch.schema = opt_str_kw(ctx, "schema").value_or("");
      batch.alias = s.items[0].alias;
      m_batches.push_back(batch);
      body(s.body);
      m_batches.pop_back();
      return;
    }
    throw Unanalyzable{s.span, "this `with` block is not one miglint understands"};
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

  ExprPtr resolve(ExprPtr e) const {
    for (int guard = 0; e && e->kind == ExprKind::Name && guard < 16; ++guard) {
      auto it = m_locals.find(e->text);
      if (it == m_locals.end()) {
        break;
      }
      e = it->second;
    }
    return e;
  }

  ExprPtr arg(const Expr& call, size_t index, std::string_view keyword) const {
    for (const auto& k : call.keywords) {
      if (k.name == keyword) {
        return resolve(k.value);
      }
    }
    if (index < call.items.size() && call.items[index]->kind != ExprKind::Starred) {
      return resolve(call.items[index]);
    }
    return nullptr;
  }

  ExprPtr kw(const Expr& call, std::string_view keyword) const {
    for (const auto& k : call.keywords) {
      if (k.name == keyword) {
        return resolve(k.value);
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
         sa_name(*e->target) == "quoted_name")) {
      return e->items.empty() ? std::nullopt : string_value(resolve(e->items[0]));
    }
    return std::nullopt;
  }

  std::string str_arg(const Expr& call, size_t index, std::string_view keyword) const {
    const ExprPtr e = arg(call, index, keyword);
    auto v = string_value(e);
    if (!v) {
      throw Unanalyzable{e ? e->span : call.span,
                         "`" + std::string(keyword) + "` is not a string miglint can read"};
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
      throw Unanalyzable{e->span,
                         "`" + std::string(keyword) + "` is not a string miglint can read"};
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
      auto s = string_value(resolve(item));
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
      const ExprPtr item = resolve(raw);
      if (item->kind == ExprKind::Str) {
        out.push_back(ident(item->text));
      } else if (item->kind == ExprKind::Call && sa_name(*item->target) == "text") {
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
      const std::string q = qualified_name(*e->target);
      const auto func = q.find("func.");
      if (func != std::string::npos) {
        std::vector<std::string> args;
        for (const auto& a : e->items) {
          args.push_back(value_sql(resolve(a)));
        }
        return q.substr(func + 5) + "(" + join(args) + ")";
      }
    }
    throw Unanalyzable{e->span, "this server_default is not one miglint can read"};
  }

  // --- types
  // -----------------------------------------------------------------------------------------

  TypeSql type_of(const ExprPtr& raw) const {
    const ExprPtr e = resolve(raw);
    const bool is_call = e->kind == ExprKind::Call;
    const Expr& callee = is_call ? *e->target : *e;
    const std::string name = sa_name(callee);
    static const Expr empty_call = [] {
      Expr c;
      c.kind = ExprKind::Call;
      return c;
    }();
    const Expr& c = is_call ? *e : empty_call;
    TypeSql t;
    auto length = [&](size_t index, std::string_view key) -> std::string {
      auto v = int_value(arg(c, index, key));
      return v ? "(" + std::to_string(*v) + ")" : "";
    };
    auto with_tz = [&](const std::string& base) {
      const bool tz = bool_value(arg(c, 0, "timezone")).value_or(false);
      auto p = int_value(kw(c, "precision"));
      return base + (p ? "(" + std::to_string(*p) + ")" : "") +
             (tz ? " WITH TIME ZONE" : " WITHOUT TIME ZONE");
    };
    if (name == "Integer" || name == "INTEGER" || name == "INT") {
      t.sql = t.integer = "INTEGER";
    } else if (name == "BigInteger" || name == "BIGINT") {
      t.sql = t.integer = "BIGINT";
    } else if (name == "SmallInteger" || name == "SMALLINT") {
      t.sql = t.integer = "SMALLINT";
    } else if (name == "String" || name == "VARCHAR" || name == "Unicode" || name == "NVARCHAR" ||
               name == "AutoString") {
      t.sql = "VARCHAR" + length(0, "length");
    } else if (name == "Text" || name == "TEXT" || name == "UnicodeText") {
      t.sql = "TEXT";
    } else if (name == "CHAR" || name == "NCHAR") {
      t.sql = "CHAR" + length(0, "length");
    } else if (name == "Boolean" || name == "BOOLEAN") {
      t.sql = "BOOLEAN";
    } else if (name == "DateTime" || name == "TIMESTAMP" || name == "DATETIME") {
      t.sql = with_tz("TIMESTAMP");
    } else if (name == "Time" || name == "TIME") {
      t.sql = with_tz("TIME");
    } else if (name == "Date" || name == "DATE") {
      t.sql = "DATE";
    } else if (name == "Numeric" || name == "NUMERIC" || name == "DECIMAL") {
      auto p = int_value(arg(c, 0, "precision"));
      auto s = int_value(arg(c, 1, "scale"));
      t.sql = (name == "DECIMAL" ? "DECIMAL" : "NUMERIC") +
              (p ? "(" + std::to_string(*p) + (s ? ", " + std::to_string(*s) : "") + ")" : "");
    } else if (name == "Float" || name == "FLOAT") {
      t.sql = "FLOAT" + length(0, "precision");
    } else if (name == "REAL") {
      t.sql = "REAL";
    } else if (name == "DOUBLE_PRECISION" || name == "Double" || name == "DOUBLE") {
      t.sql = "DOUBLE PRECISION";
    } else if (name == "JSON" || name == "JSONB" || name == "UUID" || name == "INET" ||
               name == "CIDR" || name == "MACADDR" || name == "MONEY" || name == "TSVECTOR" ||
               name == "HSTORE" || name == "CITEXT" || name == "OID" || name == "XML" ||
               name == "INTERVAL" || name == "BYTEA" || name == "INT4RANGE" ||
               name == "INT8RANGE" || name == "NUMRANGE" || name == "DATERANGE" ||
               name == "TSRANGE" || name == "TSTZRANGE") {
      t.sql = name;
    } else if (name == "Uuid") {
      t.sql = "UUID";
    } else if (name == "Interval") {
      t.sql = "INTERVAL";
    } else if (name == "LargeBinary" || name == "BLOB" || name == "BINARY") {
      t.sql = "BYTEA";
    } else if (name == "ARRAY") {
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
    } else if (name == "Enum" || name == "ENUM") {
      EnumType en;
      for (const auto& item : c.items) {
        const ExprPtr v = resolve(item);
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
      en.create = bool_value(kw(c, "create_type")).value_or(true) &&
                  bool_value(kw(c, "native_enum")).value_or(true);
      t.sql = qualified(en.schema, en.name);
      t.enum_type = std::move(en);
    } else {
      throw Unanalyzable{
          e->span, "`" + (callee.dotted().empty() ? std::string("this type") : callee.dotted()) +
                       "` is not a column type miglint knows"};
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
    out.ondelete = upper(opt_str_kw(call, "ondelete").value_or(""));
    out.onupdate = upper(opt_str_kw(call, "onupdate").value_or(""));
    out.match = upper(opt_str_kw(call, "match").value_or(""));
    out.initially = upper(opt_str_kw(call, "initially").value_or(""));
    if (const ExprPtr d = kw(call, "deferrable"); d && d->kind != ExprKind::None) {
      out.deferrable = bool_value(d);
    }
    out.not_valid = bool_value(kw(call, "postgresql_not_valid")).value_or(false);
  }

  ColumnSql column_of(const ExprPtr& raw) const {
    const ExprPtr e = resolve(raw);
    if (e->kind != ExprKind::Call || sa_name(*e->target) != "Column") {
      throw Unanalyzable{e->span, "expected sa.Column(...)"};
    }
    ColumnSql col;
    size_t next = 0;
    if (!e->items.empty() && string_value(resolve(e->items[0]))) {
      col.name = *string_value(resolve(e->items[0]));
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
      const ExprPtr item = resolve(e->items[i]);
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
      col.server_default = default_sql(d);
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

  // A table-level constraint object passed to create_table.
  std::string table_constraint(const Expr& c, std::vector<std::string>& pk,
                               std::string& pk_name) const {
    const std::string n = sa_name(*c.target);
    if (n == "PrimaryKeyConstraint") {
      for (const auto& item : c.items) {
        pk.push_back(*string_value(resolve(item)));
      }
      pk_name = opt_str_kw(c, "name").value_or("");
      return {};
    }
    if (n == "UniqueConstraint") {
      std::vector<std::string> cols;
      for (const auto& item : c.items) {
        cols.push_back(*string_value(resolve(item)));
      }
      return named(opt_str_kw(c, "name")) + "UNIQUE " + columns_sql(cols);
    }
    if (n == "CheckConstraint") {
      return named(opt_str_kw(c, "name")) + "CHECK (" + sql_text(arg(c, 0, "sqltext"), c.span) +
             ")";
    }
    if (n == "ForeignKeyConstraint") {
      ForeignKeySql fk;
      fk.columns = string_list(arg(c, 0, "columns"));
      const auto refs = string_list(arg(c, 1, "refcolumns"));
      for (const auto& r : refs) {
        add_reference(fk, r, c.span);
      }
      fill_fk_options(c, fk);
      return fk.clause();
    }
    throw Unanalyzable{c.span, "this table argument is not one miglint knows"};
  }

  std::string index_name(const std::string& schema, const std::string& table,
                         const std::string& column) const {
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

  struct Batch {
    std::string table;
    std::string schema;
    std::string alias;
  };

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
  std::string add_constraint(const Expr& c, bool batch) const {
    return "ALTER TABLE " + qualified(schema_arg(c, batch), table_arg(c, batch, 1, "table_name")) +
           " ADD " + named(string_value(arg(c, 0, "constraint_name")));
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
      emit(add_constraint(c, batch) + "UNIQUE " +
               columns_sql(string_list(arg(c, 2 - shift, "columns"))),
           at);
    } else if (op == "create_primary_key") {
      emit(add_constraint(c, batch) + "PRIMARY KEY " +
               columns_sql(string_list(arg(c, 2 - shift, "columns"))),
           at);
    } else if (op == "create_check_constraint") {
      emit(add_constraint(c, batch) + "CHECK (" + sql_text(arg(c, 2 - shift, "condition"), at) +
               ")",
           at);
    } else if (op == "create_foreign_key") {
      create_foreign_key(c, batch, shift);
    } else if (op == "create_exclude_constraint" || op == "create_exclusion_constraint") {
      create_exclude_constraint(c, batch, shift);
    } else if (op == "drop_constraint") {
      const ExprPtr name = arg(c, 0, "constraint_name");
      if (!name || name->kind == ExprKind::None) {
        core::Finding f = finding_at(
            m_rev.file, at, "drop-constraint-without-name",
            "op.drop_constraint() with no name cannot run: Alembic raises before any SQL is sent");
        f.migration = m_rev.id;
        f.phase = m_phase;
        m_findings.push_back(std::move(f));
        return;
      }
      emit("ALTER TABLE " + qualified(schema_arg(c, batch), table_arg(c, batch, 1, "table_name")) +
               " DROP CONSTRAINT " + ident(str_arg(c, 0, "constraint_name")),
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
    std::string pk_name;
    std::vector<std::string> table_indexes;
    for (size_t i = 1; i < c.items.size(); ++i) {
      const ExprPtr item = resolve(c.items[i]);
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
        std::string sql = table_constraint(*item, pk, pk_name);
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
    // Enum types first, once each.
    std::set<std::string> enums;
    for (const auto& col : cols) {
      if (col.type.enum_type && col.type.enum_type->create &&
          enums.insert(col.type.enum_type->name).second) {
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
                          !col.server_default && col.identity.empty() && col.foreign_keys.empty();
      body.push_back(col.spec(serial));
    }
    if (!pk_cols.empty()) {
      body.push_back(named(pk_name.empty() ? std::nullopt : std::optional(pk_name)) +
                     "PRIMARY KEY " + columns_sql(pk_cols));
    }
    body.insert(body.end(), explicit_constraints.begin(), explicit_constraints.end());
    for (const auto& col : cols) {
      for (const auto& fk : col.foreign_keys) {
        body.push_back(fk.clause());
      }
      if (col.unique && !col.index) {
        body.push_back("UNIQUE (" + ident(col.name) + ")");
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
    for (const auto& fk : col.foreign_keys) {
      emit("ALTER TABLE " + target + " ADD " + fk.clause(), at);
    }
    if (col.unique && !col.index) {
      emit("ALTER TABLE " + target + " ADD UNIQUE (" + ident(col.name) + ")", at);
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
    const auto cols = index_columns(arg(c, 2 - shift, "columns"));
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
    fk.name = string_value(arg(c, 0, "constraint_name")).value_or("");
    const std::string schema =
        batch ? m_batches.back().schema : opt_str_kw(c, "source_schema").value_or("");
    emit("ALTER TABLE " + qualified(schema, source) + " ADD " + fk.clause(), c.span);
  }

  void create_exclude_constraint(const Expr& c, bool batch, size_t shift) {
    const std::string name = str_arg(c, 0, "constraint_name");
    const std::string table = table_arg(c, batch, 1, "table_name");
    std::vector<std::string> elements;
    for (size_t i = 2 - shift; i < c.items.size(); ++i) {
      const ExprPtr e = resolve(c.items[i]);
      if (e->kind != ExprKind::Tuple || e->items.size() != 2) {
        throw Unanalyzable{e->span, "exclusion elements must be (column, operator) tuples"};
      }
      auto column = string_value(resolve(e->items[0]));
      auto op = string_value(resolve(e->items[1]));
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
      sql = resolve(sql->items[0]);
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

  // op.bulk_insert(table, rows): one INSERT per row, as Alembic renders it offline.
  void bulk_insert(const Expr& c) {
    const ExprPtr table_expr = arg(c, 0, "table");
    const ExprPtr rows = arg(c, 1, "rows");
    TableRef table = table_of(table_expr);
    if (!rows || rows->kind != ExprKind::List) {
      throw Unanalyzable{rows ? rows->span : c.span, "bulk_insert rows are not a literal list"};
    }
    for (const auto& raw : rows->items) {
      const ExprPtr row = resolve(raw);
      if (row->kind != ExprKind::Dict) {
        throw Unanalyzable{row->span, "bulk_insert rows must be dict literals"};
      }
      std::map<std::string, std::string> values;
      for (size_t i = 0; i + 1 < row->items.size(); i += 2) {
        auto key = row->items[i] ? string_value(row->items[i]) : std::nullopt;
        if (!key) {
          throw Unanalyzable{row->span, "bulk_insert row keys must be strings"};
        }
        values[*key] = value_sql(resolve(row->items[i + 1]));
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
          const ExprPtr col = resolve(e->items[i]);
          if (col->kind == ExprKind::Call && !col->items.empty()) {
            if (auto name = string_value(resolve(col->items[0]))) {
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
  std::string m_sql;
  std::vector<source::OriginSegment> m_segments;
  std::vector<core::Finding> m_findings;
  std::map<std::string, ExprPtr, std::less<>> m_locals;
  std::map<std::string, TableRef> m_tables;
  std::vector<Batch> m_batches;
  std::vector<const python::Comment*> m_directives;
  size_t m_next_directive = 0;
  bool m_pending_statement = false;
  bool m_stopped = false;
  std::string m_body_note;
};

} // namespace

Translation translate(const Revision& revision, core::Phase phase) {
  return Translator(revision, phase).run();
}

} // namespace miglint::alembic
