#include "lint/rule.hpp"
#include "lint/rule_support.hpp"

namespace miglint::rules {
namespace {

// DROP DATABASE in a migration: a whole database gone for good; never inside a transaction.
class DropDatabase final : public lint::Rule {
public:
  std::string_view id() const override { return "drop-database"; }

  void check(const sql::Statement& statement, lint::Context& ctx) const override {
    const auto* drop = statement.as<sql::DropDatabase>();
    if (drop == nullptr) {
      return;
    }
    std::string message = "DROP DATABASE " + lint::quoted(drop->name) +
                          " deletes a whole database and all its data for good";
    if (ctx.in_transaction()) {
      message += "; PostgreSQL also refuses it inside a transaction block (" +
                 std::string(ctx.transaction_origin()) + ")";
    }
    ctx.report(statement, message);
  }
};

} // namespace

std::unique_ptr<lint::Rule> make_drop_database() {
  return std::make_unique<DropDatabase>();
}

} // namespace miglint::rules
