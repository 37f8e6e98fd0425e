#include "lint/rule.hpp"
#include "lint/rule_support.hpp"

#include <algorithm>

namespace miglint::rules {
namespace {

// A table replaced by a copy of itself: INSERT INTO copy ... SELECT ... FROM t, DROP TABLE t,
// ALTER TABLE copy RENAME TO t (hand-written, or Alembic's batch_alter_table(recreate="always")).
// Reported on the DROP TABLE once the swap is complete.
class CopySwapTable final : public lint::Rule {
public:
  std::string_view id() const override { return "copy-swap-table"; }

  void check(const sql::Statement& statement, lint::Context& ctx) const override {
    const auto* rename = statement.as<sql::Rename>();
    if (rename == nullptr || rename->kind != sql::ObjectKind::Table || !rename->old_name.empty() ||
        rename->new_name.empty()) {
      return;
    }
    const sql::QualifiedName& copy = rename->relation;
    const sql::QualifiedName original{copy.schema, rename->new_name};
    // The original was dropped earlier in this script and existed before its deploy (a table
    // created in this migration, or one deployed with it, has no rows anyone else wrote).
    const auto& dropped = ctx.tables_dropped();
    const auto drop = std::find_if(dropped.begin(), dropped.end(), [&](const lint::TableChange& t) {
      return t.table.key() == original.key();
    });
    if (drop == dropped.end() || ctx.is_new_table(original)) {
      return;
    }
    const auto copied = ctx.copied_into(original, copy);
    if (!copied) {
      return;
    }
    const bool alembic_batch = copy.name.starts_with("_alembic_tmp_");
    const std::string head = "drops " + lint::quoted(original.display()) +
                             " after copying its rows into " + lint::quoted(copy.display()) +
                             ", which is then renamed in its place" +
                             (alembic_batch ? " (batch_alter_table(recreate=\"always\"))" : "");
    const std::string rest = "; grants, triggers, comments and dependent views do not move to "
                             "the copy, and other tables' foreign keys must be dropped and made "
                             "again (each validated)";
    // A lock that blocks writes (SHARE or stronger), held when the copy ran (LOCK TABLE ... IN
    // EXCLUSIVE MODE, an ALTER TABLE before it): the copy then sees every row, and the cost is
    // the table blocked for the whole copy.
    if (const auto& held = copied->source_lock) {
      const std::string blocked = lint::blocks_reads(held->mode) ? "reads and writes" : "writes";
      ctx.report_on(drop->statement, head + ": the " + std::string(sql::to_string(held->mode)) +
                                         " lock taken on line " +
                                         std::to_string(ctx.line_of(held->statement)) +
                                         " keeps the copy complete, and blocks " + blocked +
                                         " of " + lint::quoted(original.display()) +
                                         " while every row is read and written again" + rest);
      return;
    }
    // On the DROP TABLE: it throws away the writes the copy missed, and waits for the lock.
    ctx.report_on(drop->statement,
                  head + ": rows written to " + lint::quoted(original.display()) +
                      " after the copy's snapshot are lost with the old table, the whole table "
                      "is read and written again, and DROP TABLE waits for an ACCESS EXCLUSIVE "
                      "lock" +
                      rest);
  }
};

} // namespace

std::unique_ptr<lint::Rule> make_copy_swap_table() {
  return std::make_unique<CopySwapTable>();
}

} // namespace miglint::rules
