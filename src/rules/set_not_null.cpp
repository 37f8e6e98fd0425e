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
    lint::for_each_populated_alter(statement, ctx, [&](const auto& alter, const auto& cmd) {
      if (cmd.kind != sql::AlterKind::SetNotNull) {
        return;
      }
      if (!ctx.effect(alter, cmd).scan) {
        return; // a validated CHECK (col IS NOT NULL) proves it (lint/effects.hpp)
      }
      const std::string message = "SET NOT NULL on " + lint::column_ref(alter.table, cmd.column) +
                                  " scans the whole table under an ACCESS EXCLUSIVE lock, "
                                  "blocking reads and writes until every row is checked";
      // A CHECK (col IS NOT NULL) NOT VALID is already there: the advice is to validate it.
      std::string pending;
      const lint::TableInfo* table = ctx.known_table(alter.table);
      if (ctx.pg_version() >= 12 && table != nullptr) {
        for (const auto& [name, check] : table->checks) {
          if (!check.validated && check.column == cmd.column) {
            pending = name;
          }
        }
      }
      if (!pending.empty()) {
        ctx.report(statement, statement.span,
                   message + "; the NOT VALID check " + lint::quoted(pending) +
                       " would spare the scan once validated",
                   "Run ALTER TABLE " + alter.table.display() + " VALIDATE CONSTRAINT " + pending +
                       " first (it scans without blocking reads or writes), in an earlier "
                       "transaction; SET NOT NULL then skips the scan.");
        return;
      }
      ctx.report(statement, message);
    });
  }
};

} // namespace

std::unique_ptr<lint::Rule> make_set_not_null() {
  return std::make_unique<SetNotNull>();
}

} // namespace miglint::rules
