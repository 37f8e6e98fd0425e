#include "lint/rule.hpp"
#include "lint/rule_support.hpp"

namespace miglint::rules {
namespace {

// BEGIN / COMMIT / ROLLBACK written into a script that already runs in a transaction: a nested
// BEGIN is ignored, and a COMMIT or ROLLBACK ends the migration tool's transaction early.
class TransactionNesting final : public lint::Rule {
public:
  std::string_view id() const override { return "transaction-nesting"; }

  void check(const sql::Statement& statement, lint::Context& ctx) const override {
    const auto* tx = statement.as<sql::Transaction>();
    if (tx == nullptr || !ctx.written_as_sql(statement)) {
      return; // the tool's own COMMIT/BEGIN around an Alembic autocommit_block()
    }
    const lint::TxOrigin origin = ctx.tx_origin();
    if (tx->kind == sql::TxKind::Begin) {
      if (origin == lint::TxOrigin::Tool) {
        ctx.report(statement, "the migration tool already runs this script in a transaction: "
                              "PostgreSQL ignores this BEGIN with a warning, so the COMMIT "
                              "meant to close it ends the tool's transaction early and what "
                              "follows runs outside any transaction");
      } else if (origin == lint::TxOrigin::Explicit) {
        ctx.report(statement, "a transaction is already open (" +
                                  std::string(ctx.transaction_origin()) +
                                  "): PostgreSQL ignores this BEGIN with a warning, and the "
                                  "first COMMIT ends both");
      }
      return;
    }
    if (origin != lint::TxOrigin::Tool || ctx.reported_in_script()) {
      return; // closing an explicit BEGIN (or the one already reported) is what it should do
    }
    if (tx->kind == sql::TxKind::Commit) {
      ctx.report(statement,
                 "COMMIT ends the transaction the migration tool runs this script in: the "
                 "statements after it and the tool's record of the migration run outside any "
                 "transaction, so a failure from here on leaves the migration half applied");
    } else if (tx->kind == sql::TxKind::Rollback) {
      ctx.report(statement, "ROLLBACK undoes everything the script did before it, and ends the "
                            "transaction the migration tool runs it in: the tool then records "
                            "the migration as applied");
    }
  }
};

} // namespace

std::unique_ptr<lint::Rule> make_transaction_nesting() {
  return std::make_unique<TransactionNesting>();
}

} // namespace miglint::rules
