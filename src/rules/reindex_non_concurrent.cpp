#include "lint/rule.hpp"
#include "lint/rule_support.hpp"

namespace miglint::rules {
namespace {

// REINDEX without CONCURRENTLY: each index is rebuilt under an ACCESS EXCLUSIVE lock on the
// index (queries that would use it wait) and a SHARE lock on its table (writes wait).
class ReindexNonConcurrent final : public lint::Rule {
public:
  std::string_view id() const override { return "reindex-non-concurrent"; }

  void check(const sql::Statement& statement, lint::Context& ctx) const override {
    const auto* reindex = statement.as<sql::Reindex>();
    if (reindex == nullptr || reindex->concurrent) {
      return;
    }
    using sql::ReindexKind;
    std::string what;
    switch (reindex->kind) {
    case ReindexKind::Index: {
      if (ctx.is_new_index(reindex->target)) {
        return;
      }
      const auto table = ctx.schema().table_of_index(reindex->target);
      if (table && ctx.is_new_table(*table)) {
        return;
      }
      what = "REINDEX INDEX " + lint::quoted(reindex->target.display()) +
             " rebuilds it under an ACCESS EXCLUSIVE lock on the index, which blocks the queries "
             "that use it, and a SHARE lock on " +
             (table ? lint::quoted(table->display()) : std::string("its table")) +
             ", which blocks writes";
      break;
    }
    case ReindexKind::Table:
      if (ctx.is_new_table(reindex->target)) {
        return;
      }
      what = "REINDEX TABLE " + lint::quoted(reindex->target.display()) +
             " rebuilds every index of the table under a SHARE lock that blocks writes, each "
             "under an ACCESS EXCLUSIVE lock that blocks the queries using it";
      break;
    case ReindexKind::Schema:
    case ReindexKind::Database:
    case ReindexKind::System: {
      const std::string kind = reindex->kind == ReindexKind::Schema     ? "SCHEMA"
                               : reindex->kind == ReindexKind::Database ? "DATABASE"
                                                                        : "SYSTEM";
      what = "REINDEX " + kind + " " + lint::quoted(reindex->target.name) +
             " rebuilds every index in it, blocking writes to each table while its indexes are "
             "rebuilt";
      if (ctx.in_transaction()) {
        what += "; PostgreSQL also refuses REINDEX " + kind + " inside a transaction block (" +
                std::string(ctx.transaction_origin()) + ")";
      }
      if (reindex->kind == ReindexKind::System) {
        ctx.report(statement, what + "; system catalogs cannot be reindexed concurrently");
        return;
      }
      break;
    }
    }
    if (ctx.pg_version() >= 12) {
      what += "; REINDEX ... CONCURRENTLY (PostgreSQL >= 12, outside a transaction block) "
              "rebuilds without blocking them";
    } else {
      what += "; PostgreSQL " + std::to_string(ctx.pg_version()) +
              " has no REINDEX CONCURRENTLY: build a copy with CREATE INDEX CONCURRENTLY and "
              "drop the old index with DROP INDEX CONCURRENTLY";
    }
    ctx.report(statement, what);
  }
};

} // namespace

std::unique_ptr<lint::Rule> make_reindex_non_concurrent() {
  return std::make_unique<ReindexNonConcurrent>();
}

} // namespace miglint::rules
