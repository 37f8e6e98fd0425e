#include "lint/effects.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <stdexcept>

namespace miglint::lint {

namespace {

using sql::LockMode;
constexpr auto AE = LockMode::AccessExclusive;
constexpr auto SRE = LockMode::ShareRowExclusive;
constexpr auto SUE = LockMode::ShareUpdateExclusive;
constexpr auto SHARE = LockMode::Share;

Effect locks(std::optional<LockMode> lock, std::optional<LockMode> other = std::nullopt) {
  return Effect{lock, other, false, false};
}
Effect scans(std::optional<LockMode> lock, std::optional<LockMode> other = std::nullopt) {
  return Effect{lock, other, false, true};
}
Effect rewrites(LockMode lock) {
  return Effect{lock, std::nullopt, true, true};
}

// One era for every major the table speaks for.
std::vector<Era> always(Effect e) {
  return {Era{0, e}};
}

std::vector<EffectRow> make_table() {
  using enum Op;
  std::vector<EffectRow> t = {
      {AddColumn, "add-column", "ADD COLUMN without a DEFAULT", true, always(locks(AE)), ""},
      {AddColumnDefault,
       "add-column-default",
       "ADD COLUMN ... DEFAULT <non-volatile>",
       true,
       {Era{0, rewrites(AE)}, Era{11, locks(AE)}},
       "the default is stored once in the catalog (PostgreSQL 11 and later)"},
      {AddColumnNotNullDefault,
       "add-column-not-null-default",
       "ADD COLUMN ... NOT NULL DEFAULT <non-volatile>",
       true,
       {Era{0, rewrites(AE)}, Era{11, locks(AE)}},
       ""},
      {AddColumnVolatileDefault, "add-column-volatile-default", "ADD COLUMN ... DEFAULT <volatile>",
       true, always(rewrites(AE)), "the default is computed for every row"},
      {AddColumnSerial, "add-column-serial", "ADD COLUMN ... serial / GENERATED AS IDENTITY", true,
       always(rewrites(AE)), "every row draws a value from the sequence"},
      {AddColumnStoredGenerated, "add-column-stored-generated",
       "ADD COLUMN ... GENERATED ALWAYS AS (...) STORED", true, always(rewrites(AE)), ""},
      {AddColumnCheck, "add-column-check", "ADD COLUMN ... CHECK (...)", true, always(scans(AE)),
       "the new constraint is checked on every row"},
      {AddColumnReferences, "add-column-references",
       "ADD COLUMN ... REFERENCES t, without a DEFAULT", true, always(locks(AE, SRE)),
       "every value of the new column is NULL: nothing to validate"},
      {AddColumnReferencesDefault, "add-column-references-default",
       "ADD COLUMN ... DEFAULT <non-null> REFERENCES t", true, always(scans(AE, SRE)),
       "every row's default is checked against the referenced table"},
      {AddColumnUnique, "add-column-unique", "ADD COLUMN ... UNIQUE", true, always(scans(AE)),
       "builds the unique index"},
      {AddColumnPrimaryKey, "add-column-primary-key", "ADD COLUMN ... PRIMARY KEY", true,
       always(scans(AE)), "builds the unique index"},
      {DropColumn, "drop-column", "DROP COLUMN", true, always(locks(AE)),
       "the column is only marked dropped"},
      {AlterColumnType, "alter-column-type", "ALTER COLUMN ... TYPE (not binary-coercible)", true,
       always(rewrites(AE)), "the indexes on the table are rebuilt too"},
      {AlterColumnTypeCoercible, "alter-column-type-coercible",
       "ALTER COLUMN ... TYPE (binary-coercible: varchar(n) to a longer varchar or text)", true,
       always(locks(AE)), ""},
      {AlterColumnTypeTimestampUtc,
       "alter-column-type-timestamp-utc",
       "ALTER COLUMN ... TYPE timestamp <-> timestamptz, session timezone UTC",
       true,
       {Era{0, rewrites(AE)}, Era{12, locks(AE)}},
       "any other session timezone rewrites, as ALTER COLUMN TYPE does"},
      {SetNotNull, "set-not-null", "ALTER COLUMN ... SET NOT NULL", true, always(scans(AE)), ""},
      {SetNotNullProved,
       "set-not-null-proved",
       "ALTER COLUMN ... SET NOT NULL with a validated CHECK (col IS NOT NULL)",
       true,
       {Era{0, scans(AE)}, Era{12, locks(AE)}},
       "the CHECK proves the column has no NULL"},
      {DropNotNull, "drop-not-null", "ALTER COLUMN ... DROP NOT NULL", true, always(locks(AE)), ""},
      {SetDefault, "set-default", "ALTER COLUMN ... SET DEFAULT", true, always(locks(AE)), ""},
      {DropDefault, "drop-default", "ALTER COLUMN ... DROP DEFAULT", true, always(locks(AE)), ""},
      {SetStatistics, "set-statistics", "ALTER COLUMN ... SET STATISTICS", true, always(locks(SUE)),
       ""},
      {AddCheck, "add-check", "ADD CONSTRAINT ... CHECK (...)", true, always(scans(AE)), ""},
      {AddCheckNotValid, "add-check-not-valid", "ADD CONSTRAINT ... CHECK (...) NOT VALID", true,
       always(locks(AE)), ""},
      {AddForeignKey, "add-foreign-key", "ADD CONSTRAINT ... FOREIGN KEY", true,
       always(scans(SRE, SRE)), ""},
      {AddForeignKeyNotValid, "add-foreign-key-not-valid",
       "ADD CONSTRAINT ... FOREIGN KEY ... NOT VALID", true, always(locks(SRE, SRE)), ""},
      {AddUnique, "add-unique", "ADD CONSTRAINT ... UNIQUE (...)", true, always(scans(AE)),
       "builds the unique index"},
      {AddUniqueUsingIndex, "add-unique-using-index", "ADD CONSTRAINT ... UNIQUE USING INDEX", true,
       always(locks(AE)), "the index built beforehand (CONCURRENTLY) becomes the constraint's"},
      {AddPrimaryKey, "add-primary-key", "ADD CONSTRAINT ... PRIMARY KEY (...)", true,
       always(scans(AE)), "builds the unique index and checks the columns for NULLs"},
      {AddPrimaryKeyUsingIndex, "add-primary-key-using-index",
       "ADD CONSTRAINT ... PRIMARY KEY USING INDEX", true, always(locks(AE)),
       "when the key columns are NOT NULL already; otherwise PostgreSQL scans for NULLs as "
       "SET NOT NULL does"},
      {ValidateConstraint, "validate-constraint", "VALIDATE CONSTRAINT", true, always(scans(SUE)),
       ""},
      {DropConstraint, "drop-constraint", "DROP CONSTRAINT", true, always(locks(AE)), ""},
      {SetLogged, "set-logged", "SET LOGGED", true, always(rewrites(AE)), ""},
      {SetUnlogged, "set-unlogged", "SET UNLOGGED", true, always(rewrites(AE)), ""},
      {AttachPartition, "attach-partition", "ATTACH PARTITION (on the partitioned table)", true,
       always(locks(SUE, AE)),
       "the partition is scanned for rows outside its bounds unless a CHECK proves them"},
      {DetachPartition,
       "detach-partition",
       "DETACH PARTITION",
       true,
       {Era{0, locks(AE, SUE)}, Era{14, locks(AE, AE)}},
       "PostgreSQL 13 takes SHARE UPDATE EXCLUSIVE on the partition, 14 and later ACCESS "
       "EXCLUSIVE"},
      {DetachPartitionConcurrently,
       "detach-partition-concurrently",
       "DETACH PARTITION ... CONCURRENTLY",
       false,
       {Era{14, locks(SUE)}},
       "the partition's lock is not in the table"},
      {CreateIndex, "create-index", "CREATE INDEX", true, always(scans(SHARE)), ""},
      {CreateIndexConcurrently, "create-index-concurrently", "CREATE INDEX CONCURRENTLY", false,
       always(scans(SUE)), "two scans, waiting for older transactions in between"},
      {DropIndex, "drop-index", "DROP INDEX (lock on its table)", true, always(locks(AE)), ""},
      {DropIndexConcurrently, "drop-index-concurrently", "DROP INDEX CONCURRENTLY", false,
       always(locks(SUE)), ""},
      {ReindexIndex, "reindex-index", "REINDEX INDEX (lock on its table)", true,
       always(scans(SHARE)), "ACCESS EXCLUSIVE on the index itself"},
      {ReindexTable, "reindex-table", "REINDEX TABLE", true, always(scans(SHARE)), ""},
      {ReindexConcurrently, "reindex-concurrently", "REINDEX ... CONCURRENTLY", false,
       always(scans(SUE)), ""},
      {RenameTable, "rename-table", "ALTER TABLE ... RENAME TO", true, always(locks(AE)), ""},
      {RenameColumn, "rename-column", "ALTER TABLE ... RENAME COLUMN", true, always(locks(AE)), ""},
      {RenameIndex, "rename-index", "ALTER INDEX ... RENAME TO", true, always(locks(std::nullopt)),
       "SHARE UPDATE EXCLUSIVE on the index; its table is not locked"},
      {RenameConstraint, "rename-constraint", "ALTER TABLE ... RENAME CONSTRAINT", true,
       always(locks(AE)), ""},
      {DropTable, "drop-table", "DROP TABLE", true, always(locks(AE)), ""},
      {Truncate, "truncate", "TRUNCATE", true, always(Effect{AE, std::nullopt, true, false}),
       "a new, empty file: every row is gone"},
      {CreateTrigger, "create-trigger", "CREATE TRIGGER", true, always(locks(SRE)), ""},
      {CreateTableReferences, "create-table-references",
       "CREATE TABLE with a foreign key (lock on the referenced table)", true,
       always(locks(std::nullopt, SRE)), ""},
      {VacuumFull, "vacuum-full", "VACUUM FULL", false, always(rewrites(AE)), ""},
      {Cluster, "cluster", "CLUSTER", true, always(rewrites(AE)), ""},
  };
  for (size_t i = 0; i < t.size(); ++i) {
    if (static_cast<size_t>(t[i].op) != i) {
      throw std::logic_error("effect table out of the order of Op at " + std::string(t[i].id));
    }
  }
  return t;
}

// Modifier n of a type, or -1 when not given (no limit / default precision).
int64_t modifier(const sql::TypeName& t, size_t n) {
  return n < t.modifiers.size() ? t.modifiers[n] : -1;
}

// Whether the new limit is at least the old one (-1 means unlimited).
bool widens(int64_t from, int64_t to) {
  return to == -1 || (from != -1 && to >= from);
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

// timestamp <-> timestamptz without a shorter precision: PostgreSQL 12 keeps the table when the
// session's time zone is UTC (ALTER TABLE reference, "Notes").
bool timestamp_zone_change(const sql::TypeName& from, const sql::TypeName& to) {
  const std::string f = from.canonical();
  const std::string t = to.canonical();
  // No precision is the largest, 6.
  auto precision = [](const sql::TypeName& type) {
    const int64_t p = modifier(type, 0);
    return p == -1 ? 6 : p;
  };
  return from.array == to.array &&
         ((f == "timestamp" && t == "timestamptz") || (f == "timestamptz" && t == "timestamp")) &&
         precision(to) >= precision(from);
}

void add_unique(std::vector<Op>& ops, Op op) {
  if (std::find(ops.begin(), ops.end(), op) == ops.end()) {
    ops.push_back(op);
  }
}

std::vector<Op> add_column_ops(const sql::ColumnDef& col) {
  std::vector<Op> ops;
  const bool has_default = col.default_value && !col.default_value->is_null;
  if (col.type.is_serial() || col.identity) {
    ops.push_back(Op::AddColumnSerial);
  } else if (col.generated_stored) {
    ops.push_back(Op::AddColumnStoredGenerated);
  } else if (has_default && col.default_value->volatility == sql::Volatility::Volatile) {
    ops.push_back(Op::AddColumnVolatileDefault);
  } else if (has_default && col.not_null) {
    ops.push_back(Op::AddColumnNotNullDefault);
  } else if (has_default) {
    ops.push_back(Op::AddColumnDefault);
  } else {
    ops.push_back(Op::AddColumn);
  }
  // A column computed per row (serial, generated, volatile default) is not NULL everywhere.
  const bool all_null =
      !has_default && !col.type.is_serial() && !col.identity && !col.generated_stored;
  for (const auto& c : col.constraints) {
    switch (c.kind) {
    case sql::ConstraintKind::Check:
      add_unique(ops, Op::AddColumnCheck);
      break;
    case sql::ConstraintKind::ForeignKey:
      add_unique(ops, all_null ? Op::AddColumnReferences : Op::AddColumnReferencesDefault);
      break;
    case sql::ConstraintKind::Unique:
      add_unique(ops, Op::AddColumnUnique);
      break;
    case sql::ConstraintKind::PrimaryKey:
      add_unique(ops, Op::AddColumnPrimaryKey);
      break;
    default:
      break;
    }
  }
  return ops;
}

std::optional<Op> add_constraint_op(const sql::Constraint& c) {
  switch (c.kind) {
  case sql::ConstraintKind::Check:
    return c.not_valid ? Op::AddCheckNotValid : Op::AddCheck;
  case sql::ConstraintKind::ForeignKey:
    return c.not_valid ? Op::AddForeignKeyNotValid : Op::AddForeignKey;
  case sql::ConstraintKind::Unique:
    return c.using_index.empty() ? Op::AddUnique : Op::AddUniqueUsingIndex;
  case sql::ConstraintKind::PrimaryKey:
    return c.using_index.empty() ? Op::AddPrimaryKey : Op::AddPrimaryKeyUsingIndex;
  default:
    return std::nullopt;
  }
}

class LockSet {
public:
  void add(const sql::QualifiedName& table, std::optional<LockMode> mode,
           bool index_table_unknown = false) {
    if (table.name.empty() || !mode) {
      return;
    }
    for (auto& lock : m_locks) {
      if (lock.table.key() == table.key()) {
        lock.mode = std::max(lock.mode, *mode);
        return;
      }
    }
    m_locks.push_back({table, *mode, index_table_unknown});
  }
  // The table of index `index`, or the index itself marked unknown.
  void add_index(const sql::QualifiedName& index, const SchemaState& schema,
                 std::optional<LockMode> mode) {
    const auto table = schema.table_of_index(index);
    add(table.value_or(index), mode, !table);
  }
  std::vector<TableLock> take() { return std::move(m_locks); }

private:
  std::vector<TableLock> m_locks;
};

std::optional<LockMode> lock_of(Op op, int major) {
  const auto e = effect_of(op, major);
  return e ? e->lock : std::nullopt;
}

std::optional<LockMode> other_lock_of(Op op, int major) {
  const auto e = effect_of(op, major);
  return e ? e->other_lock : std::nullopt;
}

std::string mode_name(std::optional<LockMode> mode) {
  return mode ? std::string(sql::to_string(*mode)) : std::string("—");
}

} // namespace

const std::vector<EffectRow>& effect_table() {
  static const std::vector<EffectRow> table = make_table();
  return table;
}

const EffectRow& effect_row(Op op) {
  return effect_table().at(static_cast<size_t>(op));
}

std::optional<Effect> effect_of(Op op, int major) {
  const EffectRow& row = effect_row(op);
  const Era* found = nullptr;
  for (const auto& era : row.eras) {
    if (era.since <= major) {
      found = &era;
    }
  }
  if (found == nullptr) {
    return std::nullopt;
  }
  return found->effect;
}

bool is_utc_timezone(std::string_view value) {
  std::string v = lower(value);
  std::erase_if(v, [](char c) { return c == '\'' || c == '"' || c == ' '; });
  if (v.starts_with("etc/")) {
    v = v.substr(4);
  }
  static constexpr std::array<std::string_view, 16> utc = {
      "utc",       "uct", "gmt", "gmt0", "gmt+0", "gmt-0", "universal", "zulu",
      "greenwich", "0",   "+0",  "-0",   "+00",   "-00",   "+00:00",    "-00:00"};
  return std::find(utc.begin(), utc.end(), v) != utc.end();
}

bool binary_coercible(const sql::TypeName& from, const sql::TypeName& to) {
  if (from.array != to.array) {
    return false;
  }
  const std::string f = from.canonical();
  const std::string t = to.canonical();
  if (f == t && from.modifiers == to.modifiers) {
    return true;
  }
  if ((f == "varchar" || f == "text") && t == "text") {
    return true;
  }
  if (f == "varchar" && t == "varchar") {
    return widens(modifier(from, 0), modifier(to, 0));
  }
  if (f == "text" && t == "varchar") {
    return modifier(to, 0) == -1;
  }
  if (f == "numeric" && t == "numeric") {
    if (to.modifiers.empty()) {
      return true;
    }
    return !from.modifiers.empty() && modifier(to, 1) == modifier(from, 1) &&
           modifier(to, 0) >= modifier(from, 0);
  }
  if (f == t && (f == "varbit" || f == "timestamp" || f == "timestamptz" || f == "time" ||
                 f == "timetz" || f == "interval")) {
    return widens(modifier(from, 0), modifier(to, 0));
  }
  return f == "cidr" && t == "inet";
}

std::vector<Op> operations_of(const sql::AlterTableCmd& cmd, const sql::QualifiedName& table,
                              const SchemaState& schema, const SessionFacts& session) {
  using sql::AlterKind;
  switch (cmd.kind) {
  case AlterKind::AddColumn:
    return cmd.column_def ? add_column_ops(*cmd.column_def) : std::vector<Op>{Op::AddColumn};
  case AlterKind::DropColumn:
    return {Op::DropColumn};
  case AlterKind::AlterColumnType: {
    const TableInfo* known = schema.table(table);
    const ColumnInfo* current = known ? known->column(cmd.column) : nullptr;
    if (current == nullptr || !cmd.type || (cmd.has_using && !cmd.using_is_column)) {
      return {Op::AlterColumnType};
    }
    if (binary_coercible(current->type, *cmd.type)) {
      return {Op::AlterColumnTypeCoercible};
    }
    if (session.timezone_utc && timestamp_zone_change(current->type, *cmd.type)) {
      return {Op::AlterColumnTypeTimestampUtc};
    }
    return {Op::AlterColumnType};
  }
  case AlterKind::SetNotNull: {
    const TableInfo* known = schema.table(table);
    return {known != nullptr && known->has_validated_not_null_check(cmd.column)
                ? Op::SetNotNullProved
                : Op::SetNotNull};
  }
  case AlterKind::DropNotNull:
    return {Op::DropNotNull};
  case AlterKind::SetDefault:
    return {Op::SetDefault};
  case AlterKind::DropDefault:
    return {Op::DropDefault};
  case AlterKind::SetStatistics:
    return {Op::SetStatistics};
  case AlterKind::AddConstraint:
    if (cmd.constraint) {
      if (auto op = add_constraint_op(*cmd.constraint)) {
        return {*op};
      }
    }
    return {};
  case AlterKind::ValidateConstraint:
    return {Op::ValidateConstraint};
  case AlterKind::DropConstraint:
    return {Op::DropConstraint};
  case AlterKind::SetLogged:
    return {Op::SetLogged};
  case AlterKind::SetUnlogged:
    return {Op::SetUnlogged};
  case AlterKind::AttachPartition:
    return {Op::AttachPartition};
  case AlterKind::DetachPartition:
    return {Op::DetachPartition};
  case AlterKind::DetachPartitionConcurrently:
    return {Op::DetachPartitionConcurrently};
  default:
    return {};
  }
}

std::vector<Op> operations_of(const sql::Statement& statement, const SchemaState& schema,
                              const SessionFacts& session) {
  std::vector<Op> ops;
  if (const auto* alter = statement.as<sql::AlterTable>()) {
    if (alter->relation_kind != sql::RelationKind::Table) {
      return ops;
    }
    for (const auto& cmd : alter->cmds) {
      for (Op op : operations_of(cmd, alter->table, schema, session)) {
        add_unique(ops, op);
      }
    }
  } else if (const auto* create = statement.as<sql::CreateTable>()) {
    auto references_other = [&](const std::vector<sql::Constraint>& constraints) {
      return std::any_of(constraints.begin(), constraints.end(), [&](const sql::Constraint& c) {
        return c.kind == sql::ConstraintKind::ForeignKey &&
               c.references.key() != create->table.key();
      });
    };
    bool references = references_other(create->constraints);
    for (const auto& col : create->columns) {
      references = references || references_other(col.constraints);
    }
    if (references) {
      ops.push_back(Op::CreateTableReferences);
    }
  } else if (const auto* index = statement.as<sql::CreateIndex>()) {
    ops.push_back(index->concurrent ? Op::CreateIndexConcurrently : Op::CreateIndex);
  } else if (const auto* drop = statement.as<sql::Drop>()) {
    if (drop->kind == sql::ObjectKind::Table) {
      ops.push_back(Op::DropTable);
    } else if (drop->kind == sql::ObjectKind::Index) {
      ops.push_back(drop->concurrent ? Op::DropIndexConcurrently : Op::DropIndex);
    }
  } else if (const auto* rename = statement.as<sql::Rename>()) {
    switch (rename->kind) {
    case sql::ObjectKind::Table:
      ops.push_back(Op::RenameTable);
      break;
    case sql::ObjectKind::Column:
      ops.push_back(Op::RenameColumn);
      break;
    case sql::ObjectKind::Index:
      ops.push_back(Op::RenameIndex);
      break;
    case sql::ObjectKind::Constraint:
      ops.push_back(Op::RenameConstraint);
      break;
    default:
      break;
    }
  } else if (statement.as<sql::Truncate>() != nullptr) {
    ops.push_back(Op::Truncate);
  } else if (statement.as<sql::CreateTrigger>() != nullptr) {
    ops.push_back(Op::CreateTrigger);
  } else if (const auto* vacuum = statement.as<sql::Vacuum>()) {
    if (vacuum->cluster) {
      ops.push_back(Op::Cluster);
    } else if (vacuum->full) {
      ops.push_back(Op::VacuumFull);
    }
  } else if (const auto* reindex = statement.as<sql::Reindex>()) {
    ops.push_back(reindex->concurrent ? Op::ReindexConcurrently
                  : reindex->is_index ? Op::ReindexIndex
                                      : Op::ReindexTable);
  }
  return ops;
}

Effect combined_effect(const std::vector<Op>& ops, int major) {
  Effect out;
  for (Op op : ops) {
    const auto e = effect_of(op, major);
    if (!e) {
      continue;
    }
    if (e->lock) {
      out.lock = out.lock ? std::max(*out.lock, *e->lock) : *e->lock;
    }
    if (e->other_lock) {
      out.other_lock = out.other_lock ? std::max(*out.other_lock, *e->other_lock) : *e->other_lock;
    }
    out.rewrite = out.rewrite || e->rewrite;
    out.scan = out.scan || e->scan;
  }
  return out;
}

namespace {

void add_foreign_key_targets(LockSet& locks, const std::vector<sql::Constraint>& constraints,
                             std::optional<LockMode> mode) {
  for (const auto& c : constraints) {
    if (c.kind == sql::ConstraintKind::ForeignKey) {
      locks.add(c.references, mode);
    }
  }
}

// ALTER DOMAIN ... ADD CONSTRAINT (validated), VALIDATE CONSTRAINT and SET NOT NULL check every
// column of the domain's type.
bool domain_validates(const sql::AlterDomain& domain) {
  return (domain.kind == sql::AlterDomainKind::AddConstraint && domain.constraint &&
          !domain.constraint->not_valid) ||
         domain.kind == sql::AlterDomainKind::ValidateConstraint ||
         domain.kind == sql::AlterDomainKind::SetNotNull;
}

} // namespace

std::vector<TableLock> locks_taken(const sql::Statement& statement, const SchemaState& schema,
                                   const SessionFacts& session, int major) {
  LockSet taken;
  const auto ops = operations_of(statement, schema, session);
  const Op first = ops.empty() ? Op::AddColumn : ops.front();
  if (const auto* alter = statement.as<sql::AlterTable>()) {
    if (alter->relation_kind != sql::RelationKind::Table) {
      taken.add(alter->table, AE); // ALTER INDEX / VIEW / SEQUENCE ...: no row, the strongest
      return taken.take();
    }
    for (const auto& cmd : alter->cmds) {
      const auto cmd_ops = operations_of(cmd, alter->table, schema, session);
      // A subcommand the table has no row for (SET TABLESPACE, ADD ... EXCLUDE, ...) takes
      // ACCESS EXCLUSIVE, as most of ALTER TABLE does.
      const Effect e = cmd_ops.empty() ? locks(AE) : combined_effect(cmd_ops, major);
      taken.add(alter->table, e.lock);
      if ((cmd.kind == sql::AlterKind::AttachPartition ||
           cmd.kind == sql::AlterKind::DetachPartition) &&
          !cmd.partition.name.empty()) {
        taken.add(cmd.partition, e.other_lock); // the partition itself
      }
      if (cmd.constraint) {
        add_foreign_key_targets(taken, {*cmd.constraint}, e.other_lock);
      }
      if (cmd.column_def) {
        add_foreign_key_targets(taken, cmd.column_def->constraints, e.other_lock);
      }
    }
  } else if (const auto* create = statement.as<sql::CreateTable>()) {
    const auto mode = other_lock_of(Op::CreateTableReferences, major);
    for (const auto& c : create->constraints) {
      if (c.kind == sql::ConstraintKind::ForeignKey && c.references.key() != create->table.key()) {
        taken.add(c.references, mode);
      }
    }
    for (const auto& col : create->columns) {
      for (const auto& c : col.constraints) {
        if (c.kind == sql::ConstraintKind::ForeignKey &&
            c.references.key() != create->table.key()) {
          taken.add(c.references, mode);
        }
      }
    }
  } else if (const auto* index = statement.as<sql::CreateIndex>()) {
    taken.add(index->table, lock_of(first, major));
  } else if (const auto* drop = statement.as<sql::Drop>()) {
    for (const auto& obj : drop->objects) {
      if (drop->kind == sql::ObjectKind::Table) {
        taken.add(obj, lock_of(Op::DropTable, major));
      } else if (drop->kind == sql::ObjectKind::View ||
                 drop->kind == sql::ObjectKind::MaterializedView) {
        taken.add(obj, AE);
      } else if (drop->kind == sql::ObjectKind::Index) {
        taken.add_index(obj, schema, lock_of(first, major));
      } else if (drop->kind == sql::ObjectKind::Schema && drop->cascade) {
        // DROP SCHEMA ... CASCADE drops each of its tables like DROP TABLE.
        for (const auto& table : schema.tables_in_schema(obj.name)) {
          taken.add(table, lock_of(Op::DropTable, major));
        }
      }
    }
  } else if (const auto* rename = statement.as<sql::Rename>()) {
    if (rename->kind == sql::ObjectKind::Index) {
      taken.add_index(rename->relation, schema, lock_of(Op::RenameIndex, major));
    } else if (!ops.empty()) {
      taken.add(rename->relation, lock_of(first, major));
    } else if (rename->kind == sql::ObjectKind::View ||
               rename->kind == sql::ObjectKind::MaterializedView) {
      taken.add(rename->relation, AE);
    }
  } else if (const auto* truncate = statement.as<sql::Truncate>()) {
    for (const auto& t : truncate->tables) {
      taken.add(t, lock_of(Op::Truncate, major));
    }
  } else if (const auto* trigger = statement.as<sql::CreateTrigger>()) {
    taken.add(trigger->table, lock_of(Op::CreateTrigger, major));
  } else if (const auto* lock = statement.as<sql::LockTable>()) {
    for (const auto& t : lock->tables) {
      taken.add(t, lock->mode);
    }
  } else if (const auto* vacuum = statement.as<sql::Vacuum>()) {
    if (!ops.empty()) {
      for (const auto& t : vacuum->tables) {
        taken.add(t, lock_of(first, major));
      }
    }
  } else if (const auto* reindex = statement.as<sql::Reindex>()) {
    if (reindex->kind == sql::ReindexKind::Index || reindex->kind == sql::ReindexKind::Table) {
      if (reindex->is_index) {
        taken.add_index(reindex->target, schema, lock_of(first, major));
      } else {
        taken.add(reindex->target, lock_of(first, major));
      }
    }
    // SCHEMA / DATABASE / SYSTEM: each table in turn, in a transaction of its own (PostgreSQL
    // refuses them inside a transaction block); which tables is not known here.
  } else if (const auto* domain = statement.as<sql::AlterDomain>()) {
    // ADD CONSTRAINT (validated), VALIDATE CONSTRAINT and SET NOT NULL check every column of the
    // domain's type under a SHARE lock on its table (PostgreSQL 13 to 18, typecmds.c
    // validateDomainConstraint / get_rels_with_domain).
    if (domain_validates(*domain)) {
      for (const auto& [table, column] : schema.columns_of_type(domain->domain)) {
        taken.add(table, sql::LockMode::Share);
      }
    }
  }
  return taken.take();
}

bool works_under_lock(const sql::Statement& statement, const SchemaState& schema,
                      const SessionFacts& session, int major) {
  if (const auto* domain = statement.as<sql::AlterDomain>()) {
    return domain_validates(*domain);
  }
  for (const Op op : operations_of(statement, schema, session)) {
    if (const auto e = effect_of(op, major); e && (e->scan || e->rewrite)) {
      return true;
    }
  }
  return false;
}

bool blocks_reads(sql::LockMode mode) {
  return mode == sql::LockMode::AccessExclusive;
}

bool blocks_writes(sql::LockMode mode) {
  return mode >= sql::LockMode::Share;
}

std::string effect_table_markdown() {
  constexpr int k_oldest = 13;
  constexpr int k_newest = 18;
  std::string out = "| statement | lock | other table | rewrite | scan | PostgreSQL | note |\n"
                    "|---|---|---|---|---|---|---|\n";
  for (const auto& row : effect_table()) {
    std::vector<Era> eras;
    for (const auto& era : row.eras) {
      if (era.since <= k_oldest) {
        eras.assign(1, Era{k_oldest, era.effect});
      } else if (era.since <= k_newest) {
        eras.push_back(era);
      }
    }
    if (!row.eras.empty() && row.eras.front().since > k_oldest) {
      const int last = row.eras.front().since - 1;
      out += "| " + std::string(row.statement) + " | — | — | — | — | " + std::to_string(k_oldest) +
             (last == k_oldest ? std::string() : "–" + std::to_string(last)) + " | rejected |\n";
    }
    for (size_t i = 0; i < eras.size(); ++i) {
      const Effect& e = eras[i].effect;
      const int until = i + 1 < eras.size() ? eras[i + 1].since - 1 : k_newest;
      std::string versions = std::to_string(eras[i].since);
      versions += until == eras[i].since ? "" : "–" + std::to_string(until);
      std::string statement(row.statement);
      if (!row.in_transaction) {
        statement += " (outside a transaction)";
      }
      out += "| " + statement + " | " + mode_name(e.lock) + " | " + mode_name(e.other_lock) +
             " | " + (e.rewrite ? "yes" : "no") + " | " + (e.scan ? "yes" : "no") + " | " +
             versions + " | " + std::string(row.note) + " |\n";
    }
  }
  return out;
}

} // namespace miglint::lint
