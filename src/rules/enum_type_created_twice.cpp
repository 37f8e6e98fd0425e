#include "lint/rule.hpp"
#include "lint/rule_support.hpp"

#include <optional>

namespace miglint::rules {
namespace {

// CREATE TYPE of an enum type the history already created (and did not drop): PostgreSQL fails
// with `type "..." already exists`. In Alembic, create_table() creates the enum types of its
// columns (once per `alembic upgrade` run: SQLAlchemy notes them in the runner's memo), so an
// explicit .create(bind) before it, or a table with the same Enum in a later revision, makes the
// type twice.
class EnumTypeCreatedTwice final : public lint::Rule {
public:
  std::string_view id() const override { return "enum-type-created-twice"; }

  void check(const sql::Statement& statement, lint::Context& ctx) const override {
    const auto* create = statement.as<sql::CreateEnum>();
    if (create == nullptr || ctx.schema().enum_type(create->name) == nullptr) {
      return;
    }
    const std::string type = lint::quoted(create->name.display());
    std::optional<sql::Span> earlier;
    for (const auto& [name, span] : ctx.enums_created()) {
      if (name.key() == create->name.key()) {
        earlier = span; // the last one
      }
    }
    std::string where;
    if (earlier) {
      where =
          "the statement on line " + std::to_string(ctx.line_of(*earlier)) + " already created it";
      if (ctx.declared_enum(create->name)) {
        where += " (create_table() creates the enum types of its columns unless the Enum has "
                 "create_type=False, and does not know of an explicit .create())";
      }
    } else if (ctx.declared_enum(create->name)) {
      where = "an earlier revision already created it (create_table() creates the enum types of "
              "its columns unless the Enum has create_type=False; Alembic skips the type only "
              "when the revision that created it runs in the same `alembic upgrade`)";
    } else {
      where = "the history already created it";
    }
    ctx.report(statement, "CREATE TYPE " + type + " fails with `type \"" + create->name.name +
                              "\" already exists`: " + where);
  }
};

} // namespace

std::unique_ptr<lint::Rule> make_enum_type_created_twice() {
  return std::make_unique<EnumTypeCreatedTwice>();
}

} // namespace miglint::rules
