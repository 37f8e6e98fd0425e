#include "lint/rule.hpp"
#include "lint/rule_support.hpp"

namespace miglint::rules {
namespace {

// `varchar(n)`: the limit is the hard part to change later (ALTER COLUMN TYPE under ACCESS
// EXCLUSIVE, a rewrite to lower it); `text` with a CHECK on its length is as fast and easy to
// change.
class PreferTextField final : public lint::Rule {
public:
  std::string_view id() const override { return "prefer-text-field"; }

  void check(const sql::Statement& statement, lint::Context& ctx) const override {
    lint::for_each_declared_type(statement, [&](const lint::DeclaredType& d) {
      if (d.type.canonical() != "varchar" || !d.type.has_modifiers) {
        return;
      }
      ctx.report(statement, lint::from(d.location, statement),
                 lint::column_ref(d.table, d.column) + " is `" + d.type.display() +
                     "`: changing the limit later is an ALTER COLUMN ... TYPE under an ACCESS "
                     "EXCLUSIVE lock (lowering it rewrites the table); `text` with a CHECK "
                     "on its length stores the same and its CHECK can be swapped NOT VALID");
    });
  }
};

} // namespace

std::unique_ptr<lint::Rule> make_prefer_text_field() {
  return std::make_unique<PreferTextField>();
}

} // namespace miglint::rules
