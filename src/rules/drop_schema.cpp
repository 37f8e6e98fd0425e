#include "lint/rule.hpp"
#include "lint/rule_support.hpp"

namespace miglint::rules {
namespace {

// DROP SCHEMA ... CASCADE of a schema that existed before the migration: every object in it
// goes, data included.
class DropSchema final : public lint::Rule {
public:
  std::string_view id() const override { return "drop-schema"; }

  void check(const sql::Statement& statement, lint::Context& ctx) const override {
    const auto* drop = statement.as<sql::Drop>();
    // Without CASCADE PostgreSQL refuses to drop a schema that still holds anything.
    if (drop == nullptr || drop->kind != sql::ObjectKind::Schema || !drop->cascade) {
      return;
    }
    for (const auto& schema : drop->objects) {
      if (ctx.is_new_schema(schema.name)) {
        continue;
      }
      std::string tables;
      const auto known = ctx.schema().tables_in_schema(schema.name);
      for (size_t i = 0; i < known.size() && i < 3; ++i) {
        tables += (i ? ", " : "") + lint::quoted(known[i].display());
      }
      if (known.size() > 3) {
        tables += " and " + std::to_string(known.size() - 3) + " more";
      }
      ctx.report(statement,
                 "DROP SCHEMA " + lint::quoted(schema.name) +
                     " CASCADE deletes every table, view, function and type in it for good" +
                     (tables.empty() ? std::string() : " (" + tables + ")") +
                     ", with their data, under an ACCESS EXCLUSIVE lock on each table");
    }
  }
};

} // namespace

std::unique_ptr<lint::Rule> make_drop_schema() {
  return std::make_unique<DropSchema>();
}

} // namespace miglint::rules
