#include "sql/transform.hpp"

#include <algorithm>
#include <cctype>
#include <set>

namespace miglint::sql {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string str(const char* s) {
  return s == nullptr ? std::string() : std::string(s);
}

// The string value of a String node (names in lists), or "" for anything else.
std::string string_of(const PgQuery__Node* n) {
  if (n != nullptr && n->node_case == PG_QUERY__NODE__NODE_STRING && n->string != nullptr) {
    return str(n->string->sval);
  }
  return {};
}

std::vector<std::string> strings_of(size_t count, PgQuery__Node* const* nodes) {
  std::vector<std::string> out;
  for (size_t i = 0; i < count; ++i) {
    out.push_back(string_of(nodes[i]));
  }
  return out;
}

QualifiedName name_of(const PgQuery__RangeVar* rv) {
  if (rv == nullptr) {
    return {};
  }
  return {str(rv->schemaname), str(rv->relname)};
}

// A dotted name given as a list of String nodes (DROP, RENAME of objects).
QualifiedName name_of_list(const PgQuery__Node* n) {
  if (n == nullptr) {
    return {};
  }
  if (n->node_case == PG_QUERY__NODE__NODE_LIST && n->list != nullptr) {
    auto parts = strings_of(n->list->n_items, n->list->items);
    if (parts.empty()) {
      return {};
    }
    QualifiedName q;
    q.name = parts.back();
    if (parts.size() >= 2) {
      q.schema = parts[parts.size() - 2];
    }
    return q;
  }
  if (n->node_case == PG_QUERY__NODE__NODE_TYPE_NAME && n->type_name != nullptr) {
    auto parts = strings_of(n->type_name->n_names, n->type_name->names);
    QualifiedName q;
    if (!parts.empty()) {
      q.name = parts.back();
      if (parts.size() >= 2) {
        q.schema = parts[parts.size() - 2];
      }
    }
    return q;
  }
  if (n->node_case == PG_QUERY__NODE__NODE_STRING) {
    return {"", string_of(n)};
  }
  if (n->node_case == PG_QUERY__NODE__NODE_OBJECT_WITH_ARGS && n->object_with_args != nullptr) {
    auto parts = strings_of(n->object_with_args->n_objname, n->object_with_args->objname);
    if (!parts.empty()) {
      return {parts.size() >= 2 ? parts[parts.size() - 2] : "", parts.back()};
    }
  }
  return {};
}

TypeName type_of(const PgQuery__TypeName* t) {
  TypeName out;
  if (t == nullptr) {
    return out;
  }
  out.names = strings_of(t->n_names, t->names);
  out.has_modifiers = t->n_typmods > 0;
  for (size_t i = 0; i < t->n_typmods; ++i) {
    const PgQuery__Node* m = t->typmods[i];
    if (m != nullptr && m->node_case == PG_QUERY__NODE__NODE_A_CONST && m->a_const != nullptr &&
        m->a_const->val_case == PG_QUERY__A__CONST__VAL_IVAL && m->a_const->ival != nullptr) {
      out.modifiers.push_back(m->a_const->ival->ival);
    }
  }
  out.array = t->n_array_bounds > 0;
  return out;
}

// --- expressions -------------------------------------------------------------------------------

// Functions whose value never changes within a statement (IMMUTABLE or STABLE in pg_proc), so a
// DEFAULT that calls them is evaluated once and stored in the catalog (PostgreSQL >= 11).
const std::set<std::string, std::less<>>& non_volatile_functions() {
  static const std::set<std::string, std::less<>> names = {
      "abs", "age", "array_fill", "array_length", "btrim", "cardinality", "ceil", "ceiling",
      "char_length", "concat", "concat_ws", "current_database", "current_schema",
      "current_setting", "date_part", "date_trunc", "daterange", "decode", "encode", "extract",
      "float8", "floor", "format", "greatest", "inet", "int4", "int4range", "int8", "int8range",
      "json_build_array", "json_build_object", "jsonb_build_array", "jsonb_build_object", "least",
      "left", "length", "lower", "lpad", "ltrim", "make_date", "make_interval", "make_time",
      "make_timestamp", "make_timestamptz", "md5", "now", "numeric", "numrange", "replace",
      "right", "round", "rpad", "rtrim", "sha256", "statement_timestamp", "substr", "substring",
      "text", "timezone", "to_char", "to_date", "to_json", "to_jsonb", "to_number",
      "to_timestamp", "transaction_timestamp", "trim", "tsrange", "tstzrange", "upper",
      "uuid_nil", "uuid_ns_dns", "uuid_ns_oid", "uuid_ns_url", "uuid_ns_x500"};
  return names;
}

const std::set<std::string, std::less<>>& volatile_functions() {
  static const std::set<std::string, std::less<>> names = {
      "clock_timestamp", "currval", "gen_random_bytes", "gen_random_uuid", "lastval", "nextval",
      "random", "random_normal", "setval", "timeofday", "txid_current", "pg_current_xact_id",
      "uuid_generate_v1", "uuid_generate_v1mc", "uuid_generate_v4", "uuidv4", "uuidv7"};
  return names;
}

class ExprAnalyzer {
public:
  Expr analyze(const PgQuery__Node* n) {
    visit(n, true);
    return std::move(m_expr);
  }

private:
  void mark_volatile(std::string what) {
    if (m_expr.volatility != Volatility::Volatile) {
      m_expr.volatility = Volatility::Volatile;
      m_expr.volatile_function = std::move(what);
    }
  }

