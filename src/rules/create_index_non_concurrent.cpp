#include "lint/rule.hpp"
#include "lint/rule_support.hpp"

namespace miglint::rules {
namespace {

// CREATE INDEX without CONCURRENTLY blocks writes to the table for the whole build.
class CreateIndexNonConcurrent final : public lint::Rule {
public:
  std::string_view id() const override { return "create-index-non-concurrent"; }

  void check(const sql::Statement& statement, lint::Context& ctx) const override {
    const auto* index = statement.as<sql::CreateIndex>();
    if (index == nullptr || index->concurrent || ctx.is_new_table(index->table)) {
      return;
    }
    const std::string name =
        index->name.empty() ? "an index" : "index " + lint::quoted(index->name);
    ctx.report(statement, "building " + name + " on " + lint::quoted(index->table.display()) +
                              " without CONCURRENTLY takes a SHARE lock that blocks every write "
                              "to the table until the build finishes");
  }
};

} // namespace

std::unique_ptr<lint::Rule> make_create_index_non_concurrent() {
  return std::make_unique<CreateIndexNonConcurrent>();
}

} // namespace miglint::rules
