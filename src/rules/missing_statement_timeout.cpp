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
      const std::string blocked = lint::blocks_reads(lock.mode) ? "reads and writes" : "writes";
      const std::string mode(sql::to_string(lock.mode));
      const std::string article = mode.front() == 'A' || mode.front() == 'E' ? "an " : "a ";
      const std::string on = lock.index_table_unknown
                                 ? "the table of index " + lint::quoted(lock.table.display()) +
                                       " (which table miglint does not know)"
                                 : lint::quoted(lock.table.display());
      const std::string of = lock.index_table_unknown ? "that table" : on;
      ctx.report(statement, "this statement holds " + article + mode + " lock on " + on +
                                " for as long as it runs, with no statement_timeout set: if it "
                                "runs longer than planned, " +
                                blocked + " of " + of + " stay blocked until it ends");
      return;
    }
  }
};

} // namespace

std::unique_ptr<lint::Rule> make_missing_statement_timeout() {
  return std::make_unique<MissingStatementTimeout>();
}

} // namespace miglint::rules
