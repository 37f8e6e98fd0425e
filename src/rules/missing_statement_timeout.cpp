#include "lint/rule.hpp"
#include "lint/rule_support.hpp"

namespace miglint::rules {
namespace {

// A statement that holds a lock blocking writes for as long as it runs, with no
// statement_timeout to bound it: a scan or rewrite that takes longer than planned keeps the
// table blocked until it ends.
class MissingStatementTimeout final : public lint::Rule {
public:
  std::string_view id() const override { return "missing-statement-timeout"; }

  void check(const sql::Statement& statement, lint::Context& ctx) const override {
    if (ctx.statement_timeout_set() || ctx.reported_in_script() ||
        !lint::works_under_lock(statement, ctx.schema(), ctx.session(), ctx.pg_version())) {
      return; // one finding per migration: a single SET at the top fixes them all
    }
    for (const auto& lock : ctx.locks_on_existing(statement)) {
      if (!lint::blocks_writes(lock.mode)) {
        continue;
      }
      const lint::LockWords words = lint::lock_words(lock);
      ctx.report(statement, "this statement holds " + words.what +
                                " for as long as it runs, with no statement_timeout set: if it "
                                "runs longer than planned, " +
                                words.blocked + " of " + words.of + " stay blocked until it ends");
      return;
    }
  }
};

} // namespace

std::unique_ptr<lint::Rule> make_missing_statement_timeout() {
  return std::make_unique<MissingStatementTimeout>();
}

} // namespace miglint::rules
