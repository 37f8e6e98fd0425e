#include "lint/rule.hpp"
#include "lint/rule_support.hpp"

namespace miglint::rules {
namespace {

// VALIDATE CONSTRAINT takes only SHARE UPDATE EXCLUSIVE, but a lock an earlier statement of the
// same transaction took (the ADD ... NOT VALID itself: ACCESS EXCLUSIVE for a CHECK, SHARE ROW
// EXCLUSIVE for a foreign key) is held until commit, so the validation scan runs under it.
class ValidateSameTransaction final : public lint::Rule {
public:
  std::string_view id() const override { return "validate-same-transaction"; }

  void check(const sql::Statement& statement, lint::Context& ctx) const override {
    const auto* alter = statement.as<sql::AlterTable>();
    if (alter == nullptr || alter->relation_kind != sql::RelationKind::Table) {
      return;
    }
    for (const auto& cmd : alter->cmds) {
      if (cmd.kind != sql::AlterKind::ValidateConstraint) {
        continue;
      }
      const lint::Context::HeldLock* held = ctx.held_lock(alter->table);
      if (held == nullptr || !lint::blocks_writes(held->mode) || ctx.is_new_table(alter->table)) {
        return;
      }
      const std::string table = lint::quoted(alter->table.display());
      const std::string blocked = lint::blocks_reads(held->mode) ? "reads and writes" : "writes";
      ctx.report(statement, "VALIDATE CONSTRAINT " + lint::quoted(cmd.name) + " scans " + table +
                                " while this transaction still holds the " +
                                std::string(sql::to_string(held->mode)) +
                                " lock the statement on line " +
                                std::to_string(ctx.line_of(held->statement)) +
                                " took on it: " + blocked + " of " + table +
                                " wait for the whole validation, which is what NOT VALID was "
                                "meant to avoid");
    }
  }
};

} // namespace

std::unique_ptr<lint::Rule> make_validate_same_transaction() {
  return std::make_unique<ValidateSameTransaction>();
}

} // namespace miglint::rules
