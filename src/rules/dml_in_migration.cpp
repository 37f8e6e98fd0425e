#include "lint/rule.hpp"
#include "lint/rule_support.hpp"

namespace miglint::rules {
namespace {

// An UPDATE or DELETE that may touch every row of an existing table: on a big table it is one
// long statement (and transaction) holding row locks on every row it changes. When the
// transaction also holds a strong lock on the table, backfill-under-exclusive-lock reports it.
class DmlInMigration final : public lint::Rule {
public:
  std::string_view id() const override { return "dml-in-migration"; }

  void check(const sql::Statement& statement, lint::Context& ctx) const override {
    const auto* dml = statement.as<sql::Dml>();
    if (dml == nullptr || dml->kind == sql::DmlKind::Insert || !dml->whole_table() ||
        ctx.is_new_table(dml->table)) {
      return;
    }
    if (const auto* held = ctx.held_lock(dml->table); held && lint::blocks_writes(held->mode)) {
      return; // backfill-under-exclusive-lock
    }
    const std::string table = lint::quoted(dml->table.display());
    const std::string verb = dml->kind == sql::DmlKind::Update ? "UPDATE" : "DELETE";
    const std::string what =
        dml->has_where
            ? verb + " of " + table + " whose WHERE may match every row (no `key = constant` term)"
            : verb + " of every row of " + table;
    const std::string scope =
        ctx.in_transaction() ? "the migration's transaction commits" : "the statement ends";
    ctx.report(statement, what + ": each row it changes stays locked against other writers until " +
                              scope +
                              ", and on a large table it is one long statement that writes WAL "
                              "and leaves dead rows behind");
  }
};

} // namespace

std::unique_ptr<lint::Rule> make_dml_in_migration() {
  return std::make_unique<DmlInMigration>();
}

} // namespace miglint::rules
