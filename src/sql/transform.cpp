#include "sql/transform.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdlib>
#include <optional>
#include <set>
#include <span>
#include <utility>

// PostgreSQL's server headers, for the node structs of the raw parse tree. Only this file sees
// them: they are C, and port.h renames printf and friends to its own replacements, which the
// rest of the program must not get.
#if defined(__clang__)
#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Wignored-attributes" // gnu_printf
#endif
// postgres.h comes first, so the includes are not sorted.
// clang-format off
extern "C" {
#include <postgres.h>
#include <nodes/parsenodes.h>
#include <nodes/pg_list.h>
#include <utils/palloc.h>
}
// The server headers' version; pg_query.h defines PG_VERSION_NUM again, as libpg_query's.
constexpr int miglint_server_version_num = PG_VERSION_NUM;
extern "C" {
#include <pg_query.h>
}
// clang-format on
#if defined(__clang__)
#pragma clang diagnostic pop
#endif
#undef printf
#undef fprintf
#undef sprintf
#undef snprintf
#undef vprintf
#undef vfprintf
#undef vsprintf
#undef vsnprintf
#undef strerror
#undef strerror_r
#undef gettext
#undef _

// The node structs read here are those of PostgreSQL 15, 16 and 17 (libpg_query 15-4.x, 16-5.x,
// 17-6.x); where they differ, `#if PG_VERSION_NUM` picks the version's (see each use). Release
// notes: https://github.com/pganalyze/libpg_query/blob/17-latest/CHANGELOG.md and PostgreSQL's
// src/include/nodes/parsenodes.h of each major.
static_assert(miglint_server_version_num / 10000 == PG_VERSION_NUM / 10000,
              "the PostgreSQL server headers are of another major version than libpg_query "
              "(pg_query.h's PG_MAJORVERSION): install postgresql-server-dev-<that major>");
static_assert(PG_VERSION_NUM >= 150000 && PG_VERSION_NUM < 180000,
              "miglint reads the parse trees of libpg_query 15, 16 and 17 (PostgreSQL 15 to 17's "
              "node structs); this libpg_query is of another major version");

// Exported by libpg_query (shared and static) but declared only in its private
// src/pg_query_internal.h; the declarations are copied from there. The result struct and the
// memory-context functions are the same from 15-4.0.0 to 17-6.0.0.
extern "C" {
typedef struct {
  List* tree;          // List of RawStmt, allocated in the current memory context
  char* stderr_buffer; // malloc'ed (strdup) on success, NULL on error: free()
  PgQueryError* error; // malloc'ed on error: pg_query_free_error()
} PgQueryInternalParsetreeAndError;

// 15-4.2.4 added the parser options (PgQueryParseMode and flags) and, with them,
// PG_QUERY_PARSE_MODE_BITS to pg_query.h: 15-4.0.0 to 15-4.2.3 take the text alone.
#ifdef PG_QUERY_PARSE_MODE_BITS
PgQueryInternalParsetreeAndError pg_query_raw_parse(const char* input, int parser_options);
#else
PgQueryInternalParsetreeAndError pg_query_raw_parse(const char* input);
#endif
void pg_query_free_error(PgQueryError* error);
MemoryContext pg_query_enter_memory_context(void);
void pg_query_exit_memory_context(MemoryContext ctx);
}

namespace miglint::sql {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// A C string of the parse tree, NULL when not written.
std::string_view str(const char* s) {
  return s == nullptr ? std::string_view() : std::string_view(s);
}

// The elements of a List of nodes (NIL: none), each possibly NULL.
std::span<const ListCell> cells(const List* list) {
  if (list == NIL) {
    return {};
  }
  return {list->elements, static_cast<size_t>(list->length)};
}

struct NodeList {
  std::span<const ListCell> items;
  struct iterator {
    const ListCell* cell;
    const Node* operator*() const { return static_cast<const Node*>(cell->ptr_value); }
    iterator& operator++() {
      ++cell;
      return *this;
    }
    bool operator!=(const iterator& other) const { return cell != other.cell; }
  };
  iterator begin() const { return {items.data()}; }
  iterator end() const { return {items.data() + items.size()}; }
  size_t size() const { return items.size(); }
  bool empty() const { return items.empty(); }
  const Node* front() const { return static_cast<const Node*>(items.front().ptr_value); }
};

NodeList nodes(const List* list) {
  return {cells(list)};
}

template <typename T>
const T* as(const Node* n, NodeTag tag) {
  return n != nullptr && nodeTag(n) == tag ? reinterpret_cast<const T*>(n) : nullptr;
}

// The node as its struct when it is one (PostgreSQL's names: `::TypeName`, not the model's).
#define MIGLINT_AS(Type, n) as<::Type>(n, T_##Type)

// The string value of a String node (names in lists), or "" for anything else.
std::string string_of(const Node* n) {
  const auto* s = MIGLINT_AS(String, n);
  return s != nullptr ? std::string(str(s->sval)) : std::string();
}

std::vector<std::string> strings_of(const List* list) {
  std::vector<std::string> out;
  out.reserve(static_cast<size_t>(list_length(list)));
  for (const Node* n : nodes(list)) {
    out.push_back(string_of(n));
  }
  return out;
}

QualifiedName name_from_parts(const std::vector<std::string>& parts) {
  QualifiedName q;
  if (!parts.empty()) {
    q.name = parts.back();
    if (parts.size() >= 2) {
      q.schema = parts[parts.size() - 2];
    }
  }
  return q;
}

QualifiedName range_var(const RangeVar* rv) {
  if (rv == nullptr) {
    return {};
  }
  return {std::string(str(rv->schemaname)), std::string(str(rv->relname))};
}

// A dotted name in DROP and RENAME: a List of Strings, a TypeName, a String or an
// ObjectWithArgs.
QualifiedName name_of_object(const Node* n) {
  if (const auto* l = MIGLINT_AS(List, n)) {
    return name_from_parts(strings_of(l));
  }
  if (const auto* t = MIGLINT_AS(TypeName, n)) {
    return name_from_parts(strings_of(t->names));
  }
  if (const auto* s = MIGLINT_AS(String, n)) {
    return {"", std::string(str(s->sval))};
  }
  if (const auto* o = MIGLINT_AS(ObjectWithArgs, n)) {
    return name_from_parts(strings_of(o->objname));
  }
  return {};
}

// An integer constant's value (A_Const of an Integer), if `n` is one.
std::optional<int64_t> integer_const(const Node* n) {
  const auto* c = MIGLINT_AS(A_Const, n);
  if (c == nullptr || c->isnull || !IsA(&c->val, Integer)) {
    return std::nullopt;
  }
  return c->val.ival.ival;
}

TypeName type_of(const ::TypeName* t) {
  TypeName out;
  if (t == nullptr) {
    return out;
  }
  out.names = strings_of(t->names);
  for (const Node* m : nodes(t->typmods)) {
    out.has_modifiers = true;
    if (const auto value = integer_const(m)) {
      out.modifiers.push_back(*value);
    }
  }
  out.array = list_length(t->arrayBounds) > 0;
  return out;
}

// --- expressions -------------------------------------------------------------------------------

// Functions whose value never changes within a statement (IMMUTABLE or STABLE in pg_proc), so a
// DEFAULT that calls them is evaluated once and stored in the catalog (PostgreSQL >= 11).
const std::set<std::string, std::less<>>& non_volatile_functions() {
  static const std::set<std::string, std::less<>> names = {"abs",
                                                           "age",
                                                           "array_fill",
                                                           "array_length",
                                                           "btrim",
                                                           "cardinality",
                                                           "ceil",
                                                           "ceiling",
                                                           "char_length",
                                                           "concat",
                                                           "concat_ws",
                                                           "current_database",
                                                           "current_schema",
                                                           "current_setting",
                                                           "date_part",
                                                           "date_trunc",
                                                           "daterange",
                                                           "decode",
                                                           "encode",
                                                           "extract",
                                                           "float8",
                                                           "floor",
                                                           "format",
                                                           "greatest",
                                                           "inet",
                                                           "int4",
                                                           "int4range",
                                                           "int8",
                                                           "int8range",
                                                           "json_build_array",
                                                           "json_build_object",
                                                           "jsonb_build_array",
                                                           "jsonb_build_object",
                                                           "least",
                                                           "left",
                                                           "length",
                                                           "lower",
                                                           "lpad",
                                                           "ltrim",
                                                           "make_date",
                                                           "make_interval",
                                                           "make_time",
                                                           "make_timestamp",
                                                           "make_timestamptz",
                                                           "md5",
                                                           "now",
                                                           "numeric",
                                                           "numrange",
                                                           "replace",
                                                           "right",
                                                           "round",
                                                           "rpad",
                                                           "rtrim",
                                                           "sha256",
                                                           "statement_timestamp",
                                                           "substr",
                                                           "substring",
                                                           "system_user", // SYSTEM_USER (16)
                                                           "text",
                                                           "timezone",
                                                           "to_char",
                                                           "to_date",
                                                           "to_json",
                                                           "to_jsonb",
                                                           "to_number",
                                                           "to_timestamp",
                                                           "transaction_timestamp",
                                                           "trim",
                                                           "tsrange",
                                                           "tstzrange",
                                                           "upper",
                                                           "uuid_nil",
                                                           "uuid_ns_dns",
                                                           "uuid_ns_oid",
                                                           "uuid_ns_url",
                                                           "uuid_ns_x500"};
  return names;
}

const std::set<std::string, std::less<>>& volatile_functions() {
  static const std::set<std::string, std::less<>> names = {"clock_timestamp",
                                                           "currval",
                                                           "gen_random_bytes",
                                                           "gen_random_uuid",
                                                           "lastval",
                                                           "nextval",
                                                           "random",
                                                           "random_normal",
                                                           "setval",
                                                           "timeofday",
                                                           "txid_current",
                                                           "pg_current_xact_id",
                                                           "uuid_generate_v1",
                                                           "uuid_generate_v1mc",
                                                           "uuid_generate_v4",
                                                           "uuidv4",
                                                           "uuidv7"};
  return names;
}

// Any node pointer of the tree (`Expr*`, `RangeVar*`, ...) as a Node.
template <typename T>
const Node* node_of(const T* p) {
  return reinterpret_cast<const Node*>(p);
}

class ExprAnalyzer {
public:
  sql::Expr analyze(const Node* e) {
    visit(e, true);
    return std::move(m_expr);
  }

private:
  void mark_volatile(std::string what, bool unknown) {
    if (m_expr.volatility != Volatility::Volatile) {
      m_expr.volatility = Volatility::Volatile;
      m_expr.volatile_function = std::move(what);
      m_expr.volatility_unknown = unknown;
    }
  }

