#include "lint/rule.hpp"
#include "lint/rule_support.hpp"

namespace miglint::rules {
namespace {

// CONCURRENTLY operations cannot run inside a transaction block: the migration fails.
class ConcurrentlyInTransaction final : public lint::Rule {
public:
  std::string_view id() const override { return "concurrently-in-transaction"; }

  void check(const sql::Statement& statement, lint::Context& ctx) const override {
    if (!ctx.in_transaction()) {
      return;
    }
    std::string what;
    if (const auto* index = statement.as<sql::CreateIndex>(); index && index->concurrent) {
      what = "CREATE INDEX CONCURRENTLY";
    } else if (const auto* drop = statement.as<sql::Drop>();
               drop && drop->concurrent && drop->kind == sql::ObjectKind::Index) {
      what = "DROP INDEX CONCURRENTLY";
    } else if (const auto* reindex = statement.as<sql::Reindex>(); reindex && reindex->concurrent) {
      what = "REINDEX CONCURRENTLY";
    } else if (const auto* alter = statement.as<sql::AlterTable>()) {
      for (const auto& cmd : alter->cmds) {
        if (cmd.kind == sql::AlterKind::DetachPartitionConcurrently) {
          what = "DETACH PARTITION CONCURRENTLY";
        }
      }
    }
    if (what.empty()) {
      return;
    }
    ctx.report(statement, what + " cannot run inside a transaction block, and " +
                              std::string(ctx.transaction_origin()) +
                              ": PostgreSQL rejects it and the migration fails");
  }
};

} // namespace

std::unique_ptr<lint::Rule> make_concurrently_in_transaction() {
  return std::make_unique<ConcurrentlyInTransaction>();
}

} // namespace miglint::rules