  void mark_stable() {
    if (m_expr.volatility == Volatility::Immutable) {
      m_expr.volatility = Volatility::Stable;
    }
  }

  void visit_all(size_t count, PgQuery__Node* const* nodes) {
    for (size_t i = 0; i < count; ++i) {
      visit(nodes[i], false);
    }
  }

  // `top` is true for the expression itself and for the operands of a top-level AND, where a
  // `col IS NOT NULL` proves the column has no NULLs.
  void visit(const PgQuery__Node* n, bool top) {
    if (n == nullptr) {
      return;
    }
    switch (n->node_case) {
    case PG_QUERY__NODE__NODE_A_CONST:
      if (top && n->a_const->isnull) {
        m_expr.is_null = true;
      }
      break;
    case PG_QUERY__NODE__NODE_TYPE_CAST:
      visit(n->type_cast->arg, top);
      break;
    case PG_QUERY__NODE__NODE_COLLATE_CLAUSE:
      visit(n->collate_clause->arg, top);
      break;
    case PG_QUERY__NODE__NODE_FUNC_CALL: {
      const auto parts = strings_of(n->func_call->n_funcname, n->func_call->funcname);
      const std::string name = parts.empty() ? std::string("?") : lower(parts.back());
      m_expr.functions.push_back(name);
      if (volatile_functions().contains(name)) {
        mark_volatile(name + "()");
      } else if (non_volatile_functions().contains(name)) {
        mark_stable();
      } else {
        // Unknown (often user-defined) functions are VOLATILE unless declared otherwise.
        mark_volatile(name + "()");
        m_expr.volatility_unknown = true;
      }
      visit_all(n->func_call->n_args, n->func_call->args);
      break;
    }
    case PG_QUERY__NODE__NODE_SQLVALUE_FUNCTION:
      mark_stable(); // CURRENT_TIMESTAMP, CURRENT_DATE, CURRENT_USER, ...
      break;
    case PG_QUERY__NODE__NODE_A_EXPR:
      visit(n->a_expr->lexpr, false);
      visit(n->a_expr->rexpr, false);
      break;
    case PG_QUERY__NODE__NODE_BOOL_EXPR:
      for (size_t i = 0; i < n->bool_expr->n_args; ++i) {
        visit(n->bool_expr->args[i],
              top && n->bool_expr->boolop == PG_QUERY__BOOL_EXPR_TYPE__AND_EXPR);
      }
      break;
    case PG_QUERY__NODE__NODE_NULL_TEST: {
      const PgQuery__Node* arg = n->null_test->arg;
      if (top && n->null_test->nulltesttype == PG_QUERY__NULL_TEST_TYPE__IS_NOT_NULL &&
          arg != nullptr && arg->node_case == PG_QUERY__NODE__NODE_COLUMN_REF &&
          arg->column_ref->n_fields == 1 && !m_expr.not_null_column) {
        m_expr.not_null_column = string_of(arg->column_ref->fields[0]);
      }
      visit(arg, false);
      break;
    }
    case PG_QUERY__NODE__NODE_COALESCE_EXPR:
      visit_all(n->coalesce_expr->n_args, n->coalesce_expr->args);
      break;
    case PG_QUERY__NODE__NODE_MIN_MAX_EXPR:
      visit_all(n->min_max_expr->n_args, n->min_max_expr->args);
      break;
    case PG_QUERY__NODE__NODE_CASE_EXPR:
      visit(n->case_expr->arg, false);
      visit_all(n->case_expr->n_args, n->case_expr->args);
      visit(n->case_expr->defresult, false);
      break;
    case PG_QUERY__NODE__NODE_CASE_WHEN:
      visit(n->case_when->expr, false);
      visit(n->case_when->result, false);
      break;
    case PG_QUERY__NODE__NODE_A_ARRAY_EXPR:
      visit_all(n->a_array_expr->n_elements, n->a_array_expr->elements);
      break;
    case PG_QUERY__NODE__NODE_ROW_EXPR:
      visit_all(n->row_expr->n_args, n->row_expr->args);
      break;
    case PG_QUERY__NODE__NODE_COLUMN_REF:
    case PG_QUERY__NODE__NODE_PARAM_REF:
      break;
    case PG_QUERY__NODE__NODE_SUB_LINK:
      mark_volatile("a subquery");
      m_expr.volatility_unknown = true;
      break;
    default:
      // Any other construct: do not claim it is safe.
      mark_volatile("an expression miglint cannot classify");
      m_expr.volatility_unknown = true;
      break;
    }
  }