  void mark_stable() {
    if (m_expr.volatility == Volatility::Immutable) {
      m_expr.volatility = Volatility::Stable;
    }
  }

  void visit_list(const List* list) {
    for (const Node* e : nodes(list)) {
      visit(e, false);
    }
  }

  // `top` is true for the expression itself and for the operands of a top-level AND, where a
  // `col IS NOT NULL` proves the column has no NULLs.
  void visit(const Node* n, bool top) {
    if (n == nullptr) {
      return;
    }
    switch (nodeTag(n)) {
    case T_A_Const:
      if (top && reinterpret_cast<const A_Const*>(n)->isnull) {
        m_expr.is_null = true;
      }
      break;
    case T_TypeCast:
      visit(reinterpret_cast<const TypeCast*>(n)->arg, top);
      break;
    case T_CollateClause:
      visit(reinterpret_cast<const CollateClause*>(n)->arg, top);
      break;
    case T_FuncCall: {
      const auto* f = reinterpret_cast<const FuncCall*>(n);
      const auto parts = strings_of(f->funcname);
      const std::string name = parts.empty() ? std::string("?") : lower(parts.back());
      m_expr.functions.push_back(name);
      if (volatile_functions().contains(name)) {
        mark_volatile(name + "()", false);
      } else if (non_volatile_functions().contains(name)) {
        mark_stable();
      } else {
        // Unknown (often user-defined) functions are VOLATILE unless declared otherwise.
        mark_volatile(name + "()", true);
      }
      visit_list(f->args);
      break;
    }
    case T_SQLValueFunction:
      mark_stable(); // CURRENT_TIMESTAMP, CURRENT_DATE, CURRENT_USER, ...
      break;
    case T_A_Expr: {
      const auto* a = reinterpret_cast<const A_Expr*>(n);
      visit(a->lexpr, false);
      visit(a->rexpr, false);
      break;
    }
    case T_BoolExpr: {
      const auto* b = reinterpret_cast<const BoolExpr*>(n);
      const bool conjunction = b->boolop == AND_EXPR;
      for (const Node* arg : nodes(b->args)) {
        visit(arg, top && conjunction);
      }
      break;
    }
    case T_NullTest: {
      const auto* t = reinterpret_cast<const NullTest*>(n);
      const Node* arg = node_of(t->arg);
      if (arg == nullptr) {
        break;
      }
      const auto* ref = MIGLINT_AS(ColumnRef, arg);
      if (top && t->nulltesttype == IS_NOT_NULL && ref != nullptr &&
          list_length(ref->fields) == 1 && !m_expr.not_null_column) {
        m_expr.not_null_column = string_of(nodes(ref->fields).front());
      }
      visit(arg, false);
      break;
    }
    case T_CoalesceExpr:
      visit_list(reinterpret_cast<const CoalesceExpr*>(n)->args);
      break;
    case T_MinMaxExpr:
      visit_list(reinterpret_cast<const MinMaxExpr*>(n)->args);
      break;
    case T_RowExpr:
      visit_list(reinterpret_cast<const RowExpr*>(n)->args);
      break;
    case T_CaseExpr: {
      const auto* c = reinterpret_cast<const CaseExpr*>(n);
      visit(node_of(c->arg), false);
      visit_list(c->args);
      visit(node_of(c->defresult), false);
      break;
    }
    case T_CaseWhen: {
      const auto* w = reinterpret_cast<const CaseWhen*>(n);
      visit(node_of(w->expr), false);
      visit(node_of(w->result), false);
      break;
    }
    case T_A_ArrayExpr:
      visit_list(reinterpret_cast<const A_ArrayExpr*>(n)->elements);
      break;
    case T_ColumnRef:
    case T_ParamRef:
      break; // no effect on volatility
    case T_SubLink:
      mark_volatile("a subquery", true);
      break;
    default:
      // Any other construct: do not claim it is safe.
      mark_volatile("an expression miglint cannot classify", true);
      break;
    }
  }

