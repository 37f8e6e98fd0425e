#include "sql/transform.hpp"

#include <algorithm>
#include <cctype>
#include <optional>
#include <set>
#include <utility>

namespace miglint::sql {
namespace {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::object;

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// libpg_query's JSON leaves out fields that hold their default (false, 0, empty), so every
// accessor has one.
std::string_view str(object o, std::string_view key) {
  std::string_view v;
  return o[key].get(v) == simdjson::SUCCESS ? v : std::string_view();
}

bool flag(object o, std::string_view key) {
  bool v = false;
  return o[key].get(v) == simdjson::SUCCESS && v;
}

int64_t integer(object o, std::string_view key, int64_t fallback = 0) {
  int64_t v = 0;
  return o[key].get(v) == simdjson::SUCCESS ? v : fallback;
}

// A node is {"Tag": {fields}}; `fields` is empty when `e` is not a node.
struct Node {
  std::string_view tag;
  object fields;
  bool valid = false;
  bool is(std::string_view t) const { return valid && tag == t; }
};

Node node(element e) {
  object o;
  if (e.get(o) != simdjson::SUCCESS) {
    return {};
  }
  for (auto field : o) {
    object inner;
    if (field.value.get(inner) == simdjson::SUCCESS) {
      return {field.key, inner, true};
    }
    return {};
  }
  return {};
}

Node node(object o, std::string_view key) {
  element e;
  return o[key].get(e) == simdjson::SUCCESS ? node(e) : Node{};
}

// A field holding a struct directly (not wrapped in a node), such as RangeVar `relation`.
bool sub(object o, std::string_view key, object& out) {
  return o[key].get(out) == simdjson::SUCCESS;
}

// An empty array to stand for lists libpg_query left out (a default-constructed one cannot be
// iterated).
array empty_array() {
  static const simdjson::padded_string text(std::string_view("[]"));
  static simdjson::dom::parser parser;
  static const array empty = parser.parse(text).get_array().value_unsafe();
  return empty;
}

array list(object o, std::string_view key) {
  array a;
  return o[key].get(a) == simdjson::SUCCESS ? a : empty_array();
}

// The string value of a String node (names in lists), or "" for anything else.
std::string string_of(element e) {
  const Node n = node(e);
  return n.is("String") ? std::string(str(n.fields, "sval")) : std::string();
}

std::vector<std::string> strings_of(array a) {
  std::vector<std::string> out;
  for (element e : a) {
    out.push_back(string_of(e));
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

QualifiedName range_var(object rv) {
  return {std::string(str(rv, "schemaname")), std::string(str(rv, "relname"))};
}

QualifiedName range_var(object o, std::string_view key) {
  object rv;
  return sub(o, key, rv) ? range_var(rv) : QualifiedName{};
}

// A dotted name in DROP and RENAME: a List of Strings, a TypeName, a String or an
// ObjectWithArgs.
QualifiedName name_of_object(element e) {
  const Node n = node(e);
  if (n.is("List")) {
    return name_from_parts(strings_of(list(n.fields, "items")));
  }
  if (n.is("TypeName")) {
    return name_from_parts(strings_of(list(n.fields, "names")));
  }
  if (n.is("String")) {
    return {"", std::string(str(n.fields, "sval"))};
  }
  if (n.is("ObjectWithArgs")) {
    return name_from_parts(strings_of(list(n.fields, "objname")));
  }
  return {};
}

TypeName type_of(object t) {
  TypeName out;
  out.names = strings_of(list(t, "names"));
  for (element m : list(t, "typmods")) {
    out.has_modifiers = true;
    const Node c = node(m);
    object ival;
    if (c.is("A_Const") && sub(c.fields, "ival", ival)) {
      out.modifiers.push_back(integer(ival, "ival"));
    }
  }
  out.array = list(t, "arrayBounds").size() > 0;
  return out;
}

TypeName type_of(object o, std::string_view key) {
  object t;
  return sub(o, key, t) ? type_of(t) : TypeName{};
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

class ExprAnalyzer {
public:
  Expr analyze(element e) {
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

  void visit_list(object o, std::string_view key) {
    for (element e : list(o, key)) {
      visit(e, false);
    }
  }

  void visit_field(object o, std::string_view key, bool top = false) {
    element e;
    if (o[key].get(e) == simdjson::SUCCESS) {
      visit(e, top);
    }
  }

  // `top` is true for the expression itself and for the operands of a top-level AND, where a
  // `col IS NOT NULL` proves the column has no NULLs.
  void visit(element e, bool top) {
    const Node n = node(e);
    if (!n.valid) {
      return;
    }
    const std::string_view tag = n.tag;
    if (tag == "A_Const") {
      if (top && flag(n.fields, "isnull")) {
        m_expr.is_null = true;
      }
    } else if (tag == "TypeCast" || tag == "CollateClause") {
      visit_field(n.fields, "arg", top);
    } else if (tag == "FuncCall") {
      const auto parts = strings_of(list(n.fields, "funcname"));
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
      visit_list(n.fields, "args");
    } else if (tag == "SQLValueFunction") {
      mark_stable(); // CURRENT_TIMESTAMP, CURRENT_DATE, CURRENT_USER, ...
    } else if (tag == "A_Expr") {
      visit_field(n.fields, "lexpr");
      visit_field(n.fields, "rexpr");
    } else if (tag == "BoolExpr") {
      const bool conjunction = str(n.fields, "boolop") == "AND_EXPR";
      for (element arg : list(n.fields, "args")) {
        visit(arg, top && conjunction);
      }
    } else if (tag == "NullTest") {
      element arg;
      if (n.fields["arg"].get(arg) == simdjson::SUCCESS) {
        const Node ref = node(arg);
        if (top && str(n.fields, "nulltesttype") == "IS_NOT_NULL" && ref.is("ColumnRef") &&
            list(ref.fields, "fields").size() == 1 && !m_expr.not_null_column) {
          m_expr.not_null_column = string_of(list(ref.fields, "fields").at(0).value_unsafe());
        }
        visit(arg, false);
      }
    } else if (tag == "CoalesceExpr" || tag == "MinMaxExpr" || tag == "RowExpr") {
      visit_list(n.fields, "args");
    } else if (tag == "CaseExpr") {
      visit_field(n.fields, "arg");
      visit_list(n.fields, "args");
      visit_field(n.fields, "defresult");
    } else if (tag == "CaseWhen") {
      visit_field(n.fields, "expr");
      visit_field(n.fields, "result");
    } else if (tag == "A_ArrayExpr") {
      visit_list(n.fields, "elements");
    } else if (tag == "ColumnRef" || tag == "ParamRef") {
      // no effect on volatility
    } else if (tag == "SubLink") {
      mark_volatile("a subquery", true);
    } else {
      // Any other construct: do not claim it is safe.
      mark_volatile("an expression miglint cannot classify", true);
    }
  }

  Expr m_expr;
};

Expr expr_of(element e) {
  return ExprAnalyzer().analyze(e);
}

Expr expr_of(object o, std::string_view key) {
  element e;
  return o[key].get(e) == simdjson::SUCCESS ? expr_of(e) : Expr{};
}

bool has(object o, std::string_view key) {
  element e;
  return o[key].get(e) == simdjson::SUCCESS;
}

// --- names PostgreSQL gives unnamed indexes ---------------------------------------------------

// parse_target.c FigureColnameInternal for the expressions miglint can name: a column, a
// function call, a cast, NULLIF, COALESCE, GREATEST/LEAST (strength 2 or 1, with the name), an
// operator or a constant (strength 0: no name). nullopt for anything else.
std::optional<std::pair<std::string, int>> figure_colname(const Node& n) {
  if (n.is("ColumnRef")) {
    array fields = list(n.fields, "fields");
    std::string last;
    bool star = false;
    for (element e : fields) {
      last = string_of(e);
      star = last.empty();
    }
    if (star) {
      return std::pair<std::string, int>{"", 0};
    }
    return std::pair<std::string, int>{last, 2};
  }
  if (n.is("FuncCall")) {
    const auto names = strings_of(list(n.fields, "funcname"));
    if (names.empty()) {
      return std::nullopt;
    }
    return std::pair<std::string, int>{names.back(), 2};
  }
  if (n.is("TypeCast")) {
    const auto inner = figure_colname(node(n.fields, "arg"));
    if (!inner) {
      return std::nullopt;
    }
    if (inner->second > 1) {
      return inner;
    }
    object type;
    if (!sub(n.fields, "typeName", type)) {
      return inner;
    }
    const auto names = strings_of(list(type, "names"));
    if (names.empty()) {
      return inner;
    }
    return std::pair<std::string, int>{names.back(), 1};
  }
  if (n.is("A_Expr")) {
    const std::string_view kind = str(n.fields, "kind");
    if (kind == "AEXPR_NULLIF") {
      return std::pair<std::string, int>{"nullif", 2};
    }
    if (kind == "AEXPR_OP") {
      return std::pair<std::string, int>{"", 0};
    }
    return std::nullopt;
  }
  if (n.is("CoalesceExpr")) {
    return std::pair<std::string, int>{"coalesce", 2};
  }
  if (n.is("MinMaxExpr")) {
    return std::pair<std::string, int>{str(n.fields, "op") == "IS_GREATEST" ? "greatest" : "least",
                                       2};
  }
  if (n.is("A_Const")) {
    return std::pair<std::string, int>{"", 0};
  }
  return std::nullopt;
}

// The name an IndexElem contributes to an unnamed index's name (indexcmds.c
// ChooseIndexColumnNames, before de-duplication), or nullopt when miglint cannot tell.
std::optional<std::string> index_column_name(object elem) {
  if (const std::string_view given = str(elem, "indexcolname"); !given.empty()) {
    return std::string(given);
  }
  if (const std::string_view column = str(elem, "name"); !column.empty()) {
    return std::string(column);
  }
  const auto figured = figure_colname(node(elem, "expr"));
  if (!figured) {
    return std::nullopt;
  }
  return figured->second == 0 ? std::string("expr") : figured->first; // FigureIndexColname
}

// --- constraints and columns -------------------------------------------------------------------

class Transformer {
public:
  explicit Transformer(uint32_t base) : m_base(base) {}

  uint32_t loc(object o) const {
    const int64_t location = integer(o, "location", -1);
    return location < 0 ? m_base : m_base + static_cast<uint32_t>(location);
  }

  Constraint constraint_of(object c) const {
    Constraint out;
    out.name = std::string(str(c, "conname"));
    out.location = loc(c);
    out.using_index = std::string(str(c, "indexname"));
    out.not_valid = flag(c, "skip_validation");
    const std::string_view type = str(c, "contype");
    if (type == "CONSTR_CHECK") {
      out.kind = ConstraintKind::Check;
      out.check = expr_of(c, "raw_expr");
    } else if (type == "CONSTR_FOREIGN") {
      out.kind = ConstraintKind::ForeignKey;
      out.columns = strings_of(list(c, "fk_attrs"));
      out.references = range_var(c, "pktable");
      out.ref_columns = strings_of(list(c, "pk_attrs"));
      auto action = [](std::string_view code) -> std::string {
        return code == "c"   ? "CASCADE"
               : code == "n" ? "SET NULL"
               : code == "d" ? "SET DEFAULT"
               : code == "r" ? "RESTRICT"
                             : ""; // "a": NO ACTION, the default
      };
      out.on_delete = action(str(c, "fk_del_action"));
      out.on_update = action(str(c, "fk_upd_action"));
    } else if (type == "CONSTR_UNIQUE") {
      out.kind = ConstraintKind::Unique;
      out.columns = strings_of(list(c, "keys"));
    } else if (type == "CONSTR_PRIMARY") {
      out.kind = ConstraintKind::PrimaryKey;
      out.columns = strings_of(list(c, "keys"));
    } else if (type == "CONSTR_EXCLUSION") {
      out.kind = ConstraintKind::Exclusion;
      // Each element is a list (index element, operator); the element's name, as PostgreSQL
      // names the constraint's index ("" when miglint cannot tell).
      for (element e : list(c, "exclusions")) {
        const Node pair = node(e);
        std::optional<std::string> name;
        if (pair.is("List")) {
          for (element item : list(pair.fields, "items")) {
            if (const Node elem = node(item); elem.is("IndexElem")) {
              name = index_column_name(elem.fields);
            }
            break;
          }
        }
        out.columns.push_back(name.value_or(""));
      }
    }
    return out;
  }

  ColumnDef column_of(object c) const {
    ColumnDef out;
    out.name = std::string(str(c, "colname"));
    out.type = type_of(c, "typeName");
    out.location = loc(c);
    out.not_null = flag(c, "is_not_null");
    if (has(c, "raw_default")) {
      out.default_value = expr_of(c, "raw_default");
    }
    for (element e : list(c, "constraints")) {
      const Node n = node(e);
      if (!n.is("Constraint")) {
        continue;
      }
      const std::string_view type = str(n.fields, "contype");
      if (type == "CONSTR_NOTNULL") {
        out.not_null = true;
      } else if (type == "CONSTR_NULL") {
        out.not_null = false;
      } else if (type == "CONSTR_DEFAULT") {
        out.default_value = expr_of(n.fields, "raw_expr");
      } else if (type == "CONSTR_IDENTITY") {
        out.identity = true;
        out.not_null = true;
      } else if (type == "CONSTR_GENERATED") {
        out.generated_stored = true;
      } else if (type == "CONSTR_PRIMARY" || type == "CONSTR_UNIQUE" || type == "CONSTR_FOREIGN" ||
                 type == "CONSTR_CHECK") {
        Constraint inline_constraint = constraint_of(n.fields);
        inline_constraint.columns = {out.name};
        if (type == "CONSTR_PRIMARY") {
          out.primary_key = true;
          out.not_null = true;
        }
        out.constraints.push_back(std::move(inline_constraint));
      }
    }
    if (out.type.is_serial()) {
      out.not_null = true;
    }
    return out;
  }

  AlterTableCmd alter_cmd_of(object c) const {
    AlterTableCmd out;
    out.column = std::string(str(c, "name"));
    out.name = out.column;
    out.missing_ok = flag(c, "missing_ok");
    out.cascade = str(c, "behavior") == "DROP_CASCADE";
    const Node def = node(c, "def");
    const std::string_view subtype = str(c, "subtype");
    if (subtype == "AT_AddColumn" || subtype == "AT_AddColumnRecurse") {
      out.kind = AlterKind::AddColumn;
      if (def.is("ColumnDef")) {
        out.column_def = column_of(def.fields);
        out.column = out.column_def->name;
      }
    } else if (subtype == "AT_DropColumn" || subtype == "AT_DropColumnRecurse") {
      out.kind = AlterKind::DropColumn;
    } else if (subtype == "AT_AlterColumnType") {
      out.kind = AlterKind::AlterColumnType;
      if (def.is("ColumnDef")) {
        out.type = type_of(def.fields, "typeName");
        out.has_using = has(def.fields, "raw_default");
        if (out.has_using) {
          // USING the column itself converts as no USING does (PostgreSQL may keep the table).
          const Node u = node(def.fields, "raw_default");
          out.using_is_column =
              u.is("ColumnRef") && list(u.fields, "fields").size() == 1 &&
              string_of(list(u.fields, "fields").at(0).value_unsafe()) == out.column;
        }
      }
    } else if (subtype == "AT_SetNotNull") {
      out.kind = AlterKind::SetNotNull;
    } else if (subtype == "AT_DropNotNull") {
      out.kind = AlterKind::DropNotNull;
    } else if (subtype == "AT_ColumnDefault") {
      element e;
      if (c["def"].get(e) == simdjson::SUCCESS) {
        out.kind = AlterKind::SetDefault;
        out.default_value = expr_of(e);
      } else {
        out.kind = AlterKind::DropDefault;
      }
    } else if (subtype == "AT_AddConstraint" || subtype == "AT_AddConstraintRecurse") {
      out.kind = AlterKind::AddConstraint;
      out.column.clear();
      if (def.is("Constraint")) {
        out.constraint = constraint_of(def.fields);
        out.name = out.constraint->name;
      }
    } else if (subtype == "AT_ValidateConstraint" || subtype == "AT_ValidateConstraintRecurse") {
      out.kind = AlterKind::ValidateConstraint;
      out.column.clear();
    } else if (subtype == "AT_DropConstraint" || subtype == "AT_DropConstraintRecurse") {
      out.kind = AlterKind::DropConstraint;
      out.column.clear();
    } else if (subtype == "AT_AddIdentity") {
      out.kind = AlterKind::AddIdentity;
    } else if (subtype == "AT_SetLogged") {
      out.kind = AlterKind::SetLogged;
    } else if (subtype == "AT_SetUnLogged") {
      out.kind = AlterKind::SetUnlogged;
    } else if (subtype == "AT_SetTableSpace") {
      out.kind = AlterKind::SetTablespace;
    } else if (subtype == "AT_ChangeOwner") {
      out.kind = AlterKind::ChangeOwner;
    } else if (subtype == "AT_SetStatistics") {
      out.kind = AlterKind::SetStatistics;
    } else if (subtype == "AT_AttachPartition" || subtype == "AT_DetachPartition") {
      out.kind =
          subtype == "AT_AttachPartition" ? AlterKind::AttachPartition : AlterKind::DetachPartition;
      out.column.clear();
      if (def.is("PartitionCmd")) {
        out.partition = range_var(def.fields, "name");
        out.name = out.partition.display();
        if (flag(def.fields, "concurrent") && out.kind == AlterKind::DetachPartition) {
          out.kind = AlterKind::DetachPartitionConcurrently;
        }
      }
    }
    return out;
  }

  StatementNode node_of(const Node& n) const {
    const object f = n.fields;
    const std::string_view tag = n.tag;
    if (tag == "AlterTableStmt") {
      AlterTable out;
      out.table = range_var(f, "relation");
      out.missing_ok = flag(f, "missing_ok");
      out.relation_kind = relation_kind_of(str(f, "objtype"));
      for (element e : list(f, "cmds")) {
        const Node cmd = node(e);
        if (cmd.is("AlterTableCmd")) {
          out.cmds.push_back(alter_cmd_of(cmd.fields));
        }
      }
      return out;
    }
    if (tag == "CreateStmt") {
      CreateTable out;
      out.table = range_var(f, "relation");
      out.if_not_exists = flag(f, "if_not_exists");
      object rel;
      out.temporary = sub(f, "relation", rel) && str(rel, "relpersistence") == "t";
      out.partition_of = has(f, "partbound");
      out.partitioned = has(f, "partspec");
      if (out.partition_of) {
        for (element e : list(f, "inhRelations")) {
          if (const Node rv = node(e); rv.is("RangeVar")) {
            out.parent = range_var(rv.fields);
          }
        }
      }
      out.copies_other = !out.partition_of && list(f, "inhRelations").size() != 0;
      for (element e : list(f, "tableElts")) {
        const Node elt = node(e);
        if (elt.is("TableLikeClause")) {
          out.copies_other = true;
        }
        if (elt.is("ColumnDef")) {
          out.columns.push_back(column_of(elt.fields));
        } else if (elt.is("Constraint")) {
          out.constraints.push_back(constraint_of(elt.fields));
        }
      }
      for (element e : list(f, "constraints")) {
        const Node c = node(e);
        if (c.is("Constraint")) {
          out.constraints.push_back(constraint_of(c.fields));
        }
      }
      return out;
    }
    if (tag == "CreateTableAsStmt") {
      CreateTableAs out;
      object into;
      if (sub(f, "into", into)) {
        out.table = range_var(into, "rel");
        object rel;
        out.temporary = sub(into, "rel", rel) && str(rel, "relpersistence") == "t";
      }
      out.materialized_view = str(f, "objtype") == "OBJECT_MATVIEW";
      return out;
    }
    if (tag == "IndexStmt") {
      CreateIndex out;
      out.name = std::string(str(f, "idxname"));
      out.table = range_var(f, "relation");
      out.unique = flag(f, "unique");
      out.concurrent = flag(f, "concurrent");
      out.if_not_exists = flag(f, "if_not_exists");
      object rel;
      out.only = sub(f, "relation", rel) && !flag(rel, "inh");
      for (element e : list(f, "indexParams")) {
        const Node elem = node(e);
        const std::string_view column = elem.valid ? str(elem.fields, "name") : "";
        out.columns.emplace_back(column); // empty for an expression
      }
      for (const char* params : {"indexParams", "indexIncludingParams"}) {
        for (element e : list(f, params)) {
          const Node elem = node(e);
          auto name = elem.valid ? index_column_name(elem.fields) : std::nullopt;
          out.name_known = out.name_known && name.has_value();
          out.name_columns.push_back(name.value_or(""));
        }
      }
      return out;
    }
    if (tag == "DropStmt") {
      Drop out;
      out.kind = object_kind_of(str(f, "removeType"));
      out.concurrent = flag(f, "concurrent");
      out.cascade = str(f, "behavior") == "DROP_CASCADE";
      out.missing_ok = flag(f, "missing_ok");
      for (element e : list(f, "objects")) {
        out.objects.push_back(name_of_object(e));
      }
      return out;
    }
    if (tag == "RenameStmt") {
      Rename out;
      out.kind = object_kind_of(str(f, "renameType"));
      object rel;
      element obj;
      if (sub(f, "relation", rel)) {
        out.relation = range_var(rel);
      } else if (f["object"].get(obj) == simdjson::SUCCESS) {
        out.relation = name_of_object(obj);
      }
      out.old_name = std::string(str(f, "subname"));
      out.new_name = std::string(str(f, "newname"));
      return out;
    }
    if (tag == "TruncateStmt") {
      Truncate out;
      out.cascade = str(f, "behavior") == "DROP_CASCADE";
      for (element e : list(f, "relations")) {
        const Node rv = node(e);
        if (rv.is("RangeVar")) {
          out.tables.push_back(range_var(rv.fields));
        }
      }
      return out;
    }
    if (tag == "VariableSetStmt") {
      SetVariable out;
      out.name = lower(str(f, "name"));
      out.local = flag(f, "is_local");
      const std::string_view kind = str(f, "kind");
      out.reset = kind == "VAR_RESET" || kind == "VAR_RESET_ALL" || kind == "VAR_SET_DEFAULT";
      for (element e : list(f, "args")) {
        const Node c = node(e);
        object v;
        if (c.is("A_Const")) {
          if (sub(c.fields, "sval", v)) {
            out.value = std::string(str(v, "sval"));
          } else if (sub(c.fields, "ival", v)) {
            out.value = std::to_string(integer(v, "ival"));
          } else if (sub(c.fields, "fval", v)) {
            out.value = std::string(str(v, "fval"));
          }
        }
        break; // the first argument is the value
      }
      return out;
    }
    if (tag == "TransactionStmt") {
      const std::string_view kind = str(f, "kind");
      Transaction out;
      if (kind == "TRANS_STMT_BEGIN" || kind == "TRANS_STMT_START") {
        out.kind = TxKind::Begin;
      } else if (kind == "TRANS_STMT_COMMIT") {
        out.kind = TxKind::Commit;
      } else if (kind == "TRANS_STMT_ROLLBACK") {
        out.kind = TxKind::Rollback;
      } else if (kind == "TRANS_STMT_SAVEPOINT") {
        out.kind = TxKind::Savepoint;
      } else if (kind == "TRANS_STMT_RELEASE") {
        out.kind = TxKind::Release;
      } else if (kind == "TRANS_STMT_ROLLBACK_TO") {
        out.kind = TxKind::RollbackTo;
      }
      return out;
    }
    if (tag == "ReindexStmt") {
      Reindex out;
      object rel;
      out.target =
          sub(f, "relation", rel) ? range_var(rel) : QualifiedName{"", std::string(str(f, "name"))};
      const std::string_view kind = str(f, "kind");
      out.kind = kind == "REINDEX_OBJECT_INDEX"      ? ReindexKind::Index
                 : kind == "REINDEX_OBJECT_SCHEMA"   ? ReindexKind::Schema
                 : kind == "REINDEX_OBJECT_DATABASE" ? ReindexKind::Database
                 : kind == "REINDEX_OBJECT_SYSTEM"   ? ReindexKind::System
                                                     : ReindexKind::Table;
      out.is_index = out.kind == ReindexKind::Index;
      out.concurrent = has_option(list(f, "params"), "concurrently");
      return out;
    }
    if (tag == "CreateEnumStmt") {
      CreateEnum out;
      out.name = name_from_parts(strings_of(list(f, "typeName")));
      out.labels = strings_of(list(f, "vals"));
      return out;
    }
    if (tag == "CompositeTypeStmt") {
      return CreateType{range_var(f, "typevar")};
    }
    if (tag == "CreateRangeStmt") {
      return CreateType{name_from_parts(strings_of(list(f, "typeName")))};
    }
    if (tag == "DefineStmt" && str(f, "kind") == "OBJECT_TYPE") {
      return CreateType{name_from_parts(strings_of(list(f, "defnames")))};
    }
    if (tag == "AlterEnumStmt") {
      AlterEnum out;
      out.type = name_from_parts(strings_of(list(f, "typeName")));
      out.value = std::string(str(f, "newVal"));
      out.old_value = std::string(str(f, "oldVal"));
      out.neighbor = std::string(str(f, "newValNeighbor"));
      out.after = flag(f, "newValIsAfter");
      out.if_not_exists = flag(f, "skipIfNewValExists");
      return out;
    }
    if (tag == "UpdateStmt" || tag == "DeleteStmt" || tag == "InsertStmt") {
      Dml out;
      out.kind = tag == "UpdateStmt"   ? DmlKind::Update
                 : tag == "DeleteStmt" ? DmlKind::Delete
                                       : DmlKind::Insert;
      out.table = range_var(f, "relation");
      element where;
      if (f["whereClause"].get(where) == simdjson::SUCCESS) {
        out.has_where = true;
        out.pins_rows = pins_rows(where);
      }
      if (out.kind != DmlKind::Insert && !out.pins_rows) {
        for (const char* part : {"whereClause", "withClause", "fromClause", "usingClause"}) {
          element e;
          if (f[part].get(e) == simdjson::SUCCESS && has_limit(e)) {
            out.batched = true;
          }
        }
      }
      if (out.kind == DmlKind::Insert) {
        const Node select = node(f, "selectStmt");
        out.from_query = select.is("SelectStmt") && !has(select.fields, "valuesLists");
      }
      return out;
    }
    if (tag == "DoStmt") {
      DoBlock out;
      for (element e : list(f, "args")) {
        const Node d = node(e);
        if (!d.is("DefElem")) {
          continue;
        }
        element arg;
        if (d.fields["arg"].get(arg) != simdjson::SUCCESS) {
          continue;
        }
        if (str(d.fields, "defname") == "as") {
          out.body = string_of(arg);
        } else if (str(d.fields, "defname") == "language") {
          out.language = lower(string_of(arg));
        }
      }
      return out;
    }
    if (tag == "CreateTrigStmt") {
      return CreateTrigger{range_var(f, "relation")};
    }
    if (tag == "LockStmt") {
      LockTable out;
      for (element e : list(f, "relations")) {
        const Node rv = node(e);
        if (rv.is("RangeVar")) {
          out.tables.push_back(range_var(rv.fields));
        }
      }
      // PostgreSQL's lock mode numbers: AccessShareLock = 1 ... AccessExclusiveLock = 8.
      const int64_t mode = integer(f, "mode", 8);
      out.mode =
          mode >= 1 && mode <= 8 ? static_cast<LockMode>(mode - 1) : LockMode::AccessExclusive;
      return out;
    }
    if (tag == "VacuumStmt") {
      Vacuum out;
      out.full = flag(f, "is_vacuumcmd") && has_option(list(f, "options"), "full");
      for (element e : list(f, "rels")) {
        const Node rel = node(e);
        if (rel.is("VacuumRelation")) {
          out.tables.push_back(range_var(rel.fields, "relation"));
        }
      }
      return out;
    }
    if (tag == "ClusterStmt") {
      Vacuum out;
      out.cluster = true;
      if (has(f, "relation")) {
        out.tables.push_back(range_var(f, "relation"));
      }
      out.index = std::string(str(f, "indexname"));
      return out;
    }
    if (tag == "DropdbStmt") {
      return DropDatabase{std::string(str(f, "dbname")), flag(f, "missing_ok")};
    }
    if (tag == "CreateSchemaStmt") {
      return CreateSchema{std::string(str(f, "schemaname")), flag(f, "if_not_exists")};
    }
    if (tag == "CreateDomainStmt") {
      CreateDomain out;
      out.name = name_from_parts(strings_of(list(f, "domainname")));
      out.type = type_of(f, "typeName");
      for (element e : list(f, "constraints")) {
        const Node c = node(e);
        if (!c.is("Constraint")) {
          continue;
        }
        const std::string_view type = str(c.fields, "contype");
        if (type == "CONSTR_NOTNULL") {
          out.not_null = true;
        } else if (type == "CONSTR_CHECK") {
          out.constraints.push_back(constraint_of(c.fields));
        }
      }
      return out;
    }
    if (tag == "AlterDomainStmt") {
      AlterDomain out;
      out.domain = name_from_parts(strings_of(list(f, "typeName")));
      out.name = std::string(str(f, "name"));
      // AlterDomainStmt.subtype: T = SET/DROP DEFAULT, N = DROP NOT NULL, O = SET NOT NULL,
      // C = ADD CONSTRAINT, X = DROP CONSTRAINT, V = VALIDATE CONSTRAINT (parsenodes.h).
      const std::string_view subtype = str(f, "subtype");
      out.kind = subtype == "C"   ? AlterDomainKind::AddConstraint
                 : subtype == "V" ? AlterDomainKind::ValidateConstraint
                 : subtype == "X" ? AlterDomainKind::DropConstraint
                 : subtype == "O" ? AlterDomainKind::SetNotNull
                 : subtype == "N" ? AlterDomainKind::DropNotNull
                 : subtype == "T" ? AlterDomainKind::SetDefault
                                  : AlterDomainKind::Other;
      const Node def = node(f, "def");
      if (out.kind == AlterDomainKind::AddConstraint && def.is("Constraint")) {
        out.constraint = constraint_of(def.fields);
        out.name = out.constraint->name;
      }
      return out;
    }
    return Other{};
  }

private:
  // A constant operand: a literal, a parameter, a cast of one, or an ARRAY[...] of them.
  static bool is_constant(element e) {
    const Node n = node(e);
    if (n.is("A_Const") || n.is("ParamRef")) {
      return true;
    }
    element arg;
    if (n.is("TypeCast") && n.fields["arg"].get(arg) == simdjson::SUCCESS) {
      return is_constant(arg);
    }
    if (n.is("A_ArrayExpr") || n.is("List")) {
      const array items = list(n.fields, n.is("List") ? "items" : "elements");
      for (element item : items) {
        if (!is_constant(item)) {
          return false;
        }
      }
      return items.size() > 0;
    }
    return false;
  }

  // Whether a LIMIT occurs anywhere in the tree (a subquery's or a WITH query's).
  static bool has_limit(element e) {
    object o;
    array a;
    switch (e.type()) {
    case simdjson::dom::element_type::OBJECT:
      o = e.get_object().value_unsafe();
      for (auto field : o) {
        if (field.key == "limitCount" || has_limit(field.value)) {
          return true;
        }
      }
      return false;
    case simdjson::dom::element_type::ARRAY:
      a = e.get_array().value_unsafe();
      for (element item : a) {
        if (has_limit(item)) {
          return true;
        }
      }
      return false;
    default:
      return false;
    }
  }

  // Whether a WHERE clause pins rows by value (see Dml::pins_rows).
  static bool pins_rows(element where) {
    const Node n = node(where);
    if (n.is("BoolExpr")) {
      if (str(n.fields, "boolop") != "AND_EXPR") {
        return false;
      }
      for (element arg : list(n.fields, "args")) {
        if (pins_rows(arg)) {
          return true;
        }
      }
      return false;
    }
    if (!n.is("A_Expr")) {
      return false;
    }
    const std::string_view kind = str(n.fields, "kind");
    const auto op = strings_of(list(n.fields, "name"));
    if (op.size() != 1 || op[0] != "=" ||
        (kind != "AEXPR_OP" && kind != "AEXPR_IN" && kind != "AEXPR_OP_ANY")) {
      return false;
    }
    element l;
    element r;
    if (n.fields["lexpr"].get(l) != simdjson::SUCCESS ||
        n.fields["rexpr"].get(r) != simdjson::SUCCESS) {
      return false;
    }
    const bool l_col = node(l).is("ColumnRef");
    const bool r_col = node(r).is("ColumnRef");
    return (l_col && is_constant(r)) || (kind == "AEXPR_OP" && r_col && is_constant(l));
  }

  static bool has_option(array options, std::string_view name) {
    for (element e : options) {
      const Node o = node(e);
      if (o.is("DefElem") && lower(str(o.fields, "defname")) == name) {
        return true;
      }
    }
    return false;
  }

  static RelationKind relation_kind_of(std::string_view t) {
    if (t == "OBJECT_TABLE" || t.empty()) {
      return RelationKind::Table;
    }
    if (t == "OBJECT_INDEX") {
      return RelationKind::Index;
    }
    if (t == "OBJECT_VIEW") {
      return RelationKind::View;
    }
    if (t == "OBJECT_MATVIEW") {
      return RelationKind::MaterializedView;
    }
    if (t == "OBJECT_SEQUENCE") {
      return RelationKind::Sequence;
    }
    if (t == "OBJECT_FOREIGN_TABLE") {
      return RelationKind::ForeignTable;
    }
    if (t == "OBJECT_TYPE") {
      return RelationKind::Type;
    }
    return RelationKind::Other;
  }

  static ObjectKind object_kind_of(std::string_view t) {
    static const std::pair<std::string_view, ObjectKind> kinds[] = {
        {"OBJECT_TABLE", ObjectKind::Table},       {"OBJECT_INDEX", ObjectKind::Index},
        {"OBJECT_VIEW", ObjectKind::View},         {"OBJECT_MATVIEW", ObjectKind::MaterializedView},
        {"OBJECT_SEQUENCE", ObjectKind::Sequence}, {"OBJECT_TYPE", ObjectKind::Type},
        {"OBJECT_DOMAIN", ObjectKind::Type},       {"OBJECT_SCHEMA", ObjectKind::Schema},
        {"OBJECT_COLUMN", ObjectKind::Column},     {"OBJECT_TABCONSTRAINT", ObjectKind::Constraint},
        {"OBJECT_FUNCTION", ObjectKind::Function}, {"OBJECT_PROCEDURE", ObjectKind::Function},
        {"OBJECT_TRIGGER", ObjectKind::Trigger},   {"OBJECT_EXTENSION", ObjectKind::Extension},
        {"OBJECT_DATABASE", ObjectKind::Database},
    };
    for (const auto& [name, kind] : kinds) {
      if (name == t) {
        return kind;
      }
    }
    return ObjectKind::Other;
  }

  uint32_t m_base;
};

// Every table (RangeVar) and column reference (ColumnRef) anywhere in a data statement.
void collect_data_access(element e, DataAccess& out) {
  object o;
  array a;
  if (e.get(a) == simdjson::SUCCESS) {
    for (element item : a) {
      collect_data_access(item, out);
    }
    return;
  }
  if (e.get(o) != simdjson::SUCCESS) {
    return;
  }
  const Node n = node(e);
  if (n.is("RangeVar")) {
    out.tables.push_back(range_var(n.fields));
    return;
  }
  if (n.is("ColumnRef")) {
    array fields = list(n.fields, "fields");
    std::string last;
    for (element f : fields) {
      const Node part = node(f);
      last = part.is("A_Star") ? "*" : string_of(f);
    }
    if (!last.empty()) {
      out.columns.push_back(std::move(last));
    }
    return;
  }
  for (auto field : o) {
    collect_data_access(field.value, out);
  }
}

bool is_data_statement(std::string_view tag) {
  return tag == "InsertStmt" || tag == "UpdateStmt" || tag == "DeleteStmt" || tag == "SelectStmt" ||
         tag == "MergeStmt" || tag == "CreateTableAsStmt";
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

} // namespace

Statement transform_statement(element stmt, Span span, uint32_t base, std::string_view script) {
  Statement out;
  out.span = span;
  const Node n = node(stmt);
  out.tag = std::string(n.valid ? n.tag : std::string_view("Unknown"));
  out.node = n.valid ? Transformer(base).node_of(n) : StatementNode{Other{}};
  if (auto* alter = std::get_if<AlterTable>(&out.node); alter != nullptr && !script.empty()) {
    object relation;
    const int64_t at = sub(n.fields, "relation", relation) ? integer(relation, "location", -1) : -1;
    if (at >= 0 && base + at < span.end && span.end <= script.size()) {
      const auto spans =
          subcommand_spans(script, base + static_cast<uint32_t>(at), span.end, alter->cmds.size());
      for (size_t k = 0; k < spans.size(); ++k) {
        alter->cmds[k].span = spans[k];
      }
    }
  }
  if (n.valid && is_data_statement(n.tag)) {
    DataAccess data;
    if (n.tag != "SelectStmt" && n.tag != "CreateTableAsStmt") {
      data.written = range_var(n.fields, "relation");
    }
    collect_data_access(stmt, data);
    if (!data.written.name.empty()) { // a struct of its own, not a RangeVar node
      data.tables.push_back(data.written);
    }
    out.data = std::move(data);
  }
  return out;
}

} // namespace miglint::sql
