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
    if (index == nullptr || index->concurrent || ctx.known_empty(index->table)) {
      return;
    }
    const sql::QualifiedName name{index->table.schema, index->name};
    if (index->if_not_exists && !index->name.empty() && ctx.schema().has_index(name)) {
      return; // the history already built it: IF NOT EXISTS makes this a no-op
    }
    const std::string what =
        index->name.empty() ? "an index" : "index " + lint::quoted(index->name);
    const std::string table = lint::quoted(index->table.display());
    const lint::TableInfo* known = ctx.known_table(index->table);
    if (known != nullptr && known->partitioned) {
      if (index->only) {
        return; // ON ONLY: an invalid index on the parent alone, no data read
      }
      // PostgreSQL refuses CREATE INDEX CONCURRENTLY on a partitioned table ("cannot create
      // index on partitioned table concurrently"; CREATE INDEX, PostgreSQL 11-18).
      ctx.report(statement, statement.span,
                 "building " + what + " on partitioned table " + table +
                     " builds it on every partition under SHARE locks that block writes to all "
                     "of them until the last build finishes; CONCURRENTLY is not allowed on a "
                     "partitioned table",
                 "Create the index ON ONLY the partitioned table (instant, invalid until "
                 "complete), build a matching index CONCURRENTLY on each partition, then ALTER "
                 "INDEX <parent index> ATTACH PARTITION <partition index> for each one.");
      return;
    }
    // An earlier statement of the same transaction may hold a stronger lock on the table
    // already: PostgreSQL keeps it until the transaction ends, and the build prolongs it.
    if (const auto* held = ctx.held_lock(index->table);
        held != nullptr && held->mode > sql::LockMode::Share) {
      const std::string blocked = lint::blocks_reads(held->mode) ? "reads and writes" : "writes";
      ctx.report(statement, "building " + what + " on " + table +
                                " without CONCURRENTLY: " + blocked + " of the table are already " +
                                "blocked by the " + std::string(sql::to_string(held->mode)) +
                                " lock the statement on line " +
                                std::to_string(ctx.line_of(held->statement)) +
                                " took in this transaction, and the build keeps them blocked "
                                "until it finishes and the transaction commits");
      return;
    }
    ctx.report(statement, "building " + what + " on " + table +
                              " without CONCURRENTLY takes a SHARE lock that blocks every write "
                              "to the table until the build finishes");
  }
};

} // namespace

std::unique_ptr<lint::Rule> make_create_index_non_concurrent() {
  return std::make_unique<CreateIndexNonConcurrent>();
}

} // namespace miglint::rules