  sql::Expr m_expr;
};

sql::Expr expr_of(const Node* e) {
  return ExprAnalyzer().analyze(e);
}

// --- names PostgreSQL gives unnamed indexes ---------------------------------------------------

// parse_target.c FigureColnameInternal for the expressions miglint can name: a column, a
// function call, a cast, NULLIF, COALESCE, GREATEST/LEAST (strength 2 or 1, with the name), an
// operator or a constant (strength 0: no name). nullopt for anything else.
std::optional<std::pair<std::string, int>> figure_colname(const Node* n) {
  if (n == nullptr) {
    return std::nullopt;
  }
  switch (nodeTag(n)) {
  case T_ColumnRef: {
    std::string last;
    bool star = false;
    for (const Node* e : nodes(reinterpret_cast<const ColumnRef*>(n)->fields)) {
      last = string_of(e);
      star = last.empty();
    }
    if (star) {
      return std::pair<std::string, int>{"", 0};
    }
    return std::pair<std::string, int>{last, 2};
  }
  case T_FuncCall: {
    const auto names = strings_of(reinterpret_cast<const FuncCall*>(n)->funcname);
    if (names.empty()) {
      return std::nullopt;
    }
    return std::pair<std::string, int>{names.back(), 2};
  }
  case T_TypeCast: {
    const auto* cast = reinterpret_cast<const TypeCast*>(n);
    const auto inner = figure_colname(cast->arg);
    if (!inner) {
      return std::nullopt;
    }
    if (inner->second > 1 || cast->typeName == nullptr) {
      return inner;
    }
    const auto names = strings_of(cast->typeName->names);
    if (names.empty()) {
      return inner;
    }
    return std::pair<std::string, int>{names.back(), 1};
  }
  case T_A_Expr: {
    const A_Expr_Kind kind = reinterpret_cast<const A_Expr*>(n)->kind;
    if (kind == AEXPR_NULLIF) {
      return std::pair<std::string, int>{"nullif", 2};
    }
    if (kind == AEXPR_OP) {
      return std::pair<std::string, int>{"", 0};
    }
    return std::nullopt;
  }
  case T_CoalesceExpr:
    return std::pair<std::string, int>{"coalesce", 2};
  case T_MinMaxExpr:
    return std::pair<std::string, int>{
        reinterpret_cast<const MinMaxExpr*>(n)->op == IS_GREATEST ? "greatest" : "least", 2};
  case T_A_Const:
    return std::pair<std::string, int>{"", 0};
  default:
    return std::nullopt;
  }
}

// The name an IndexElem contributes to an unnamed index's name (indexcmds.c
// ChooseIndexColumnNames, before de-duplication), or nullopt when miglint cannot tell.
std::optional<std::string> index_column_name(const IndexElem* elem) {
  if (const std::string_view given = str(elem->indexcolname); !given.empty()) {
    return std::string(given);
  }
  if (const std::string_view column = str(elem->name); !column.empty()) {
    return std::string(column);
  }
  const auto figured = figure_colname(elem->expr);
  if (!figured) {
    return std::nullopt;
  }
  return figured->second == 0 ? std::string("expr") : figured->first; // FigureIndexColname
}

// --- the tree as a whole: data statements ----------------------------------------------------

// Calls `f(child, typed)` for each node below `n` that a data statement's raw parse tree can hold
// (SELECT, INSERT, UPDATE, DELETE, MERGE, CREATE TABLE AS and the expressions, clauses and FROM
// items in them; nodes of other statements have no children here). `typed` is true for a field
// declared with a specific struct type (`RangeVar *relation`, `WithClause *withClause`) rather
// than as a `Node *` or a List element: such a RangeVar is the statement's target or the table
// it creates, not a table it reads.
template <typename F>
void for_each_child(const Node* n, F&& f) {
  auto one = [&f](const auto* child, bool typed = false) {
    if (child != nullptr) {
      f(node_of(child), typed);
    }
  };
  auto all = [&f](const List* list) {
    for (const Node* child : nodes(list)) {
      if (child != nullptr) {
        f(child, false);
      }
    }
  };
  switch (nodeTag(n)) {
  case T_List:
    all(reinterpret_cast<const List*>(n));
    break;
  case T_A_Expr: {
    const auto* x = reinterpret_cast<const A_Expr*>(n);
    all(x->name);
    one(x->lexpr);
    one(x->rexpr);
    break;
  }
  case T_BoolExpr:
    all(reinterpret_cast<const BoolExpr*>(n)->args);
    break;
  case T_NullTest:
    one(reinterpret_cast<const NullTest*>(n)->arg);
    break;
  case T_BooleanTest:
    one(reinterpret_cast<const BooleanTest*>(n)->arg);
    break;
  case T_FuncCall: {
    const auto* x = reinterpret_cast<const FuncCall*>(n);
    all(x->funcname);
    all(x->args);
    all(x->agg_order);
    one(x->agg_filter);
    one(x->over, true);
    break;
  }
  case T_NamedArgExpr:
    one(reinterpret_cast<const NamedArgExpr*>(n)->arg);
    break;
  case T_A_Indices: {
    const auto* x = reinterpret_cast<const A_Indices*>(n);
    one(x->lidx);
    one(x->uidx);
    break;
  }
  case T_A_Indirection: {
    const auto* x = reinterpret_cast<const A_Indirection*>(n);
    one(x->arg);
    all(x->indirection);
    break;
  }
  case T_A_ArrayExpr:
    all(reinterpret_cast<const A_ArrayExpr*>(n)->elements);
    break;
  case T_ResTarget: {
    const auto* x = reinterpret_cast<const ResTarget*>(n);
    all(x->indirection);
    one(x->val);
    break;
  }
  case T_MultiAssignRef:
    one(reinterpret_cast<const MultiAssignRef*>(n)->source);
    break;
  case T_TypeCast: {
    const auto* x = reinterpret_cast<const TypeCast*>(n);
    one(x->arg);
    one(x->typeName, true);
    break;
  }
  case T_CollateClause: {
    const auto* x = reinterpret_cast<const CollateClause*>(n);
    one(x->arg);
    all(x->collname);
    break;
  }
  case T_SortBy: {
    const auto* x = reinterpret_cast<const SortBy*>(n);
    one(x->node);
    all(x->useOp);
    break;
  }
  case T_WindowDef: {
    const auto* x = reinterpret_cast<const WindowDef*>(n);
    all(x->partitionClause);
    all(x->orderClause);
    one(x->startOffset);
    one(x->endOffset);
    break;
  }
  case T_RangeSubselect: {
    const auto* x = reinterpret_cast<const RangeSubselect*>(n);
    one(x->subquery);
    one(x->alias, true);
    break;
  }
  case T_RangeFunction: {
    const auto* x = reinterpret_cast<const RangeFunction*>(n);
    all(x->functions);
    one(x->alias, true);
    all(x->coldeflist);
    break;
  }
  case T_RangeTableSample: {
    const auto* x = reinterpret_cast<const RangeTableSample*>(n);
    one(x->relation);
    all(x->method);
    all(x->args);
    one(x->repeatable);
    break;
  }
  case T_RangeTableFunc: {
    const auto* x = reinterpret_cast<const RangeTableFunc*>(n);
    one(x->docexpr);
    one(x->rowexpr);
    all(x->namespaces);
    all(x->columns);
    one(x->alias, true);
    break;
  }
  case T_RangeTableFuncCol: {
    const auto* x = reinterpret_cast<const RangeTableFuncCol*>(n);
    one(x->typeName, true);
    one(x->colexpr);
    one(x->coldefexpr);
    break;
  }
  case T_TypeName: {
    const auto* x = reinterpret_cast<const ::TypeName*>(n);
    all(x->names);
    all(x->typmods);
    all(x->arrayBounds);
    break;
  }
  case T_ColumnDef: {
    const auto* x = reinterpret_cast<const ::ColumnDef*>(n);
    one(x->typeName, true);
    one(x->raw_default);
    one(x->cooked_default);
    one(x->identitySequence, true);
    one(x->collClause, true);
    all(x->constraints);
    all(x->fdwoptions);
    break;
  }
  case T_Constraint: {
    const auto* x = reinterpret_cast<const ::Constraint*>(n);
    one(x->raw_expr);
    all(x->keys);
    all(x->including);
    all(x->exclusions);
    all(x->options);
    one(x->where_clause);
    one(x->pktable, true);
    all(x->fk_attrs);
    all(x->pk_attrs);
    all(x->fk_del_set_cols);
    break;
  }
  case T_IndexElem: {
    const auto* x = reinterpret_cast<const IndexElem*>(n);
    one(x->expr);
    all(x->collation);
    all(x->opclass);
    all(x->opclassopts);
    break;
  }
  case T_DefElem:
    one(reinterpret_cast<const DefElem*>(n)->arg);
    break;
  case T_GroupingSet:
    all(reinterpret_cast<const GroupingSet*>(n)->content);
    break;
  case T_GroupingFunc:
    all(reinterpret_cast<const GroupingFunc*>(n)->args);
    break;
  case T_LockingClause:
    all(reinterpret_cast<const LockingClause*>(n)->lockedRels);
    break;
  case T_XmlExpr: {
    const auto* x = reinterpret_cast<const XmlExpr*>(n);
    all(x->named_args);
    all(x->arg_names);
    all(x->args);
    break;
  }
  case T_XmlSerialize: {
    const auto* x = reinterpret_cast<const XmlSerialize*>(n);
    one(x->expr);
    one(x->typeName, true);
    break;
  }
  case T_SubLink: {
    const auto* x = reinterpret_cast<const SubLink*>(n);
    one(x->testexpr);
    all(x->operName);
    one(x->subselect);
    break;
  }
  case T_CaseExpr: {
    const auto* x = reinterpret_cast<const CaseExpr*>(n);
    one(x->arg);
    all(x->args);
    one(x->defresult);
    break;
  }
  case T_CaseWhen: {
    const auto* x = reinterpret_cast<const CaseWhen*>(n);
    one(x->expr);
    one(x->result);
    break;
  }
  case T_RowExpr: {
    const auto* x = reinterpret_cast<const RowExpr*>(n);
    all(x->args);
    all(x->colnames);
    break;
  }
  case T_CoalesceExpr:
    all(reinterpret_cast<const CoalesceExpr*>(n)->args);
    break;
  case T_MinMaxExpr:
    all(reinterpret_cast<const MinMaxExpr*>(n)->args);
    break;
  case T_JoinExpr: {
    const auto* x = reinterpret_cast<const JoinExpr*>(n);
    one(x->larg);
    one(x->rarg);
    all(x->usingClause);
    one(x->join_using_alias, true);
    one(x->quals);
    one(x->alias, true);
    break;
  }
  case T_WithClause:
    all(reinterpret_cast<const WithClause*>(n)->ctes);
    break;
  case T_CommonTableExpr: {
    const auto* x = reinterpret_cast<const CommonTableExpr*>(n);
    all(x->aliascolnames);
    one(x->ctequery);
    one(x->search_clause, true);
    one(x->cycle_clause, true);
    break;
  }
  case T_CTESearchClause:
    all(reinterpret_cast<const CTESearchClause*>(n)->search_col_list);
    break;
  case T_CTECycleClause: {
    const auto* x = reinterpret_cast<const CTECycleClause*>(n);
    all(x->cycle_col_list);
    one(x->cycle_mark_value);
    one(x->cycle_mark_default);
    break;
  }
  case T_InferClause: {
    const auto* x = reinterpret_cast<const InferClause*>(n);
    all(x->indexElems);
    one(x->whereClause);
    break;
  }
  case T_OnConflictClause: {
    const auto* x = reinterpret_cast<const OnConflictClause*>(n);
    one(x->infer, true);
    all(x->targetList);
    one(x->whereClause);
    break;
  }
  case T_IntoClause: {
    const auto* x = reinterpret_cast<const IntoClause*>(n);
    one(x->rel, true);
    all(x->colNames);
    all(x->options);
    one(x->viewQuery);
    break;
  }
  case T_InsertStmt: {
    const auto* x = reinterpret_cast<const InsertStmt*>(n);
    one(x->relation, true);
    all(x->cols);
    one(x->selectStmt);
    one(x->onConflictClause, true);
    all(x->returningList);
    one(x->withClause, true);
    break;
  }
  case T_DeleteStmt: {
    const auto* x = reinterpret_cast<const DeleteStmt*>(n);
    one(x->relation, true);
    all(x->usingClause);
    one(x->whereClause);
    all(x->returningList);
    one(x->withClause, true);
    break;
  }
  case T_UpdateStmt: {
    const auto* x = reinterpret_cast<const UpdateStmt*>(n);
    one(x->relation, true);
    all(x->targetList);
    one(x->whereClause);
    all(x->fromClause);
    all(x->returningList);
    one(x->withClause, true);
    break;
  }
  case T_MergeStmt: {
    const auto* x = reinterpret_cast<const MergeStmt*>(n);
    one(x->relation, true);
    one(x->sourceRelation);
    one(x->joinCondition);
    all(x->mergeWhenClauses);
#if PG_VERSION_NUM >= 170000 // MERGE ... RETURNING
    all(x->returningList);
#endif
    one(x->withClause, true);
    break;
  }
  case T_MergeWhenClause: {
    const auto* x = reinterpret_cast<const MergeWhenClause*>(n);
    one(x->condition);
    all(x->targetList);
    all(x->values);
    break;
  }
  case T_SelectStmt: {
    const auto* x = reinterpret_cast<const SelectStmt*>(n);
    all(x->distinctClause);
    one(x->intoClause, true);
    all(x->targetList);
    all(x->fromClause);
    one(x->whereClause);
    all(x->groupClause);
    one(x->havingClause);
    all(x->windowClause);
    all(x->valuesLists);
    all(x->sortClause);
    one(x->limitOffset);
    one(x->limitCount);
    all(x->lockingClause);
    one(x->withClause, true);
    one(x->larg, true);
    one(x->rarg, true);
    break;
  }
#if PG_VERSION_NUM >= 160000
  // SQL/JSON constructors and IS JSON (PostgreSQL 16).
  case T_JsonValueExpr: {
    const auto* x = reinterpret_cast<const JsonValueExpr*>(n);
    one(x->raw_expr);
    one(x->formatted_expr);
    break;
  }
  case T_JsonKeyValue: {
    const auto* x = reinterpret_cast<const JsonKeyValue*>(n);
    one(x->key);
    one(x->value, true);
    break;
  }
  case T_JsonIsPredicate:
    one(reinterpret_cast<const JsonIsPredicate*>(n)->expr);
    break;
  case T_JsonOutput:
    one(reinterpret_cast<const JsonOutput*>(n)->typeName, true);
    break;
  case T_JsonObjectConstructor: {
    const auto* x = reinterpret_cast<const JsonObjectConstructor*>(n);
    all(x->exprs);
    one(x->output, true);
    break;
  }
  case T_JsonArrayConstructor: {
    const auto* x = reinterpret_cast<const JsonArrayConstructor*>(n);
    all(x->exprs);
    one(x->output, true);
    break;
  }
  case T_JsonArrayQueryConstructor: {
    const auto* x = reinterpret_cast<const JsonArrayQueryConstructor*>(n);
    one(x->query);
    one(x->output, true);
    break;
  }
  case T_JsonAggConstructor: {
    const auto* x = reinterpret_cast<const JsonAggConstructor*>(n);
    one(x->output, true);
    one(x->agg_filter);
    all(x->agg_order);
    one(x->over, true);
    break;
  }
  case T_JsonObjectAgg: {
    const auto* x = reinterpret_cast<const JsonObjectAgg*>(n);
    one(x->constructor, true);
    one(x->arg, true);
    break;
  }
  case T_JsonArrayAgg: {
    const auto* x = reinterpret_cast<const JsonArrayAgg*>(n);
    one(x->constructor, true);
    one(x->arg, true);
    break;
  }
#endif
#if PG_VERSION_NUM >= 170000
  // SQL/JSON query functions, JSON(), JSON_SCALAR(), JSON_SERIALIZE() and JSON_TABLE
  // (PostgreSQL 17).
  case T_JsonArgument:
    one(reinterpret_cast<const JsonArgument*>(n)->val, true);
    break;
  case T_JsonBehavior:
    one(reinterpret_cast<const JsonBehavior*>(n)->expr);
    break;
  case T_JsonFuncExpr: {
    const auto* x = reinterpret_cast<const JsonFuncExpr*>(n);
    one(x->context_item, true);
    one(x->pathspec);
    all(x->passing);
    one(x->output, true);
    one(x->on_empty, true);
    one(x->on_error, true);
    break;
  }
  case T_JsonParseExpr: {
    const auto* x = reinterpret_cast<const JsonParseExpr*>(n);
    one(x->expr, true);
    one(x->output, true);
    break;
  }
  case T_JsonScalarExpr: {
    const auto* x = reinterpret_cast<const JsonScalarExpr*>(n);
    one(x->expr);
    one(x->output, true);
    break;
  }
  case T_JsonSerializeExpr: {
    const auto* x = reinterpret_cast<const JsonSerializeExpr*>(n);
    one(x->expr, true);
    one(x->output, true);
    break;
  }
  case T_JsonTable: {
    const auto* x = reinterpret_cast<const JsonTable*>(n);
    one(x->context_item, true);
    all(x->passing);
    all(x->columns);
    one(x->on_error, true);
    one(x->alias, true);
    break;
  }
  case T_JsonTableColumn: {
    const auto* x = reinterpret_cast<const JsonTableColumn*>(n);
    one(x->typeName, true);
    all(x->columns);
    one(x->on_empty, true);
    one(x->on_error, true);
    break;
  }
#endif
  case T_ExecuteStmt: // CREATE TABLE ... AS EXECUTE
    all(reinterpret_cast<const ExecuteStmt*>(n)->params);
    break;
  case T_CreateTableAsStmt: {
    const auto* x = reinterpret_cast<const CreateTableAsStmt*>(n);
    one(x->query);
    one(x->into, true);
    break;
  }
  default:
    break; // leaves: constants, names, column references, parameters, ...
  }
}

// Whether a LIMIT (or FETCH FIRST) occurs anywhere at or below `n` (a subquery's or a WITH
// query's).
bool has_limit(const Node* n) {
  if (n == nullptr) {
    return false;
  }
  if (const auto* select = MIGLINT_AS(SelectStmt, n); select != nullptr && select->limitCount) {
    return true;
  }
  bool found = false;
  for_each_child(n, [&found](const Node* child, bool) { found = found || has_limit(child); });
  return found;
}

bool has_limit(const List* list) {
  for (const Node* n : nodes(list)) {
    if (has_limit(n)) {
      return true;
    }
  }
  return false;
}

bool is_a_star(const Node* n) {
  return n != nullptr && IsA(n, A_Star);
}

// Every table (RangeVar) and column reference (ColumnRef) anywhere in a data statement, in the
// order of the tree's fields.
void collect_data_access(const Node* n, bool typed, DataAccess& out) {
  if (const auto* rv = MIGLINT_AS(RangeVar, n)) {
    if (!typed) {
      out.tables.push_back(range_var(rv));
    }
    return;
  }
  if (const auto* ref = MIGLINT_AS(ColumnRef, n)) {
    std::string last;
    for (const Node* f : nodes(ref->fields)) {
      last = is_a_star(f) ? "*" : string_of(f);
    }
    if (!last.empty()) {
      out.columns.push_back(std::move(last));
    }
    return;
  }
  for_each_child(n, [&out](const Node* child, bool child_typed) {
    collect_data_access(child, child_typed, out);
  });
}

// --- constraints, columns, statements ----------------------------------------------------------

RelationKind relation_kind_of(ObjectType t) {
  switch (t) {
  case OBJECT_TABLE:
    return RelationKind::Table;
  case OBJECT_INDEX:
    return RelationKind::Index;
  case OBJECT_VIEW:
    return RelationKind::View;
  case OBJECT_MATVIEW:
    return RelationKind::MaterializedView;
  case OBJECT_SEQUENCE:
    return RelationKind::Sequence;
  case OBJECT_FOREIGN_TABLE:
    return RelationKind::ForeignTable;
  case OBJECT_TYPE:
    return RelationKind::Type;
  default:
    return RelationKind::Other;
  }
}

ObjectKind object_kind_of(ObjectType t) {
  switch (t) {
  case OBJECT_TABLE:
    return ObjectKind::Table;
  case OBJECT_INDEX:
    return ObjectKind::Index;
  case OBJECT_VIEW:
    return ObjectKind::View;
  case OBJECT_MATVIEW:
    return ObjectKind::MaterializedView;
  case OBJECT_SEQUENCE:
    return ObjectKind::Sequence;
  case OBJECT_TYPE:
  case OBJECT_DOMAIN:
    return ObjectKind::Type;
  case OBJECT_SCHEMA:
    return ObjectKind::Schema;
  case OBJECT_COLUMN:
    return ObjectKind::Column;
  case OBJECT_TABCONSTRAINT:
    return ObjectKind::Constraint;
  case OBJECT_FUNCTION:
  case OBJECT_PROCEDURE:
    return ObjectKind::Function;
  case OBJECT_TRIGGER:
    return ObjectKind::Trigger;
  case OBJECT_EXTENSION:
    return ObjectKind::Extension;
  case OBJECT_DATABASE:
    return ObjectKind::Database;
  default:
    return ObjectKind::Other;
  }
}

// An ON DELETE / ON UPDATE action (Constraint.fk_del_action: FKCONSTR_ACTION_*); "" for NO
// ACTION, the default.
std::string fk_action(char code) {
  switch (code) {
  case FKCONSTR_ACTION_CASCADE:
    return "CASCADE";
  case FKCONSTR_ACTION_SETNULL:
    return "SET NULL";
  case FKCONSTR_ACTION_SETDEFAULT:
    return "SET DEFAULT";
  case FKCONSTR_ACTION_RESTRICT:
    return "RESTRICT";
  default:
    return "";
  }
}

bool has_option(const List* options, std::string_view name) {
  for (const Node* n : nodes(options)) {
    const auto* o = MIGLINT_AS(DefElem, n);
    if (o != nullptr && lower(str(o->defname)) == name) {
      return true;
    }
  }
  return false;
}

// A constant operand: a literal, a parameter, a cast of one, or an ARRAY[...] of them.
bool is_constant(const Node* n) {
  if (n == nullptr) {
    return false;
  }
  switch (nodeTag(n)) {
  case T_A_Const:
  case T_ParamRef:
    return true;
  case T_TypeCast: {
    const Node* arg = reinterpret_cast<const TypeCast*>(n)->arg;
    return arg != nullptr && is_constant(arg);
  }
  case T_A_ArrayExpr:
  case T_List: {
    const List* items = IsA(n, List) ? reinterpret_cast<const List*>(n)
                                     : reinterpret_cast<const A_ArrayExpr*>(n)->elements;
    for (const Node* item : nodes(items)) {
      if (!is_constant(item)) {
        return false;
      }
    }
    return list_length(items) > 0;
  }
  default:
    return false;
  }
}

// Whether a WHERE clause pins rows by value (see Dml::pins_rows).
bool pins_rows(const Node* where) {
  if (const auto* b = MIGLINT_AS(BoolExpr, where)) {
    if (b->boolop != AND_EXPR) {
      return false;
    }
    for (const Node* arg : nodes(b->args)) {
      if (pins_rows(arg)) {
        return true;
      }
    }
    return false;
  }
  const auto* a = MIGLINT_AS(A_Expr, where);
  if (a == nullptr) {
    return false;
  }
  const A_Expr_Kind kind = a->kind;
  if (list_length(a->name) != 1 || string_of(nodes(a->name).front()) != "=" ||
      (kind != AEXPR_OP && kind != AEXPR_IN && kind != AEXPR_OP_ANY)) {
    return false;
  }
  if (a->lexpr == nullptr || a->rexpr == nullptr) {
    return false;
  }
  const bool l_col = IsA(a->lexpr, ColumnRef);
  const bool r_col = IsA(a->rexpr, ColumnRef);
  return (l_col && is_constant(a->rexpr)) || (kind == AEXPR_OP && r_col && is_constant(a->lexpr));
}

class Transformer {
public:
  explicit Transformer(uint32_t base) : m_base(base) {}

