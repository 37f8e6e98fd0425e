#include "lint/rule.hpp"
#include "lint/rule_support.hpp"

namespace miglint::rules {
namespace {

// An UPDATE or DELETE over a whole existing table in a transaction that already holds a lock
// blocking writes (or reads) on it: the lock, taken by an earlier ALTER TABLE and held until
// commit, now lasts for the whole backfill.
class BackfillUnderExclusiveLock final : public lint::Rule {
public:
  std::string_view id() const override { return "backfill-under-exclusive-lock"; }

  void check(const sql::Statement& statement, lint::Context& ctx) const override {
    const auto* dml = statement.as<sql::Dml>();
    if (dml == nullptr || dml->kind == sql::DmlKind::Insert || !dml->whole_table() ||
        ctx.is_new_table(dml->table)) {
      return;
    }
    const lint::Context::HeldLock* held = ctx.held_lock(dml->table);
    if (held == nullptr || !lint::blocks_writes(held->mode)) {
      return;
    }
    const std::string table = lint::quoted(dml->table.display());
    const std::string verb = dml->kind == sql::DmlKind::Update ? "UPDATE" : "DELETE";
    const std::string what = dml->has_where ? verb + " of " + table +
                                                  " (its WHERE does not pick rows by key, so it "
                                                  "may touch the whole table)"
                                            : verb + " of every row of " + table;
    const std::string blocked = lint::blocks_reads(held->mode) ? "reads and writes" : "writes";
    ctx.report(statement, what + " runs while this transaction holds the " +
                              std::string(sql::to_string(held->mode)) +
                              " lock the statement on line " +
                              std::to_string(ctx.line_of(held->statement)) + " took on " + table +
                              ": " + blocked + " of " + table +
                              " queue for the whole backfill and the rest of the migration");
  }
};

} // namespace

std::unique_ptr<lint::Rule> make_backfill_under_exclusive_lock() {
  return std::make_unique<BackfillUnderExclusiveLock>();
}

} // namespace miglint::rules
