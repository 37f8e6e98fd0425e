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

std::vector<TableLock> locks_taken(const sql::Statement& statement, const SchemaState& schema) {
  using sql::LockMode;
  LockSet locks;
  if (const auto* alter = statement.as<sql::AlterTable>()) {
    for (const auto& cmd : alter->cmds) {
      locks.add(alter->table, lock_of(cmd));
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
    if (reindex->concurrent) {
      locks.add(reindex->is_index ? schema.table_of_index(reindex->target).value_or(reindex->target)
                                  : reindex->target,
                LockMode::ShareUpdateExclusive);
    } else if (reindex->is_index) {
      // REINDEX INDEX: ACCESS EXCLUSIVE on the index, SHARE on its table.
      locks.add(schema.table_of_index(reindex->target).value_or(reindex->target), LockMode::Share);
    } else {
      locks.add(reindex->target, LockMode::Share);
    }
  }
  return locks.take();
}

bool blocks_reads(sql::LockMode mode) {
  return mode == sql::LockMode::AccessExclusive;
}

bool blocks_writes(sql::LockMode mode) {
  return mode >= sql::LockMode::Share;
}

} // namespace miglint::lint
