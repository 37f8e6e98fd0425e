#include "lint/rule.hpp"
#include "lint/rule_support.hpp"

namespace miglint::rules {
namespace {

// serial / bigserial / smallserial: a sequence and a default bolted on a plain column; an
// identity column (PostgreSQL >= 10) is the standard form and refuses accidental explicit
// values with GENERATED ALWAYS.
class PreferIdentity final : public lint::Rule {
public:
  std::string_view id() const override { return "prefer-identity"; }

  void check(const sql::Statement& statement, lint::Context& ctx) const override {
    if (ctx.pg_version() < 10) {
      return; // no identity columns before PostgreSQL 10
    }
    lint::for_each_declared_type(statement, [&](const lint::DeclaredType& d) {
      if (d.def == nullptr || !d.type.is_serial()) {
        return;
      }
      const std::string base = d.type.canonical() == "bigserial"     ? "bigint"
                               : d.type.canonical() == "smallserial" ? "smallint"
                                                                     : "integer";
      ctx.report(statement, lint::from(d.location, statement),
                 lint::column_ref(d.table, d.column) + " is `" + d.type.canonical() +
                     "`: a sequence and a DEFAULT attached to a plain column, so the sequence "
                     "needs grants of its own and CREATE TABLE ... LIKE copies share it; `" +
                     base + " GENERATED ALWAYS AS IDENTITY` is the standard form");
    });
  }
};

} // namespace

std::unique_ptr<lint::Rule> make_prefer_identity() {
  return std::make_unique<PreferIdentity>();
}

} // namespace miglint::rules