  uint32_t loc(int location) const {
    return location < 0 ? m_base : m_base + static_cast<uint32_t>(location);
  }

  sql::Constraint constraint_of(const ::Constraint* c) const {
    sql::Constraint out;
    out.name = std::string(str(c->conname));
    out.location = loc(c->location);
    out.using_index = std::string(str(c->indexname));
    out.not_valid = c->skip_validation;
    switch (c->contype) {
    case CONSTR_CHECK:
      out.kind = ConstraintKind::Check;
      out.check = expr_of(c->raw_expr);
      break;
    case CONSTR_FOREIGN:
      out.kind = ConstraintKind::ForeignKey;
      out.columns = strings_of(c->fk_attrs);
      out.references = range_var(c->pktable);
      out.ref_columns = strings_of(c->pk_attrs);
      out.on_delete = fk_action(c->fk_del_action);
      out.on_update = fk_action(c->fk_upd_action);
      break;
    case CONSTR_UNIQUE:
      out.kind = ConstraintKind::Unique;
      out.columns = strings_of(c->keys);
      break;
    case CONSTR_PRIMARY:
      out.kind = ConstraintKind::PrimaryKey;
      out.columns = strings_of(c->keys);
      break;
    case CONSTR_EXCLUSION:
      out.kind = ConstraintKind::Exclusion;
      // Each element is a list (index element, operator); the element's name, as PostgreSQL
      // names the constraint's index ("" when miglint cannot tell).
      for (const Node* e : nodes(c->exclusions)) {
        std::optional<std::string> name;
        if (const auto* pair = MIGLINT_AS(List, e); pair != nullptr && pair->length > 0) {
          if (const auto* elem = MIGLINT_AS(IndexElem, nodes(pair).front())) {
            name = index_column_name(elem);
          }
        }
        out.columns.push_back(name.value_or(""));
      }
      break;
    default:
      break;
    }
    return out;
  }

