#include "lint/rule.hpp"
#include "lint/rule_support.hpp"

namespace miglint::rules {
namespace {

// An EXCLUDE constraint added to an existing table builds its index and checks every row under
// ACCESS EXCLUSIVE; unlike CHECK and FOREIGN KEY it cannot be added NOT VALID.
class AddExclusionConstraint final : public lint::Rule {
public:
  std::string_view id() const override { return "add-exclusion-constraint"; }

  void check(const sql::Statement& statement, lint::Context& ctx) const override {
    lint::for_each_existing_alter(statement, ctx, [&](const auto& alter, const auto& cmd) {
      if (cmd.kind != sql::AlterKind::AddConstraint || !cmd.constraint ||
          cmd.constraint->kind != sql::ConstraintKind::Exclusion) {
        return;
      }
      const std::string name =
          cmd.constraint->name.empty() ? "" : " " + lint::quoted(cmd.constraint->name);
      ctx.report(statement, lint::from(cmd.constraint->location, statement),
                 "adding EXCLUDE constraint" + name + " on " + lint::quoted(alter.table.display()) +
                     " builds its index and checks every row while holding an ACCESS "
                     "EXCLUSIVE lock that blocks reads and writes; PostgreSQL cannot add an "
                     "exclusion constraint NOT VALID or from an index built concurrently");
    });
  }
};

} // namespace

std::unique_ptr<lint::Rule> make_add_exclusion_constraint() {
  return std::make_unique<AddExclusionConstraint>();
}

} // namespace miglint::rules
