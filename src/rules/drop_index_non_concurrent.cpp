#include "lint/rule.hpp"
#include "lint/rule_support.hpp"

#include <algorithm>

namespace miglint::rules {
namespace {

// DROP INDEX without CONCURRENTLY takes ACCESS EXCLUSIVE on the index's table. Decided at the
// end of the script: an index whose table the same script drops afterwards adds no lock of its
// own (drop-table speaks for the table).
class DropIndexNonConcurrent final : public lint::Rule {
public:
  std::string_view id() const override { return "drop-index-non-concurrent"; }

  void check_script(lint::Context& ctx) const override {
    for (const auto& d : ctx.indexes_dropped()) {
      if (d.concurrent || d.new_index || d.table_new || table_dropped_later(ctx, d)) {
        continue;
      }
      const std::string on =
          d.table ? "its table " + lint::quoted(d.table->display())
                  : std::string("its table (which one miglint does not know: the history never "
                                "created this index)");
      const std::string message = "dropping index " + lint::quoted(d.index.display()) +
                                  " without CONCURRENTLY takes an ACCESS EXCLUSIVE lock on " + on +
                                  ", blocking reads and writes while it waits and runs";
      if (d.table_partitioned) {
        // "DROP INDEX CONCURRENTLY ... cannot be used on a partitioned index" (DROP INDEX).
        ctx.report_on(d.statement,
                      message + "; PostgreSQL cannot drop the index of a partitioned table "
                                "CONCURRENTLY",
                      "Set a short lock_timeout (SET lock_timeout = '5s') so that the drop gives "
                      "up instead of queueing traffic, and retry it at a quiet time.");
        continue;
      }
      ctx.report_on(d.statement, message);
    }
  }

private:
  static bool table_dropped_later(const lint::Context& ctx, const lint::IndexDrop& d) {
    if (!d.table) {
      return false;
    }
    const auto& dropped = ctx.tables_dropped();
    return std::any_of(dropped.begin(), dropped.end(), [&](const lint::TableChange& t) {
      return t.table.key() == d.table->key() && t.statement.begin >= d.statement.begin;
    });
  }
};

} // namespace

std::unique_ptr<lint::Rule> make_drop_index_non_concurrent() {
  return std::make_unique<DropIndexNonConcurrent>();
}

} // namespace miglint::rules
