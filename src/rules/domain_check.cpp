#include "lint/rule.hpp"
#include "lint/rule_support.hpp"

namespace miglint::rules {
namespace {

// ALTER DOMAIN ... ADD CONSTRAINT (without NOT VALID) and SET NOT NULL check every column of
// the domain's type, scanning each table that has one under a SHARE lock.
class DomainCheck final : public lint::Rule {
public:
  std::string_view id() const override { return "domain-check"; }

  void check(const sql::Statement& statement, lint::Context& ctx) const override {
    const auto* alter = statement.as<sql::AlterDomain>();
    if (alter == nullptr || ctx.is_new_type(alter->domain)) {
      return;
    }
    std::string what;
    if (alter->kind == sql::AlterDomainKind::AddConstraint && alter->constraint &&
        alter->constraint->kind == sql::ConstraintKind::Check && !alter->constraint->not_valid) {
      const std::string name =
          alter->constraint->name.empty() ? "" : " " + lint::quoted(alter->constraint->name);
      what =
          "adding CHECK constraint" + name + " to domain " + lint::quoted(alter->domain.display());
    } else if (alter->kind == sql::AlterDomainKind::SetNotNull) {
      what = "SET NOT NULL on domain " + lint::quoted(alter->domain.display());
    } else {
      return;
    }
    const auto columns = ctx.schema().columns_of_type(alter->domain);
    std::string used;
    size_t existing = 0;
    for (const auto& [table, column] : columns) {
      if (ctx.is_new_table(table)) {
        continue;
      }
      if (++existing <= 3) {
        used += (used.empty() ? "" : ", ") + lint::column_ref(table, column);
      }
    }
    if (existing > 3) {
      used += " and " + std::to_string(existing - 3) + " more";
    }
    if (used.empty() && ctx.schema().has_domain(alter->domain)) {
      return; // the history created the domain and no table that existed before uses it
    }
    ctx.report(statement,
               what + " checks every value of every column of that type (" +
                   (used.empty() ? std::string("those miglint has not seen") : used) +
                   "), scanning each table under a SHARE lock that blocks its writes" +
                   (alter->kind == sql::AlterDomainKind::AddConstraint
                        ? "; added NOT VALID it is instant and checks new values at once "
                          "(a later VALIDATE CONSTRAINT scans under the same SHARE locks)"
                        : ""));
  }
};

} // namespace

std::unique_ptr<lint::Rule> make_domain_check() {
  return std::make_unique<DomainCheck>();
}

} // namespace miglint::rules