  sql::ColumnDef column_of(const ::ColumnDef* c) const {
    sql::ColumnDef out;
    out.name = std::string(str(c->colname));
    out.type = type_of(c->typeName);
    out.location = loc(c->location);
    out.not_null = c->is_not_null;
    if (c->raw_default != nullptr) {
      out.default_value = expr_of(c->raw_default);
    }
    for (const Node* n : nodes(c->constraints)) {
      const auto* con = MIGLINT_AS(Constraint, n);
      if (con == nullptr) {
        continue;
      }
      switch (con->contype) {
      case CONSTR_NOTNULL:
        out.not_null = true;
        break;
      case CONSTR_NULL:
        out.not_null = false;
        break;
      case CONSTR_DEFAULT:
        out.default_value = expr_of(con->raw_expr);
        break;
      case CONSTR_IDENTITY:
        out.identity = true;
        out.not_null = true;
        break;
      case CONSTR_GENERATED:
        out.generated_stored = true;
        break;
      case CONSTR_PRIMARY:
      case CONSTR_UNIQUE:
      case CONSTR_FOREIGN:
      case CONSTR_CHECK: {
        sql::Constraint inline_constraint = constraint_of(con);
        inline_constraint.columns = {out.name};
        if (con->contype == CONSTR_PRIMARY) {
          out.primary_key = true;
          out.not_null = true;
        }
        out.constraints.push_back(std::move(inline_constraint));
        break;
      }
      default:
        break;
      }
    }
    if (out.type.is_serial()) {
      out.not_null = true;
    }
    return out;
  }

  sql::AlterTableCmd alter_cmd_of(const ::AlterTableCmd* c) const {
    sql::AlterTableCmd out;
    out.column = std::string(str(c->name));
    out.name = out.column;
    out.missing_ok = c->missing_ok;
    out.cascade = c->behavior == DROP_CASCADE;
    const Node* def = c->def;
    switch (c->subtype) {
    case AT_AddColumn:
#if PG_VERSION_NUM < 160000 // PostgreSQL 16 dropped the AT_*Recurse subtypes (recurse: a flag)
    case AT_AddColumnRecurse:
#endif
      out.kind = AlterKind::AddColumn;
      if (const auto* column = MIGLINT_AS(ColumnDef, def)) {
        out.column_def = column_of(column);
        out.column = out.column_def->name;
      }
      break;
    case AT_DropColumn:
#if PG_VERSION_NUM < 160000
    case AT_DropColumnRecurse:
#endif
      out.kind = AlterKind::DropColumn;
      break;
    case AT_AlterColumnType:
      out.kind = AlterKind::AlterColumnType;
      if (const auto* column = MIGLINT_AS(ColumnDef, def)) {
        out.type = type_of(column->typeName);
        out.has_using = column->raw_default != nullptr;
        if (out.has_using) {
          // USING the column itself converts as no USING does (PostgreSQL may keep the table).
          const auto* u = MIGLINT_AS(ColumnRef, column->raw_default);
          out.using_is_column = u != nullptr && list_length(u->fields) == 1 &&
                                string_of(nodes(u->fields).front()) == out.column;
        }
      }
      break;
    case AT_SetNotNull:
      out.kind = AlterKind::SetNotNull;
      break;
    case AT_DropNotNull:
      out.kind = AlterKind::DropNotNull;
      break;
    case AT_ColumnDefault:
      if (def != nullptr) {
        out.kind = AlterKind::SetDefault;
        out.default_value = expr_of(def);
      } else {
        out.kind = AlterKind::DropDefault;
      }
      break;
    case AT_AddConstraint:
#if PG_VERSION_NUM < 160000
    case AT_AddConstraintRecurse:
#endif
      out.kind = AlterKind::AddConstraint;
      out.column.clear();
      if (const auto* con = MIGLINT_AS(Constraint, def)) {
        out.constraint = constraint_of(con);
        out.name = out.constraint->name;
      }
      break;
    case AT_ValidateConstraint:
#if PG_VERSION_NUM < 160000
    case AT_ValidateConstraintRecurse:
#endif
      out.kind = AlterKind::ValidateConstraint;
      out.column.clear();
      break;
    case AT_DropConstraint:
#if PG_VERSION_NUM < 160000
    case AT_DropConstraintRecurse:
#endif
      out.kind = AlterKind::DropConstraint;
      out.column.clear();
      break;
    case AT_AddIdentity:
      out.kind = AlterKind::AddIdentity;
      break;
    case AT_SetLogged:
      out.kind = AlterKind::SetLogged;
      break;
    case AT_SetUnLogged:
      out.kind = AlterKind::SetUnlogged;
      break;
    case AT_SetTableSpace:
      out.kind = AlterKind::SetTablespace;
      break;
    case AT_ChangeOwner:
      out.kind = AlterKind::ChangeOwner;
      break;
    case AT_SetStatistics:
      out.kind = AlterKind::SetStatistics;
      break;
    case AT_AttachPartition:
    case AT_DetachPartition:
      out.kind = c->subtype == AT_AttachPartition ? AlterKind::AttachPartition
                                                  : AlterKind::DetachPartition;
      out.column.clear();
      if (const auto* cmd = MIGLINT_AS(PartitionCmd, def)) {
        out.partition = range_var(cmd->name);
        out.name = out.partition.display();
        if (cmd->concurrent && out.kind == AlterKind::DetachPartition) {
          out.kind = AlterKind::DetachPartitionConcurrently;
        }
      }
      break;
    default:
      break;
    }
    return out;
  }

