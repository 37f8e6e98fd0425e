#include "lint/rule.hpp"
#include "lint/rule_support.hpp"

namespace miglint::rules {
namespace {

std::string columns_of(const std::vector<std::string>& columns) {
  std::string out;
  for (const auto& c : columns) {
    out += (out.empty() ? "" : ", ") + c;
  }
  return "(" + out + ")";
}

// How the statement's locks on the constrained table and the referenced table block others, in
// words: the statement's strongest lock on each (lint/effects.hpp locks_taken), which is more
// than the foreign key's SHARE ROW EXCLUSIVE when another subcommand of the same ALTER TABLE
// takes ACCESS EXCLUSIVE. One table when the key references its own table.
std::string lock_words(const sql::Statement& statement, const lint::Context& ctx,
                       const sql::QualifiedName& table, const sql::QualifiedName& referenced) {
  const auto locks = lint::locks_taken(statement, ctx.schema(), ctx.session(), ctx.pg_version());
  auto mode_of = [&](const sql::QualifiedName& t) {
    for (const auto& l : locks) {
      if (l.table.key() == t.key()) {
        return l.mode;
      }
    }
    return sql::LockMode::ShareRowExclusive;
  };
  auto blocked = [](sql::LockMode mode) {
    return std::string(lint::blocks_reads(mode) ? "reads and writes" : "writes");
  };
  auto article = [](sql::LockMode mode) {
    const std::string_view name = sql::to_string(mode);
    return std::string(name.front() == 'A' || name.front() == 'E' ? "an " : "a ") +
           std::string(name);
  };
  const sql::LockMode own = mode_of(table);
  if (table.key() == referenced.key()) {
    return "holding " + article(own) + " lock on " + lint::quoted(table.display()) +
           " (the key references its own table), blocking its " + blocked(own);
  }
  const sql::LockMode other = mode_of(referenced);
  if (own == other) {
    return "holding " + std::string(sql::to_string(own)) +
           " locks on both tables, blocking their " + blocked(own);
  }
  return "holding " + article(own) + " lock on " + lint::quoted(table.display()) + " and " +
         article(other) + " lock on " + lint::quoted(referenced.display()) + ", blocking " +
         blocked(own) + " of " + lint::quoted(table.display()) + " and " + blocked(other) + " of " +
         lint::quoted(referenced.display());
}

// A foreign key added to an existing table without NOT VALID checks every row while holding
// SHARE ROW EXCLUSIVE locks on both tables; so does a new column with a DEFAULT and REFERENCES
// (one without a DEFAULT is NULL everywhere: nothing to check).
class AddForeignKey final : public lint::Rule {
public:
  std::string_view id() const override { return "add-foreign-key"; }

  void check(const sql::Statement& statement, lint::Context& ctx) const override {
    lint::for_each_populated_alter(statement, ctx, [&](const auto& alter, const auto& cmd) {
      const std::string table = lint::quoted(alter.table.display());
      if (cmd.kind == sql::AlterKind::AddConstraint && cmd.constraint &&
          cmd.constraint->kind == sql::ConstraintKind::ForeignKey &&
          ctx.scans_for(alter, cmd, lint::Op::AddForeignKey)) {
        const auto& fk = *cmd.constraint;
        ctx.report(statement, lint::from(fk.location, statement),
                   "adding foreign key " + table + columns_of(fk.columns) + " -> " +
                       lint::quoted(fk.references.display()) + " validates every row while " +
                       lock_words(statement, ctx, alter.table, fk.references));
      } else if (cmd.kind == sql::AlterKind::AddColumn && cmd.column_def) {
        // A new column without a non-null default is NULL on every row: PostgreSQL has nothing
        // to validate, and the locks last as long as the ALTER (lint/effects.hpp).
        if (!ctx.scans_for(alter, cmd, lint::Op::AddColumnReferencesDefault)) {
          return;
        }
        for (const auto& c : cmd.column_def->constraints) {
          if (c.kind == sql::ConstraintKind::ForeignKey) {
            ctx.report(statement, lint::from(c.location, statement),
                       "new column " + lint::column_ref(alter.table, cmd.column_def->name) +
                           " has a DEFAULT and references " + lint::quoted(c.references.display()) +
                           ": every row's value is checked against it while " +
                           lock_words(statement, ctx, alter.table, c.references) +
                           ", and an inline REFERENCES cannot be NOT VALID");
          }
        }
      }
    });
  }
};

} // namespace

std::unique_ptr<lint::Rule> make_add_foreign_key() {
  return std::make_unique<AddForeignKey>();
}

} // namespace miglint::rules
