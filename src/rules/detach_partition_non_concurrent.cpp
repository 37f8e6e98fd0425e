#include "lint/rule.hpp"
#include "lint/rule_support.hpp"

namespace miglint::rules {
namespace {

// DETACH PARTITION without CONCURRENTLY takes ACCESS EXCLUSIVE on the partitioned table and the
// partition. PostgreSQL >= 14 can detach concurrently; 13 and older cannot.
class DetachPartitionNonConcurrent final : public lint::Rule {
public:
  std::string_view id() const override { return "detach-partition-non-concurrent"; }

  void check(const sql::Statement& statement, lint::Context& ctx) const override {
    lint::for_each_existing_alter(statement, ctx, [&](const auto& alter, const auto& cmd) {
      if (cmd.kind != sql::AlterKind::DetachPartition) {
        return;
      }
      // The partition itself is locked ACCESS EXCLUSIVE too from PostgreSQL 14 (SHARE UPDATE
      // EXCLUSIVE on 13).
      std::string message = "detaching " + lint::quoted(cmd.partition.display()) + " from " +
                            lint::quoted(alter.table.display()) +
                            " takes an ACCESS EXCLUSIVE lock " +
                            (ctx.pg_version() >= 14 ? "on both" : "on the partitioned table") +
                            ", blocking every read and write of it while it waits and runs";
      if (ctx.pg_version() >= 14) {
        message += "; DETACH PARTITION ... CONCURRENTLY (PostgreSQL >= 14, outside a "
                   "transaction block) only takes SHARE UPDATE EXCLUSIVE on the parent";
      } else {
        message += "; PostgreSQL " + std::to_string(ctx.pg_version()) +
                   " has no concurrent detach (it arrived in 14): there is no non-blocking "
                   "alternative";
      }
      ctx.report(statement, message);
    });
  }
};

} // namespace

std::unique_ptr<lint::Rule> make_detach_partition_non_concurrent() {
  return std::make_unique<DetachPartitionNonConcurrent>();
}

} // namespace miglint::rules
