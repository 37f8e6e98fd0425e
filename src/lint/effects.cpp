#include "lint/effects.hpp"

#include <algorithm>

namespace miglint::lint {

sql::LockMode lock_of(const sql::AlterTableCmd& cmd) {
  using sql::AlterKind;
  using sql::LockMode;
  switch (cmd.kind) {
  case AlterKind::AddConstraint:
    if (cmd.constraint && cmd.constraint->kind == sql::ConstraintKind::ForeignKey) {
      return LockMode::ShareRowExclusive;
    }
    return LockMode::AccessExclusive;
  case AlterKind::ValidateConstraint:
  case AlterKind::SetStatistics:
  case AlterKind::AttachPartition: // PostgreSQL >= 12 on the parent
  case AlterKind::DetachPartitionConcurrently:
    return LockMode::ShareUpdateExclusive;
  default:
    return LockMode::AccessExclusive;
  }
}

namespace {

class LockSet {
public:
  void add(const sql::QualifiedName& table, sql::LockMode mode) {
    if (table.name.empty()) {
      return;
    }
    for (auto& lock : m_locks) {
      if (lock.table.key() == table.key()) {
        lock.mode = std::max(lock.mode, mode);
        return;
      }
    }
    m_locks.push_back({table, mode});
  }
  std::vector<TableLock> take() { return std::move(m_locks); }

private:
  std::vector<TableLock> m_locks;
};

void add_foreign_key_targets(LockSet& locks, const std::vector<sql::Constraint>& constraints) {
  for (const auto& c : constraints) {
    if (c.kind == sql::ConstraintKind::ForeignKey) {
      locks.add(c.references, sql::LockMode::ShareRowExclusive);
    }
  }
}

} // namespace

std::vector<TableLock> locks_taken(const sql::Statement& statement, const SchemaState& schema,
                                   int pg_version) {
  using sql::LockMode;
  LockSet locks;
  if (const auto* alter = statement.as<sql::AlterTable>()) {
    for (const auto& cmd : alter->cmds) {
      locks.add(alter->table, lock_of(cmd));
      if (cmd.kind == sql::AlterKind::DetachPartition) { // and the partition itself
        locks.add(cmd.partition,
                  pg_version >= 14 ? LockMode::AccessExclusive : LockMode::ShareUpdateExclusive);
      }
      if (cmd.constraint) {
        add_foreign_key_targets(locks, {*cmd.constraint});
      }
      if (cmd.column_def) {
        add_foreign_key_targets(locks, cmd.column_def->constraints);
      }
    }
  } else if (const auto* create = statement.as<sql::CreateTable>()) {
    // Creating a table with a foreign key locks the referenced table (SHARE ROW EXCLUSIVE).
    add_foreign_key_targets(locks, create->constraints);
    for (const auto& col : create->columns) {
      add_foreign_key_targets(locks, col.constraints);
    }
  } else if (const auto* index = statement.as<sql::CreateIndex>()) {
    locks.add(index->table, index->concurrent ? LockMode::ShareUpdateExclusive : LockMode::Share);
  } else if (const auto* drop = statement.as<sql::Drop>()) {
    for (const auto& obj : drop->objects) {
      if (drop->kind == sql::ObjectKind::Table || drop->kind == sql::ObjectKind::View ||
          drop->kind == sql::ObjectKind::MaterializedView) {
        locks.add(obj, LockMode::AccessExclusive);
      } else if (drop->kind == sql::ObjectKind::Index) {
        locks.add(schema.table_of_index(obj).value_or(obj),
                  drop->concurrent ? LockMode::ShareUpdateExclusive : LockMode::AccessExclusive);
      } else if (drop->kind == sql::ObjectKind::Schema && drop->cascade) {
        // DROP SCHEMA ... CASCADE drops each of its tables like DROP TABLE.
        for (const auto& table : schema.tables_in_schema(obj.name)) {
          locks.add(table, LockMode::AccessExclusive);
        }
      }
    }
  } else if (const auto* rename = statement.as<sql::Rename>()) {
    if (rename->kind == sql::ObjectKind::Index) {
      locks.add(schema.table_of_index(rename->relation).value_or(rename->relation),
                LockMode::ShareUpdateExclusive);
    } else if (rename->kind == sql::ObjectKind::Table || rename->kind == sql::ObjectKind::Column ||
               rename->kind == sql::ObjectKind::Constraint ||
               rename->kind == sql::ObjectKind::View ||
               rename->kind == sql::ObjectKind::MaterializedView) {
      locks.add(rename->relation, LockMode::AccessExclusive);
    }
  } else if (const auto* truncate = statement.as<sql::Truncate>()) {
    for (const auto& t : truncate->tables) {
      locks.add(t, LockMode::AccessExclusive);
    }
  } else if (const auto* trigger = statement.as<sql::CreateTrigger>()) {
    locks.add(trigger->table, LockMode::ShareRowExclusive);
  } else if (const auto* lock = statement.as<sql::LockTable>()) {
    for (const auto& t : lock->tables) {
      locks.add(t, lock->mode);
    }
  } else if (const auto* vacuum = statement.as<sql::Vacuum>()) {
    if (vacuum->full || vacuum->cluster) {
      for (const auto& t : vacuum->tables) {
        locks.add(t, LockMode::AccessExclusive);
      }
    }
  } else if (const auto* reindex = statement.as<sql::Reindex>()) {
    if (reindex->kind != sql::ReindexKind::Index && reindex->kind != sql::ReindexKind::Table) {
      // SCHEMA / DATABASE / SYSTEM: each table in turn, in a transaction of its own (PostgreSQL
      // refuses them inside a transaction block); which tables is not known here.
    } else if (reindex->concurrent) {
      locks.add(reindex->is_index ? schema.table_of_index(reindex->target).value_or(reindex->target)
                                  : reindex->target,
                LockMode::ShareUpdateExclusive);
    } else if (reindex->is_index) {
      // REINDEX INDEX: ACCESS EXCLUSIVE on the index, SHARE on its table.
      locks.add(schema.table_of_index(reindex->target).value_or(reindex->target), LockMode::Share);
    } else {
      locks.add(reindex->target, LockMode::Share);
    }
  } else if (const auto* domain = statement.as<sql::AlterDomain>()) {
    // ADD CONSTRAINT (validated), VALIDATE CONSTRAINT and SET NOT NULL check every column of the
    // domain's type under a SHARE lock on its table (PostgreSQL 13 to 18, typecmds.c
    // validateDomainConstraint / get_rels_with_domain).
    const bool validates = (domain->kind == sql::AlterDomainKind::AddConstraint &&
                            domain->constraint && !domain->constraint->not_valid) ||
                           domain->kind == sql::AlterDomainKind::ValidateConstraint ||
                           domain->kind == sql::AlterDomainKind::SetNotNull;
    if (validates) {
      for (const auto& [table, column] : schema.columns_of_type(domain->domain)) {
        locks.add(table, LockMode::Share);
      }
    }
  }
  return locks.take();
}

namespace {

bool validated_when_added(const sql::Constraint& c) {
  return !c.not_valid && c.using_index.empty() && c.kind != sql::ConstraintKind::Other;
}

bool add_column_works(const sql::ColumnDef& col) {
  if (col.generated_stored || col.identity || col.type.is_serial()) {
    return true; // every row gets a value computed for it: a rewrite
  }
  const bool has_default = col.default_value && !col.default_value->is_null;
  if (has_default && col.default_value->volatility == sql::Volatility::Volatile) {
    return true;
  }
  for (const auto& c : col.constraints) {
    if (c.kind == sql::ConstraintKind::ForeignKey ? has_default : validated_when_added(c)) {
      return true;
    }
  }
  return false;
}

} // namespace

bool works_under_lock(const sql::Statement& statement) {
  using sql::AlterKind;
  if (const auto* index = statement.as<sql::CreateIndex>()) {
    return !index->concurrent;
  }
  if (const auto* reindex = statement.as<sql::Reindex>()) {
    return !reindex->concurrent;
  }
  if (const auto* vacuum = statement.as<sql::Vacuum>()) {
    return vacuum->full || vacuum->cluster;
  }
  if (const auto* domain = statement.as<sql::AlterDomain>()) {
    return (domain->kind == sql::AlterDomainKind::AddConstraint && domain->constraint &&
            !domain->constraint->not_valid) ||
           domain->kind == sql::AlterDomainKind::ValidateConstraint ||
           domain->kind == sql::AlterDomainKind::SetNotNull;
  }
  const auto* alter = statement.as<sql::AlterTable>();
  if (alter == nullptr) {
    return false;
  }
  for (const auto& cmd : alter->cmds) {
    switch (cmd.kind) {
    case AlterKind::AddConstraint:
      if (cmd.constraint && validated_when_added(*cmd.constraint)) {
        return true;
      }
      break;
    case AlterKind::AddColumn:
      if (cmd.column_def && add_column_works(*cmd.column_def)) {
        return true;
      }
      break;
    case AlterKind::SetNotNull:
    case AlterKind::AlterColumnType:
    case AlterKind::SetLogged:
    case AlterKind::SetUnlogged:
    case AlterKind::SetTablespace:
    case AlterKind::AttachPartition:
      return true;
    default:
      break;
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

} // namespace miglint::lint
