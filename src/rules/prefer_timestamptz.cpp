#include "lint/rule.hpp"
#include "lint/rule_support.hpp"

namespace miglint::rules {
namespace {

// `timestamp` (without time zone) stores wall-clock readings with no zone: the same instant
// written from sessions with different TimeZone settings gets different values.
class PreferTimestamptz final : public lint::Rule {
public:
  std::string_view id() const override { return "prefer-timestamptz"; }

  void check(const sql::Statement& statement, lint::Context& ctx) const override {
    lint::for_each_declared_type(statement, [&](const lint::DeclaredType& d) {
      if (d.type.canonical() != "timestamp") {
        return;
      }
      ctx.report(statement, lint::from(d.location, statement),
                 lint::column_ref(d.table, d.column) +
                     " is `timestamp without time zone`: it stores a wall-clock reading with no "
                     "zone, so the same instant written by sessions with different TimeZone "
                     "settings is stored as different values; `timestamptz` stores the instant");
    });
  }
};

} // namespace

std::unique_ptr<lint::Rule> make_prefer_timestamptz() {
  return std::make_unique<PreferTimestamptz>();
}

} // namespace miglint::rules
