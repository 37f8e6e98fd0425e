#include "lint/rule.hpp"
#include "lint/rule_support.hpp"

namespace miglint::rules {
namespace {

// TRUNCATE deletes every row under an ACCESS EXCLUSIVE lock.
class Truncate final : public lint::Rule {
public:
  std::string_view id() const override { return "truncate"; }

  void check(const sql::Statement& statement, lint::Context& ctx) const override {
    const auto* truncate = statement.as<sql::Truncate>();
    if (truncate == nullptr) {
      return;
    }
    for (const auto& table : truncate->tables) {
      if (ctx.is_new_table(table)) {
        continue;
      }
      ctx.report(statement, "TRUNCATE " + lint::quoted(table.display()) +
                                " deletes every row for good under an ACCESS EXCLUSIVE lock" +
                                (truncate->cascade ? "; CASCADE also empties every table with a "
                                                     "foreign key to it"
                                                   : ""));
    }
  }
};

} // namespace

std::unique_ptr<lint::Rule> make_truncate() {
  return std::make_unique<Truncate>();
}

} // namespace miglint::rules