  Expr m_expr;
};

Expr expr_of(const PgQuery__Node* n) {
  return ExprAnalyzer().analyze(n);
}

// --- constraints and columns -------------------------------------------------------------------

class Transformer {
public:
  explicit Transformer(uint32_t base) : m_base(base) {}

  uint32_t loc(int32_t location) const {
    return location < 0 ? m_base : m_base + static_cast<uint32_t>(location);
  }

  Constraint constraint_of(const PgQuery__Constraint* c) const {
    Constraint out;
    out.name = str(c->conname);
    out.location = loc(c->location);
    out.using_index = str(c->indexname);
    out.not_valid = c->skip_validation;
    switch (c->contype) {
    case PG_QUERY__CONSTR_TYPE__CONSTR_CHECK:
      out.kind = ConstraintKind::Check;
      out.check = expr_of(c->raw_expr);
      break;
    case PG_QUERY__CONSTR_TYPE__CONSTR_FOREIGN:
      out.kind = ConstraintKind::ForeignKey;
      out.columns = strings_of(c->n_fk_attrs, c->fk_attrs);
      out.references = name_of(c->pktable);
      break;
    case PG_QUERY__CONSTR_TYPE__CONSTR_UNIQUE:
      out.kind = ConstraintKind::Unique;
      out.columns = strings_of(c->n_keys, c->keys);
      break;
    case PG_QUERY__CONSTR_TYPE__CONSTR_PRIMARY:
      out.kind = ConstraintKind::PrimaryKey;
      out.columns = strings_of(c->n_keys, c->keys);
      break;
    case PG_QUERY__CONSTR_TYPE__CONSTR_EXCLUSION:
      out.kind = ConstraintKind::Exclusion;
      break;
    default:
      out.kind = ConstraintKind::Other;
      break;
    }
    return out;
  }