  StatementNode statement_node(const Node* n) const {
    switch (nodeTag(n)) {
    case T_AlterTableStmt: {
      const auto* f = reinterpret_cast<const AlterTableStmt*>(n);
      AlterTable out;
      out.table = range_var(f->relation);
      out.missing_ok = f->missing_ok;
      out.relation_kind = relation_kind_of(f->objtype);
      out.cmds.reserve(static_cast<size_t>(list_length(f->cmds)));
      for (const Node* e : nodes(f->cmds)) {
        if (const auto* cmd = MIGLINT_AS(AlterTableCmd, e)) {
          out.cmds.push_back(alter_cmd_of(cmd));
        }
      }
      return out;
    }
    case T_CreateStmt: {
      const auto* f = reinterpret_cast<const CreateStmt*>(n);
      CreateTable out;
      out.table = range_var(f->relation);
      out.if_not_exists = f->if_not_exists;
      out.temporary = f->relation != nullptr && f->relation->relpersistence == 't';
      out.partition_of = f->partbound != nullptr;
      out.partitioned = f->partspec != nullptr;
      if (out.partition_of) {
        for (const Node* e : nodes(f->inhRelations)) {
          if (const auto* rv = MIGLINT_AS(RangeVar, e)) {
            out.parent = range_var(rv);
          }
        }
      }
      out.copies_other = !out.partition_of && list_length(f->inhRelations) != 0;
      for (const Node* e : nodes(f->tableElts)) {
        if (e != nullptr && IsA(e, TableLikeClause)) {
          out.copies_other = true;
        }
        if (const auto* column = MIGLINT_AS(ColumnDef, e)) {
          out.columns.push_back(column_of(column));
        } else if (const auto* con = MIGLINT_AS(Constraint, e)) {
          out.constraints.push_back(constraint_of(con));
        }
      }
      for (const Node* e : nodes(f->constraints)) {
        if (const auto* con = MIGLINT_AS(Constraint, e)) {
          out.constraints.push_back(constraint_of(con));
        }
      }
      return out;
    }
    case T_CreateTableAsStmt: {
      const auto* f = reinterpret_cast<const CreateTableAsStmt*>(n);
      CreateTableAs out;
      if (f->into != nullptr) {
        out.table = range_var(f->into->rel);
        out.temporary = f->into->rel != nullptr && f->into->rel->relpersistence == 't';
      }
      out.materialized_view = f->objtype == OBJECT_MATVIEW;
      return out;
    }
    case T_IndexStmt: {
      const auto* f = reinterpret_cast<const IndexStmt*>(n);
      CreateIndex out;
      out.name = std::string(str(f->idxname));
      out.table = range_var(f->relation);
      out.unique = f->unique;
      out.concurrent = f->concurrent;
      out.if_not_exists = f->if_not_exists;
      out.only = f->relation != nullptr && !f->relation->inh;
      for (const Node* e : nodes(f->indexParams)) {
        const auto* elem = MIGLINT_AS(IndexElem, e);
        out.columns.emplace_back(elem != nullptr ? str(elem->name) : ""); // "": an expression
      }
      for (const List* params : {f->indexParams, f->indexIncludingParams}) {
        for (const Node* e : nodes(params)) {
          const auto* elem = MIGLINT_AS(IndexElem, e);
          auto name = elem != nullptr ? index_column_name(elem) : std::nullopt;
          out.name_known = out.name_known && name.has_value();
          out.name_columns.push_back(name.value_or(""));
        }
      }
      return out;
    }
    case T_DropStmt: {
      const auto* f = reinterpret_cast<const DropStmt*>(n);
      Drop out;
      out.kind = object_kind_of(f->removeType);
      out.concurrent = f->concurrent;
      out.cascade = f->behavior == DROP_CASCADE;
      out.missing_ok = f->missing_ok;
      for (const Node* e : nodes(f->objects)) {
        out.objects.push_back(name_of_object(e));
      }
      return out;
    }
    case T_RenameStmt: {
      const auto* f = reinterpret_cast<const RenameStmt*>(n);
      Rename out;
      out.kind = object_kind_of(f->renameType);
      if (f->relation != nullptr) {
        out.relation = range_var(f->relation);
      } else if (f->object != nullptr) {
        out.relation = name_of_object(f->object);
      }
      out.old_name = std::string(str(f->subname));
      out.new_name = std::string(str(f->newname));
      return out;
    }
    case T_TruncateStmt: {
      const auto* f = reinterpret_cast<const TruncateStmt*>(n);
      Truncate out;
      out.cascade = f->behavior == DROP_CASCADE;
      for (const Node* e : nodes(f->relations)) {
        if (const auto* rv = MIGLINT_AS(RangeVar, e)) {
          out.tables.push_back(range_var(rv));
        }
      }
      return out;
    }
    case T_VariableSetStmt: {
      const auto* f = reinterpret_cast<const VariableSetStmt*>(n);
      SetVariable out;
      out.name = lower(str(f->name));
      out.local = f->is_local;
      out.reset = f->kind == VAR_RESET || f->kind == VAR_RESET_ALL || f->kind == VAR_SET_DEFAULT;
      if (list_length(f->args) > 0) { // the first argument is the value
        const auto* c = MIGLINT_AS(A_Const, nodes(f->args).front());
        if (c != nullptr && !c->isnull) {
          if (IsA(&c->val, String)) {
            out.value = std::string(str(c->val.sval.sval));
          } else if (IsA(&c->val, Integer)) {
            out.value = std::to_string(c->val.ival.ival);
          } else if (IsA(&c->val, Float)) {
            out.value = std::string(str(c->val.fval.fval));
          }
        }
      }
      return out;
    }
    case T_TransactionStmt: {
      Transaction out;
      switch (reinterpret_cast<const TransactionStmt*>(n)->kind) {
      case TRANS_STMT_BEGIN:
      case TRANS_STMT_START:
        out.kind = TxKind::Begin;
        break;
      case TRANS_STMT_COMMIT:
        out.kind = TxKind::Commit;
        break;
      case TRANS_STMT_ROLLBACK:
        out.kind = TxKind::Rollback;
        break;
      case TRANS_STMT_SAVEPOINT:
        out.kind = TxKind::Savepoint;
        break;
      case TRANS_STMT_RELEASE:
        out.kind = TxKind::Release;
        break;
      case TRANS_STMT_ROLLBACK_TO:
        out.kind = TxKind::RollbackTo;
        break;
      default:
        break;
      }
      return out;
    }
    case T_ReindexStmt: {
      const auto* f = reinterpret_cast<const ReindexStmt*>(n);
      Reindex out;
      out.target = f->relation != nullptr ? range_var(f->relation)
                                          : QualifiedName{"", std::string(str(f->name))};
      switch (f->kind) {
      case REINDEX_OBJECT_INDEX:
        out.kind = ReindexKind::Index;
        break;
      case REINDEX_OBJECT_SCHEMA:
        out.kind = ReindexKind::Schema;
        break;
      case REINDEX_OBJECT_DATABASE:
        out.kind = ReindexKind::Database;
        break;
      case REINDEX_OBJECT_SYSTEM:
        out.kind = ReindexKind::System;
        break;
      default:
        out.kind = ReindexKind::Table;
        break;
      }
      out.is_index = out.kind == ReindexKind::Index;
      out.concurrent = has_option(f->params, "concurrently");
      return out;
    }
    case T_CreateEnumStmt: {
      const auto* f = reinterpret_cast<const CreateEnumStmt*>(n);
      CreateEnum out;
      out.name = name_from_parts(strings_of(f->typeName));
      out.labels = strings_of(f->vals);
      return out;
    }
    case T_CompositeTypeStmt:
      return CreateType{range_var(reinterpret_cast<const CompositeTypeStmt*>(n)->typevar)};
    case T_CreateRangeStmt:
      return CreateType{
          name_from_parts(strings_of(reinterpret_cast<const CreateRangeStmt*>(n)->typeName))};
    case T_DefineStmt: {
      const auto* f = reinterpret_cast<const DefineStmt*>(n);
      if (f->kind == OBJECT_TYPE) {
        return CreateType{name_from_parts(strings_of(f->defnames))};
      }
      return Other{};
    }
    case T_AlterEnumStmt: {
      const auto* f = reinterpret_cast<const AlterEnumStmt*>(n);
      AlterEnum out;
      out.type = name_from_parts(strings_of(f->typeName));
      out.value = std::string(str(f->newVal));
      out.old_value = std::string(str(f->oldVal));
      out.neighbor = std::string(str(f->newValNeighbor));
      out.after = f->newValIsAfter;
      out.if_not_exists = f->skipIfNewValExists;
      return out;
    }
    case T_UpdateStmt: {
      const auto* f = reinterpret_cast<const UpdateStmt*>(n);
      return dml(DmlKind::Update, f->relation, f->whereClause, f->withClause, f->fromClause);
    }
    case T_DeleteStmt: {
      const auto* f = reinterpret_cast<const DeleteStmt*>(n);
      return dml(DmlKind::Delete, f->relation, f->whereClause, f->withClause, f->usingClause);
    }
    case T_InsertStmt: {
      const auto* f = reinterpret_cast<const InsertStmt*>(n);
      Dml out = dml(DmlKind::Insert, f->relation, nullptr, f->withClause, NIL);
      const auto* select = MIGLINT_AS(SelectStmt, f->selectStmt);
      out.from_query = select != nullptr && select->valuesLists == NIL;
      return out;
    }
    case T_DoStmt: {
      DoBlock out;
      for (const Node* e : nodes(reinterpret_cast<const DoStmt*>(n)->args)) {
        const auto* d = MIGLINT_AS(DefElem, e);
        if (d == nullptr || d->arg == nullptr) {
          continue;
        }
        if (str(d->defname) == "as") {
          out.body = string_of(d->arg);
        } else if (str(d->defname) == "language") {
          out.language = lower(string_of(d->arg));
        }
      }
      return out;
    }
    case T_CreateTrigStmt:
      return CreateTrigger{range_var(reinterpret_cast<const CreateTrigStmt*>(n)->relation)};
    case T_LockStmt: {
      const auto* f = reinterpret_cast<const LockStmt*>(n);
      LockTable out;
      for (const Node* e : nodes(f->relations)) {
        if (const auto* rv = MIGLINT_AS(RangeVar, e)) {
          out.tables.push_back(range_var(rv));
        }
      }
      // PostgreSQL's lock mode numbers: AccessShareLock = 1 ... AccessExclusiveLock = 8.
      const int mode = f->mode == 0 ? 8 : f->mode;
      out.mode =
          mode >= 1 && mode <= 8 ? static_cast<LockMode>(mode - 1) : LockMode::AccessExclusive;
      return out;
    }
    case T_VacuumStmt: {
      const auto* f = reinterpret_cast<const VacuumStmt*>(n);
      Vacuum out;
      out.full = f->is_vacuumcmd && has_option(f->options, "full");
      for (const Node* e : nodes(f->rels)) {
        if (const auto* rel = MIGLINT_AS(VacuumRelation, e)) {
          out.tables.push_back(range_var(rel->relation));
        }
      }
      return out;
    }
    case T_ClusterStmt: {
      const auto* f = reinterpret_cast<const ClusterStmt*>(n);
      Vacuum out;
      out.cluster = true;
      if (f->relation != nullptr) {
        out.tables.push_back(range_var(f->relation));
      }
      out.index = std::string(str(f->indexname));
      return out;
    }
    case T_DropdbStmt: {
      const auto* f = reinterpret_cast<const DropdbStmt*>(n);
      return DropDatabase{std::string(str(f->dbname)), f->missing_ok};
    }
    case T_CreateSchemaStmt: {
      const auto* f = reinterpret_cast<const CreateSchemaStmt*>(n);
      return CreateSchema{std::string(str(f->schemaname)), f->if_not_exists};
    }
    case T_CreateDomainStmt: {
      const auto* f = reinterpret_cast<const CreateDomainStmt*>(n);
      CreateDomain out;
      out.name = name_from_parts(strings_of(f->domainname));
      out.type = type_of(f->typeName);
      for (const Node* e : nodes(f->constraints)) {
        const auto* con = MIGLINT_AS(Constraint, e);
        if (con == nullptr) {
          continue;
        }
        if (con->contype == CONSTR_NOTNULL) {
          out.not_null = true;
        } else if (con->contype == CONSTR_CHECK) {
          out.constraints.push_back(constraint_of(con));
        }
      }
      return out;
    }
    case T_AlterDomainStmt: {
      const auto* f = reinterpret_cast<const AlterDomainStmt*>(n);
      AlterDomain out;
      out.domain = name_from_parts(strings_of(f->typeName));
      out.name = std::string(str(f->name));
      // AlterDomainStmt.subtype: T = SET/DROP DEFAULT, N = DROP NOT NULL, O = SET NOT NULL,
      // C = ADD CONSTRAINT, X = DROP CONSTRAINT, V = VALIDATE CONSTRAINT (parsenodes.h).
      switch (f->subtype) {
      case 'C':
        out.kind = AlterDomainKind::AddConstraint;
        break;
      case 'V':
        out.kind = AlterDomainKind::ValidateConstraint;
        break;
      case 'X':
        out.kind = AlterDomainKind::DropConstraint;
        break;
      case 'O':
        out.kind = AlterDomainKind::SetNotNull;
        break;
      case 'N':
        out.kind = AlterDomainKind::DropNotNull;
        break;
      case 'T':
        out.kind = AlterDomainKind::SetDefault;
        break;
      default:
        out.kind = AlterDomainKind::Other;
        break;
      }
      const auto* con = MIGLINT_AS(Constraint, f->def);
      if (out.kind == AlterDomainKind::AddConstraint && con != nullptr) {
        out.constraint = constraint_of(con);
        out.name = out.constraint->name;
      }
      return out;
    }
    default:
      return Other{};
    }
  }

private:
  // INSERT / UPDATE / DELETE: `where` and `from` (UPDATE's FROM, DELETE's USING) are NULL / NIL
  // for an INSERT.
  static Dml dml(DmlKind kind, const RangeVar* relation, const Node* where, const WithClause* with,
                 const List* from) {
    Dml out;
    out.kind = kind;
    out.table = range_var(relation);
    if (where != nullptr) {
      out.has_where = true;
      out.pins_rows = pins_rows(where);
    }
    if (kind != DmlKind::Insert && !out.pins_rows) {
      out.batched = has_limit(where) || has_limit(node_of(with)) || has_limit(from);
    }
    return out;
  }

