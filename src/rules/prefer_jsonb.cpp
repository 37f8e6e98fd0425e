#include "lint/rule.hpp"
#include "lint/rule_support.hpp"

namespace miglint::rules {
namespace {

// A `json` column: stored as text, no equality operator, no GIN index; `jsonb` has them all.
class PreferJsonb final : public lint::Rule {
public:
  std::string_view id() const override { return "prefer-jsonb"; }

  void check(const sql::Statement& statement, lint::Context& ctx) const override {
    lint::for_each_declared_type(statement, [&](const lint::DeclaredType& d) {
      if (d.type.canonical() != "json") {
        return;
      }
      ctx.report(statement, lint::from(d.location, statement),
                 lint::column_ref(d.table, d.column) +
                     " is `json`: it has no equality operator (SELECT DISTINCT, UNION and GROUP "
                     "BY on it fail), cannot be indexed with GIN, and is re-parsed on every "
                     "access; `jsonb` has none of these problems");
    });
  }
};

} // namespace

std::unique_ptr<lint::Rule> make_prefer_jsonb() {
  return std::make_unique<PreferJsonb>();
}

} // namespace miglint::rules