  ColumnDef column_of(const PgQuery__ColumnDef* c) const {
    ColumnDef out;
    out.name = str(c->colname);
    out.type = type_of(c->type_name);
    out.location = loc(c->location);
    out.not_null = c->is_not_null;
    if (c->raw_default != nullptr) {
      out.default_value = expr_of(c->raw_default);
    }
    for (size_t i = 0; i < c->n_constraints; ++i) {
      const PgQuery__Node* n = c->constraints[i];
      if (n == nullptr || n->node_case != PG_QUERY__NODE__NODE_CONSTRAINT) {
        continue;
      }
      const PgQuery__Constraint* k = n->constraint;
      switch (k->contype) {
      case PG_QUERY__CONSTR_TYPE__CONSTR_NOTNULL:
        out.not_null = true;
        break;
      case PG_QUERY__CONSTR_TYPE__CONSTR_NULL:
        out.not_null = false;
        break;
      case PG_QUERY__CONSTR_TYPE__CONSTR_DEFAULT:
        out.default_value = expr_of(k->raw_expr);
        break;
      case PG_QUERY__CONSTR_TYPE__CONSTR_IDENTITY:
        out.identity = true;
        out.not_null = true;
        break;
      case PG_QUERY__CONSTR_TYPE__CONSTR_GENERATED:
        out.generated_stored = true;
        break;
      case PG_QUERY__CONSTR_TYPE__CONSTR_PRIMARY: {
        out.primary_key = true;
        out.not_null = true;
        Constraint pk = constraint_of(k);
        pk.columns = {out.name};
        out.constraints.push_back(std::move(pk));
        break;
      }
      case PG_QUERY__CONSTR_TYPE__CONSTR_UNIQUE:
      case PG_QUERY__CONSTR_TYPE__CONSTR_FOREIGN:
      case PG_QUERY__CONSTR_TYPE__CONSTR_CHECK: {
        Constraint inline_constraint = constraint_of(k);
        inline_constraint.columns = {out.name};
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

  AlterTableCmd alter_cmd_of(const PgQuery__AlterTableCmd* c) const {
    AlterTableCmd out;
    out.column = str(c->name);
    out.name = str(c->name);
    out.missing_ok = c->missing_ok;
    out.cascade = c->behavior == PG_QUERY__DROP_BEHAVIOR__DROP_CASCADE;
    const PgQuery__Node* def = c->def;
    switch (c->subtype) {
    case PG_QUERY__ALTER_TABLE_TYPE__AT_AddColumn:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_AddColumnRecurse:
      out.kind = AlterKind::AddColumn;
      if (def != nullptr && def->node_case == PG_QUERY__NODE__NODE_COLUMN_DEF) {
        out.column_def = column_of(def->column_def);
        out.column = out.column_def->name;
      }
      break;
    case PG_QUERY__ALTER_TABLE_TYPE__AT_DropColumn:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_DropColumnRecurse:
      out.kind = AlterKind::DropColumn;
      break;
    case PG_QUERY__ALTER_TABLE_TYPE__AT_AlterColumnType:
      out.kind = AlterKind::AlterColumnType;
      if (def != nullptr && def->node_case == PG_QUERY__NODE__NODE_COLUMN_DEF) {
        out.type = type_of(def->column_def->type_name);
        out.has_using = def->column_def->raw_default != nullptr;
      }
      break;
    case PG_QUERY__ALTER_TABLE_TYPE__AT_SetNotNull:
      out.kind = AlterKind::SetNotNull;
      break;
    case PG_QUERY__ALTER_TABLE_TYPE__AT_DropNotNull:
      out.kind = AlterKind::DropNotNull;
      break;
    case PG_QUERY__ALTER_TABLE_TYPE__AT_ColumnDefault:
      if (def == nullptr) {
        out.kind = AlterKind::DropDefault;
      } else {
        out.kind = AlterKind::SetDefault;
        out.default_value = expr_of(def);
      }
      break;
    case PG_QUERY__ALTER_TABLE_TYPE__AT_AddConstraint:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_AddConstraintRecurse:
      out.kind = AlterKind::AddConstraint;
      out.column.clear();
      if (def != nullptr && def->node_case == PG_QUERY__NODE__NODE_CONSTRAINT) {
        out.constraint = constraint_of(def->constraint);
        out.name = out.constraint->name;
      }
      break;
    case PG_QUERY__ALTER_TABLE_TYPE__AT_ValidateConstraint:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_ValidateConstraintRecurse:
      out.kind = AlterKind::ValidateConstraint;
      out.column.clear();
      break;
    case PG_QUERY__ALTER_TABLE_TYPE__AT_DropConstraint:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_DropConstraintRecurse:
      out.kind = AlterKind::DropConstraint;
      out.column.clear();
      break;
    case PG_QUERY__ALTER_TABLE_TYPE__AT_AddIdentity:
      out.kind = AlterKind::AddIdentity;
      break;
    case PG_QUERY__ALTER_TABLE_TYPE__AT_SetLogged:
      out.kind = AlterKind::SetLogged;
      break;
    case PG_QUERY__ALTER_TABLE_TYPE__AT_SetUnLogged:
      out.kind = AlterKind::SetUnlogged;
      break;
    case PG_QUERY__ALTER_TABLE_TYPE__AT_SetTableSpace:
      out.kind = AlterKind::SetTablespace;
      break;
    case PG_QUERY__ALTER_TABLE_TYPE__AT_SetStatistics:
      out.kind = AlterKind::SetStatistics;
      break;
    case PG_QUERY__ALTER_TABLE_TYPE__AT_AttachPartition:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_DetachPartition:
      out.kind = c->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_AttachPartition
                     ? AlterKind::AttachPartition
                     : AlterKind::DetachPartition;
      if (def != nullptr && def->node_case == PG_QUERY__NODE__NODE_PARTITION_CMD) {
        out.name = name_of(def->partition_cmd->name).display();
        if (def->partition_cmd->concurrent && out.kind == AlterKind::DetachPartition) {
          out.kind = AlterKind::DetachPartitionConcurrently;
        }
      }
      out.column.clear();
      break;
    default:
      out.kind = AlterKind::Other;
      break;
    }
    return out;
  }

  StatementNode node_of(const PgQuery__Node& n) const {
    switch (n.node_case) {
    case PG_QUERY__NODE__NODE_ALTER_TABLE_STMT: {
      const auto* s = n.alter_table_stmt;
      AlterTable out;
      out.table = name_of(s->relation);
      out.missing_ok = s->missing_ok;
      out.relation_kind = relation_kind_of(s->objtype);
      for (size_t i = 0; i < s->n_cmds; ++i) {
        if (s->cmds[i] != nullptr && s->cmds[i]->node_case == PG_QUERY__NODE__NODE_ALTER_TABLE_CMD) {
          out.cmds.push_back(alter_cmd_of(s->cmds[i]->alter_table_cmd));
        }
      }
      return out;
    }
    case PG_QUERY__NODE__NODE_CREATE_STMT: {
      const auto* s = n.create_stmt;
      CreateTable out;
      out.table = name_of(s->relation);
      out.if_not_exists = s->if_not_exists;
      out.temporary = s->relation != nullptr && str(s->relation->relpersistence) == "t";
      out.partition_of = s->partbound != nullptr;
      for (size_t i = 0; i < s->n_table_elts; ++i) {
        const PgQuery__Node* e = s->table_elts[i];
        if (e == nullptr) {
          continue;
        }
        if (e->node_case == PG_QUERY__NODE__NODE_COLUMN_DEF) {
          out.columns.push_back(column_of(e->column_def));
        } else if (e->node_case == PG_QUERY__NODE__NODE_CONSTRAINT) {
          out.constraints.push_back(constraint_of(e->constraint));
        }
      }
      for (size_t i = 0; i < s->n_constraints; ++i) {
        if (s->constraints[i] != nullptr &&
            s->constraints[i]->node_case == PG_QUERY__NODE__NODE_CONSTRAINT) {
          out.constraints.push_back(constraint_of(s->constraints[i]->constraint));
        }
      }
      return out;
    }
    case PG_QUERY__NODE__NODE_CREATE_TABLE_AS_STMT: {
      const auto* s = n.create_table_as_stmt;
      CreateTableAs out;
      out.table = s->into != nullptr ? name_of(s->into->rel) : QualifiedName{};
      out.materialized_view = s->objtype == PG_QUERY__OBJECT_TYPE__OBJECT_MATVIEW;
      return out;
    }
    case PG_QUERY__NODE__NODE_INDEX_STMT: {
      const auto* s = n.index_stmt;
      CreateIndex out;
      out.name = str(s->idxname);
      out.table = name_of(s->relation);
      out.unique = s->unique;
      out.concurrent = s->concurrent;
      out.if_not_exists = s->if_not_exists;
      return out;
    }
    case PG_QUERY__NODE__NODE_DROP_STMT: {
      const auto* s = n.drop_stmt;
      Drop out;
      out.kind = object_kind_of(s->remove_type);
      out.concurrent = s->concurrent;
      out.cascade = s->behavior == PG_QUERY__DROP_BEHAVIOR__DROP_CASCADE;
      out.missing_ok = s->missing_ok;
      for (size_t i = 0; i < s->n_objects; ++i) {
        out.objects.push_back(name_of_list(s->objects[i]));
      }
      return out;
    }
    case PG_QUERY__NODE__NODE_RENAME_STMT: {
      const auto* s = n.rename_stmt;
      Rename out;
      out.kind = object_kind_of(s->rename_type);
      out.relation = s->relation != nullptr ? name_of(s->relation) : name_of_list(s->object);
      out.old_name = str(s->subname);
      out.new_name = str(s->newname);
      return out;
    }
    case PG_QUERY__NODE__NODE_TRUNCATE_STMT: {
      const auto* s = n.truncate_stmt;
      Truncate out;
      out.cascade = s->behavior == PG_QUERY__DROP_BEHAVIOR__DROP_CASCADE;
      for (size_t i = 0; i < s->n_relations; ++i) {
        if (s->relations[i] != nullptr && s->relations[i]->node_case == PG_QUERY__NODE__NODE_RANGE_VAR) {
          out.tables.push_back(name_of(s->relations[i]->range_var));
        }
      }
      return out;
    }
    case PG_QUERY__NODE__NODE_VARIABLE_SET_STMT: {
      const auto* s = n.variable_set_stmt;
      SetVariable out;
      out.name = lower(str(s->name));
      out.local = s->is_local;
      out.reset = s->kind == PG_QUERY__VARIABLE_SET_KIND__VAR_RESET ||
                  s->kind == PG_QUERY__VARIABLE_SET_KIND__VAR_RESET_ALL ||
                  s->kind == PG_QUERY__VARIABLE_SET_KIND__VAR_SET_DEFAULT;
      if (s->n_args > 0 && s->args[0] != nullptr &&
          s->args[0]->node_case == PG_QUERY__NODE__NODE_A_CONST) {
        const auto* c = s->args[0]->a_const;
        if (c->val_case == PG_QUERY__A__CONST__VAL_SVAL) {
          out.value = str(c->sval->sval);
        } else if (c->val_case == PG_QUERY__A__CONST__VAL_IVAL) {
          out.value = std::to_string(c->ival->ival);
        } else if (c->val_case == PG_QUERY__A__CONST__VAL_FVAL) {
          out.value = str(c->fval->fval);
        }
      }
      return out;
    }
    case PG_QUERY__NODE__NODE_TRANSACTION_STMT: {
      Transaction out;
      switch (n.transaction_stmt->kind) {
      case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_BEGIN:
      case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_START:
        out.kind = TxKind::Begin;
        break;
      case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_COMMIT:
        out.kind = TxKind::Commit;
        break;
      case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_ROLLBACK:
        out.kind = TxKind::Rollback;
        break;
      case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_SAVEPOINT:
        out.kind = TxKind::Savepoint;
        break;
      case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_RELEASE:
        out.kind = TxKind::Release;
        break;
      case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_ROLLBACK_TO:
        out.kind = TxKind::RollbackTo;
        break;
      default:
        out.kind = TxKind::Other;
        break;
      }
      return out;
    }
    case PG_QUERY__NODE__NODE_REINDEX_STMT: {
      const auto* s = n.reindex_stmt;
      Reindex out;
      out.target = s->relation != nullptr ? name_of(s->relation) : QualifiedName{"", str(s->name)};
      out.is_index = s->kind == PG_QUERY__REINDEX_OBJECT_TYPE__REINDEX_OBJECT_INDEX;
      out.concurrent = has_option(s->n_params, s->params, "concurrently");
      return out;
    }
    case PG_QUERY__NODE__NODE_CREATE_TRIG_STMT:
      return CreateTrigger{name_of(n.create_trig_stmt->relation)};
    case PG_QUERY__NODE__NODE_LOCK_STMT: {
      const auto* s = n.lock_stmt;
      LockTable out;
      for (size_t i = 0; i < s->n_relations; ++i) {
        if (s->relations[i] != nullptr && s->relations[i]->node_case == PG_QUERY__NODE__NODE_RANGE_VAR) {
          out.tables.push_back(name_of(s->relations[i]->range_var));
        }
      }
      // PostgreSQL's lock mode numbers: AccessShareLock = 1 ... AccessExclusiveLock = 8.
      out.mode = s->mode >= 1 && s->mode <= 8 ? static_cast<LockMode>(s->mode - 1)
                                               : LockMode::AccessExclusive;
      return out;
    }
    case PG_QUERY__NODE__NODE_VACUUM_STMT: {
      const auto* s = n.vacuum_stmt;
      Vacuum out;
      out.full = s->is_vacuumcmd && has_option(s->n_options, s->options, "full");
      for (size_t i = 0; i < s->n_rels; ++i) {
        if (s->rels[i] != nullptr && s->rels[i]->node_case == PG_QUERY__NODE__NODE_VACUUM_RELATION) {
          out.tables.push_back(name_of(s->rels[i]->vacuum_relation->relation));
        }
      }
      return out;
    }
    case PG_QUERY__NODE__NODE_CLUSTER_STMT: {
      Vacuum out;
      out.cluster = true;
      if (n.cluster_stmt->relation != nullptr) {
        out.tables.push_back(name_of(n.cluster_stmt->relation));
      }
      return out;
    }
    default:
      return Other{};
    }
  }

private:
  static bool has_option(size_t count, PgQuery__Node* const* nodes, std::string_view name) {
    for (size_t i = 0; i < count; ++i) {
      const PgQuery__Node* o = nodes[i];
      if (o != nullptr && o->node_case == PG_QUERY__NODE__NODE_DEF_ELEM &&
          lower(str(o->def_elem->defname)) == name) {
        return true;
      }
    }
    return false;
  }

  static RelationKind relation_kind_of(PgQuery__ObjectType t) {
    switch (t) {
    case PG_QUERY__OBJECT_TYPE__OBJECT_TABLE:
      return RelationKind::Table;
    case PG_QUERY__OBJECT_TYPE__OBJECT_INDEX:
      return RelationKind::Index;
    case PG_QUERY__OBJECT_TYPE__OBJECT_VIEW:
      return RelationKind::View;
    case PG_QUERY__OBJECT_TYPE__OBJECT_MATVIEW:
      return RelationKind::MaterializedView;
    case PG_QUERY__OBJECT_TYPE__OBJECT_SEQUENCE:
      return RelationKind::Sequence;
    case PG_QUERY__OBJECT_TYPE__OBJECT_FOREIGN_TABLE:
      return RelationKind::ForeignTable;
    case PG_QUERY__OBJECT_TYPE__OBJECT_TYPE:
      return RelationKind::Type;
    default:
      return RelationKind::Other;
    }
  }

  static ObjectKind object_kind_of(PgQuery__ObjectType t) {
    switch (t) {
    case PG_QUERY__OBJECT_TYPE__OBJECT_TABLE:
      return ObjectKind::Table;
    case PG_QUERY__OBJECT_TYPE__OBJECT_INDEX:
      return ObjectKind::Index;
    case PG_QUERY__OBJECT_TYPE__OBJECT_VIEW:
      return ObjectKind::View;
    case PG_QUERY__OBJECT_TYPE__OBJECT_MATVIEW:
      return ObjectKind::MaterializedView;
    case PG_QUERY__OBJECT_TYPE__OBJECT_SEQUENCE:
      return ObjectKind::Sequence;
    case PG_QUERY__OBJECT_TYPE__OBJECT_TYPE:
    case PG_QUERY__OBJECT_TYPE__OBJECT_DOMAIN:
      return ObjectKind::Type;
    case PG_QUERY__OBJECT_TYPE__OBJECT_SCHEMA:
      return ObjectKind::Schema;
    case PG_QUERY__OBJECT_TYPE__OBJECT_COLUMN:
      return ObjectKind::Column;
    case PG_QUERY__OBJECT_TYPE__OBJECT_TABCONSTRAINT:
      return ObjectKind::Constraint;
    case PG_QUERY__OBJECT_TYPE__OBJECT_FUNCTION:
    case PG_QUERY__OBJECT_TYPE__OBJECT_PROCEDURE:
      return ObjectKind::Function;
    case PG_QUERY__OBJECT_TYPE__OBJECT_TRIGGER:
      return ObjectKind::Trigger;
    case PG_QUERY__OBJECT_TYPE__OBJECT_EXTENSION:
      return ObjectKind::Extension;
    case PG_QUERY__OBJECT_TYPE__OBJECT_DATABASE:
      return ObjectKind::Database;
    default:
      return ObjectKind::Other;
    }
  }

  uint32_t m_base;
};

std::string tag_of(const PgQuery__Node& n) {
  const ProtobufCFieldDescriptor* field = protobuf_c_message_descriptor_get_field(
      &pg_query__node__descriptor, static_cast<unsigned>(n.node_case));
  if (field == nullptr || field->descriptor == nullptr) {
    return "Unknown";
  }
  return static_cast<const ProtobufCMessageDescriptor*>(field->descriptor)->short_name;
}

} // namespace

Statement transform_statement(const PgQuery__Node& node, Span span, uint32_t base) {
  Statement out;
  out.span = span;
  out.tag = tag_of(node);
  out.node = Transformer(base).node_of(node);
  return out;
}

} // namespace miglint::sql