  uint32_t m_base;
};

// libpg_query's name of each statement node (its JSON and protobuf tag): PostgreSQL's struct
// name, which is the NodeTag without its `T_`.
std::string_view statement_tag(const Node* n) {
  switch (nodeTag(n)) {
#define MIGLINT_TAG(name)                                                                          \
  case T_##name:                                                                                   \
    return #name;
    // clang-format off
    MIGLINT_TAG(RawStmt) MIGLINT_TAG(Query) MIGLINT_TAG(InsertStmt) MIGLINT_TAG(DeleteStmt)
    MIGLINT_TAG(UpdateStmt) MIGLINT_TAG(MergeStmt) MIGLINT_TAG(SelectStmt) MIGLINT_TAG(ReturnStmt)
    MIGLINT_TAG(PLAssignStmt) MIGLINT_TAG(AlterTableStmt) MIGLINT_TAG(AlterTableCmd)
    MIGLINT_TAG(AlterDomainStmt) MIGLINT_TAG(SetOperationStmt) MIGLINT_TAG(GrantStmt)
    MIGLINT_TAG(GrantRoleStmt) MIGLINT_TAG(AlterDefaultPrivilegesStmt) MIGLINT_TAG(ClosePortalStmt)
    MIGLINT_TAG(ClusterStmt) MIGLINT_TAG(CopyStmt) MIGLINT_TAG(CreateStmt) MIGLINT_TAG(DefineStmt)
    MIGLINT_TAG(DropStmt) MIGLINT_TAG(TruncateStmt) MIGLINT_TAG(CommentStmt) MIGLINT_TAG(FetchStmt)
    MIGLINT_TAG(IndexStmt) MIGLINT_TAG(CreateFunctionStmt) MIGLINT_TAG(AlterFunctionStmt)
    MIGLINT_TAG(DoStmt) MIGLINT_TAG(RenameStmt) MIGLINT_TAG(RuleStmt) MIGLINT_TAG(NotifyStmt)
    MIGLINT_TAG(ListenStmt) MIGLINT_TAG(UnlistenStmt) MIGLINT_TAG(TransactionStmt)
    MIGLINT_TAG(ViewStmt) MIGLINT_TAG(LoadStmt) MIGLINT_TAG(CreateDomainStmt)
    MIGLINT_TAG(CreatedbStmt) MIGLINT_TAG(DropdbStmt) MIGLINT_TAG(VacuumStmt)
    MIGLINT_TAG(ExplainStmt) MIGLINT_TAG(CreateTableAsStmt) MIGLINT_TAG(CreateSeqStmt)
    MIGLINT_TAG(AlterSeqStmt) MIGLINT_TAG(VariableSetStmt) MIGLINT_TAG(VariableShowStmt)
    MIGLINT_TAG(DiscardStmt) MIGLINT_TAG(CreateTrigStmt) MIGLINT_TAG(CreatePLangStmt)
    MIGLINT_TAG(CreateRoleStmt) MIGLINT_TAG(AlterRoleStmt) MIGLINT_TAG(DropRoleStmt)
    MIGLINT_TAG(LockStmt) MIGLINT_TAG(ConstraintsSetStmt) MIGLINT_TAG(ReindexStmt)
    MIGLINT_TAG(CheckPointStmt) MIGLINT_TAG(CreateSchemaStmt) MIGLINT_TAG(AlterDatabaseStmt)
    MIGLINT_TAG(AlterDatabaseRefreshCollStmt) MIGLINT_TAG(AlterDatabaseSetStmt)
    MIGLINT_TAG(AlterRoleSetStmt) MIGLINT_TAG(CreateConversionStmt) MIGLINT_TAG(CreateCastStmt)
    MIGLINT_TAG(CreateOpClassStmt) MIGLINT_TAG(CreateOpFamilyStmt) MIGLINT_TAG(AlterOpFamilyStmt)
    MIGLINT_TAG(PrepareStmt) MIGLINT_TAG(ExecuteStmt) MIGLINT_TAG(DeallocateStmt)
    MIGLINT_TAG(DeclareCursorStmt) MIGLINT_TAG(CreateTableSpaceStmt)
    MIGLINT_TAG(DropTableSpaceStmt) MIGLINT_TAG(AlterObjectDependsStmt)
    MIGLINT_TAG(AlterObjectSchemaStmt) MIGLINT_TAG(AlterOwnerStmt) MIGLINT_TAG(AlterOperatorStmt)
    MIGLINT_TAG(AlterTypeStmt) MIGLINT_TAG(DropOwnedStmt) MIGLINT_TAG(ReassignOwnedStmt)
    MIGLINT_TAG(CompositeTypeStmt) MIGLINT_TAG(CreateEnumStmt) MIGLINT_TAG(CreateRangeStmt)
    MIGLINT_TAG(AlterEnumStmt) MIGLINT_TAG(AlterTSDictionaryStmt)
    MIGLINT_TAG(AlterTSConfigurationStmt) MIGLINT_TAG(CreateFdwStmt) MIGLINT_TAG(AlterFdwStmt)
    MIGLINT_TAG(CreateForeignServerStmt) MIGLINT_TAG(AlterForeignServerStmt)
    MIGLINT_TAG(CreateUserMappingStmt) MIGLINT_TAG(AlterUserMappingStmt)
    MIGLINT_TAG(DropUserMappingStmt) MIGLINT_TAG(AlterTableSpaceOptionsStmt)
    MIGLINT_TAG(AlterTableMoveAllStmt) MIGLINT_TAG(SecLabelStmt)
    MIGLINT_TAG(CreateForeignTableStmt) MIGLINT_TAG(ImportForeignSchemaStmt)
    MIGLINT_TAG(CreateExtensionStmt) MIGLINT_TAG(AlterExtensionStmt)
    MIGLINT_TAG(AlterExtensionContentsStmt) MIGLINT_TAG(CreateEventTrigStmt)
    MIGLINT_TAG(AlterEventTrigStmt) MIGLINT_TAG(RefreshMatViewStmt)
    MIGLINT_TAG(ReplicaIdentityStmt) MIGLINT_TAG(AlterSystemStmt) MIGLINT_TAG(CreatePolicyStmt)
    MIGLINT_TAG(AlterPolicyStmt) MIGLINT_TAG(CreateTransformStmt) MIGLINT_TAG(CreateAmStmt)
    MIGLINT_TAG(CreatePublicationStmt) MIGLINT_TAG(AlterPublicationStmt)
    MIGLINT_TAG(CreateSubscriptionStmt) MIGLINT_TAG(AlterSubscriptionStmt)
    MIGLINT_TAG(DropSubscriptionStmt) MIGLINT_TAG(CreateStatsStmt) MIGLINT_TAG(AlterCollationStmt)
    MIGLINT_TAG(CallStmt) MIGLINT_TAG(AlterStatsStmt)
    // clang-format on
#undef MIGLINT_TAG
                                                                                                                        default
        : return "Unknown";
  }
}

bool is_data_statement(const Node* n) {
  switch (nodeTag(n)) {
  case T_InsertStmt:
  case T_UpdateStmt:
  case T_DeleteStmt:
  case T_SelectStmt:
  case T_MergeStmt:
  case T_CreateTableAsStmt:
    return true;
  default:
    return false;
  }
}

// The target of INSERT / UPDATE / DELETE / MERGE.
const RangeVar* written_relation(const Node* n) {
  switch (nodeTag(n)) {
  case T_InsertStmt:
    return reinterpret_cast<const InsertStmt*>(n)->relation;
  case T_UpdateStmt:
    return reinterpret_cast<const UpdateStmt*>(n)->relation;
  case T_DeleteStmt:
    return reinterpret_cast<const DeleteStmt*>(n)->relation;
  case T_MergeStmt:
    return reinterpret_cast<const MergeStmt*>(n)->relation;
  default:
    return nullptr;
  }
}

// Skips white space and comments (-- to the end of the line, nested /* */) from `i`.
size_t skip_blank(std::string_view text, size_t i, size_t end) {
  while (i < end) {
    if (std::isspace(static_cast<unsigned char>(text[i])) != 0) {
      ++i;
    } else if (text.compare(i, 2, "--") == 0) {
      const size_t eol = text.find('\n', i);
      i = eol == std::string_view::npos ? end : eol + 1;
    } else if (text.compare(i, 2, "/*") == 0) {
      int depth = 0;
      while (i < end) {
        if (text.compare(i, 2, "/*") == 0) {
          ++depth;
          i += 2;
        } else if (text.compare(i, 2, "*/") == 0) {
          i += 2;
          if (--depth == 0) {
            break;
          }
        } else {
          ++i;
        }
      }
    } else {
      break;
    }
  }
  return std::min(i, end);
}

// The end of the quoted token starting at `i` ('...', E'...', "...", $tag$...$tag$), or `i`
// when none starts there.
size_t skip_quoted(std::string_view text, size_t i, size_t end) {
  const char c = text[i];
  if (c == '\'' || c == '"') {
    const bool escapes = c == '\'' && i > 0 && (text[i - 1] == 'E' || text[i - 1] == 'e') &&
                         (i < 2 || (std::isalnum(static_cast<unsigned char>(text[i - 2])) == 0 &&
                                    text[i - 2] != '_'));
    for (size_t j = i + 1; j < end; ++j) {
      if (escapes && text[j] == '\\') {
        ++j;
      } else if (text[j] == c) {
        if (j + 1 < end && text[j + 1] == c) {
          ++j; // a doubled quote
        } else {
          return j + 1;
        }
      }
    }
    return end;
  }
  if (c == '$') {
    size_t j = i + 1;
    while (j < end && (std::isalnum(static_cast<unsigned char>(text[j])) != 0 || text[j] == '_')) {
      ++j;
    }
    if (j < end && text[j] == '$' &&
        (j == i + 1 || std::isdigit(static_cast<unsigned char>(text[i + 1])) == 0)) {
      const std::string_view tag = text.substr(i, j + 1 - i);
      const size_t close = text.find(tag, j + 1);
      return close == std::string_view::npos || close >= end ? end : close + tag.size();
    }
  }
  return i;
}

// Where each subcommand of an ALTER TABLE is written in the script: the text after the table's
// name (at `name_at`) up to the statement's end (`end`), cut at the commas outside parentheses,
// quotes and comments, each piece trimmed. libpg_query keeps no location for AlterTableCmd, so
// the pieces are matched to the subcommands by order; empty when their count is not `expected`.
std::vector<Span> subcommand_spans(std::string_view text, uint32_t name_at, uint32_t end,
                                   size_t expected) {
  size_t i = name_at;
  // The (possibly qualified, possibly quoted) name, and an inheritance `*`.
  for (;;) {
    i = skip_blank(text, i, end);
    if (i < end && text[i] == '"') {
      i = skip_quoted(text, i, end);
    } else {
      while (i < end && (std::isalnum(static_cast<unsigned char>(text[i])) != 0 || text[i] == '_' ||
                         text[i] == '$' || static_cast<unsigned char>(text[i]) >= 0x80)) {
        ++i;
      }
    }
    const size_t after = skip_blank(text, i, end);
    if (after < end && text[after] == '.') {
      i = after + 1;
      continue;
    }
    i = after < end && text[after] == '*' ? after + 1 : after;
    break;
  }
  std::vector<Span> out;
  size_t piece = skip_blank(text, i, end);
  int depth = 0;
  auto close = [&](size_t at) {
    size_t last = at;
    while (last > piece && (std::isspace(static_cast<unsigned char>(text[last - 1])) != 0 ||
                            text[last - 1] == ';')) {
      --last;
    }
    out.push_back({static_cast<uint32_t>(piece), static_cast<uint32_t>(last)});
  };
  while (i < end) {
    if (const size_t q = skip_quoted(text, i, end); q != i) {
      i = q;
    } else if (const size_t b = skip_blank(text, i, end); b != i) {
      i = b;
    } else if (text[i] == '(' || text[i] == '[') {
      ++depth;
      ++i;
    } else if (text[i] == ')' || text[i] == ']') {
      --depth;
      ++i;
    } else if (text[i] == ',' && depth == 0) {
      close(i);
      i = skip_blank(text, i + 1, end);
      piece = i;
    } else {
      ++i;
    }
  }
  close(end);
  if (out.size() != expected) {
    out.clear();
  }
  return out;
}

Statement transform_statement(const Node* stmt, Span span, uint32_t base, std::string_view script) {
  Statement out;
  out.span = span;
  out.tag = std::string(statement_tag(stmt));
  out.node = Transformer(base).statement_node(stmt);
  if (auto* alter = std::get_if<AlterTable>(&out.node); alter != nullptr && !script.empty()) {
    const RangeVar* relation = reinterpret_cast<const AlterTableStmt*>(stmt)->relation;
    // A location of 0 (the text's first byte) cannot be the name after ALTER TABLE.
    const int at = relation != nullptr && relation->location > 0 ? relation->location : -1;
    if (at >= 0 && base + static_cast<uint32_t>(at) < span.end && span.end <= script.size()) {
      const auto spans =
          subcommand_spans(script, base + static_cast<uint32_t>(at), span.end, alter->cmds.size());
      for (size_t k = 0; k < spans.size(); ++k) {
        alter->cmds[k].span = spans[k];
      }
    }
  }
  if (is_data_statement(stmt)) {
    DataAccess data;
    data.written = range_var(written_relation(stmt));
    collect_data_access(stmt, false, data);
    if (!data.written.name.empty()) { // a typed field, not a table read
      data.tables.push_back(data.written);
    }
    out.data = std::move(data);
  }
  return out;
}

// The raw parse of `text` with PostgreSQL's default grammar (a list of statements).
PgQueryInternalParsetreeAndError raw_parse(const char* text) {
#ifdef PG_QUERY_PARSE_MODE_BITS
  return pg_query_raw_parse(text, PG_QUERY_PARSE_DEFAULT);
#else
  return pg_query_raw_parse(text);
#endif
}

// libpg_query's memory context of this thread for one parse: the tree lives until it is left.
class MemoryContextScope {
public:
  MemoryContextScope() : m_context(pg_query_enter_memory_context()) {}
  MemoryContextScope(const MemoryContextScope&) = delete;
  MemoryContextScope& operator=(const MemoryContextScope&) = delete;
  ~MemoryContextScope() { pg_query_exit_memory_context(m_context); }

private:
  MemoryContext m_context;
};

} // namespace

std::optional<RawParseError> parse_statements(const char* text, uint32_t base, uint32_t length,
                                              std::string_view script, StatementSink& out) {
  const MemoryContextScope context;
  const PgQueryInternalParsetreeAndError result = raw_parse(text);
  std::free(result.stderr_buffer);
  if (result.error != nullptr) {
    RawParseError error{std::string(str(result.error->message)), result.error->cursorpos};
    pg_query_free_error(result.error);
    return error;
  }
  out.expect(static_cast<size_t>(list_length(result.tree)));
  for (const Node* n : nodes(result.tree)) {
    const auto* raw = MIGLINT_AS(RawStmt, n);
    if (raw == nullptr) {
      continue;
    }
    // A length of 0 means "to the end of the text".
    const uint32_t begin = base + static_cast<uint32_t>(raw->stmt_location);
    const uint32_t end =
        raw->stmt_len == 0 ? base + length : begin + static_cast<uint32_t>(raw->stmt_len);
    const Span span = out.trim(begin, end);
    if (span.begin < span.end && raw->stmt != nullptr) {
      out.add(transform_statement(raw->stmt, span, base, script));
    }
  }
  return std::nullopt;
}

} // namespace miglint::sql
