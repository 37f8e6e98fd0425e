#include "lint/rule.hpp"
#include "lint/rule_support.hpp"

namespace miglint::rules {
namespace {

// SET NOT NULL scans the whole table under ACCESS EXCLUSIVE, unless (PostgreSQL >= 12) a
// validated CHECK (col IS NOT NULL) already proves it.
class SetNotNull final : public lint::Rule {
public:
  std::string_view id() const override { return "set-not-null"; }

  void check(const sql::Statement& statement, lint::Context& ctx) const override {
    lint::for_each_existing_alter(statement, ctx, [&](const auto& alter, const auto& cmd) {
      if (cmd.kind != sql::AlterKind::SetNotNull) {
        return;
      }
      if (!ctx.effect(alter, cmd).scan) {
        return; // a validated CHECK (col IS NOT NULL) proves it (lint/effects.hpp)
      }
      ctx.report(statement, "SET NOT NULL on " + lint::column_ref(alter.table, cmd.column) +
                                " scans the whole table under an ACCESS EXCLUSIVE lock, "
                                "blocking reads and writes until every row is checked");
    });
  }
};

} // namespace

std::unique_ptr<lint::Rule> make_set_not_null() {
  return std::make_unique<SetNotNull>();
}

} // namespace miglint::rules
