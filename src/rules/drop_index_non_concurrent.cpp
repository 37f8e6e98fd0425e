#include "lint/rule.hpp"
#include "lint/rule_support.hpp"

namespace miglint::rules {
namespace {

// DROP INDEX without CONCURRENTLY takes ACCESS EXCLUSIVE on the index's table.
class DropIndexNonConcurrent final : public lint::Rule {
public:
  std::string_view id() const override { return "drop-index-non-concurrent"; }

  void check(const sql::Statement& statement, lint::Context& ctx) const override {
    const auto* drop = statement.as<sql::Drop>();
    if (drop == nullptr || drop->kind != sql::ObjectKind::Index || drop->concurrent) {
      return;
    }
    for (const auto& index : drop->objects) {
      if (ctx.is_new_index(index)) {
        continue;
      }
      const auto table = ctx.schema().table_of_index(index);
      if (table && ctx.is_new_table(*table)) {
        continue;
      }
      const std::string on =
          table ? "its table " + lint::quoted(table->display()) : std::string("its table");
      ctx.report(statement, "dropping index " + lint::quoted(index.display()) +
                                " without CONCURRENTLY takes an ACCESS EXCLUSIVE lock on " + on +
                                ", blocking reads and writes while it waits and runs");
    }
  }
};

} // namespace

std::unique_ptr<lint::Rule> make_drop_index_non_concurrent() {
  return std::make_unique<DropIndexNonConcurrent>();
}

} // namespace miglint::rules
