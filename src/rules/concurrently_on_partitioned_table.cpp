#include "lint/rule.hpp"
#include "lint/rule_support.hpp"

namespace miglint::rules {
namespace {

// CREATE INDEX CONCURRENTLY and DROP INDEX CONCURRENTLY refuse partitioned tables and their
// (partitioned) indexes: the migration fails.
class ConcurrentlyOnPartitionedTable final : public lint::Rule {
public:
  std::string_view id() const override { return "concurrently-on-partitioned-table"; }

  void check(const sql::Statement& statement, lint::Context& ctx) const override {
    if (const auto* index = statement.as<sql::CreateIndex>(); index && index->concurrent) {
      if (partitioned(index->table, ctx)) {
        const std::string table = lint::quoted(index->table.display());
        ctx.report(statement, "CREATE INDEX CONCURRENTLY on " + table +
                                  ", a partitioned table (PARTITION BY), fails: " +
                                  refusal(ctx, "cannot create index on partitioned table \"" +
                                                   index->table.name + "\" concurrently"));
      }
    } else if (const auto* drop = statement.as<sql::Drop>();
               drop && drop->concurrent && drop->kind == sql::ObjectKind::Index) {
      for (const auto& name : drop->objects) {
        const auto table = ctx.schema().table_of_index(name);
        if (table && partitioned(*table, ctx)) {
          ctx.report(statement, "DROP INDEX CONCURRENTLY of " + lint::quoted(name.display()) +
                                    ", an index of the partitioned table " +
                                    lint::quoted(table->display()) + ", fails: " +
                                    refusal(ctx, "cannot drop partitioned index \"" + name.name +
                                                     "\" concurrently"));
        }
      }
    }
  }

private:
  static bool partitioned(const sql::QualifiedName& table, const lint::Context& ctx) {
    const lint::TableInfo* info = ctx.known_table(table);
    return info != nullptr && info->partitioned;
  }

  static std::string refusal(const lint::Context& ctx, const std::string& error) {
    if (ctx.pg_version() < 11) {
      return "PostgreSQL " + std::to_string(ctx.pg_version()) +
             " cannot index a partitioned table at all (indexes on partitioned tables came "
             "with PostgreSQL 11)";
    }
    return "PostgreSQL refuses it with `" + error + "`";
  }
};

} // namespace

std::unique_ptr<lint::Rule> make_concurrently_on_partitioned_table() {
  return std::make_unique<ConcurrentlyOnPartitionedTable>();
}

} // namespace miglint::rules
