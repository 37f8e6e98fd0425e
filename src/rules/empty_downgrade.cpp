#include "lint/rule.hpp"
#include "lint/rule_support.hpp"

#include <algorithm>
#include <set>

namespace miglint::rules {
namespace {

// Statements that change nothing in the schema (data changes, settings, transactions).
bool changes_schema(const sql::Statement& s) {
  static const std::set<std::string, std::less<>> data_only = {
      "SelectStmt",  "InsertStmt",      "UpdateStmt",      "DeleteStmt", "VariableShowStmt",
      "ExplainStmt", "VariableSetStmt", "TransactionStmt", "CopyStmt",   "NotifyStmt",
      "VacuumStmt",  "CheckPointStmt",  "LockStmt"};
  return !data_only.contains(s.tag);
}

// The downgrade is empty (`pass`) or raises, while the upgrade changes the schema.
class EmptyDowngrade final : public lint::Rule {
public:
  std::string_view id() const override { return "empty-downgrade"; }

  void check_migration(const lint::MigrationScripts& scripts,
                       lint::MigrationReporter& reporter) const override {
    if (scripts.upgrade == nullptr || scripts.downgrade == nullptr ||
        !scripts.downgrade->statements.empty() || !scripts.downgrade->errors.empty()) {
      return;
    }
    const auto changes = std::count_if(scripts.upgrade->statements.begin(),
                                       scripts.upgrade->statements.end(), changes_schema);
    if (changes == 0) {
      return; // a data migration: often irreversible on purpose
    }
    const std::string& note = scripts.migration.downgrade->body_note;
    if (note == source::k_runs_no_sql) {
      return; // code that ran no SQL here (guards decided from miglint's model): not `pass`
    }
    const bool raises = note.rfind("raises", 0) == 0;
    reporter.report(core::Phase::Downgrade, std::nullopt,
                    "the downgrade " + (note.empty() ? std::string("is empty") : note) +
                        " while the upgrade changes the schema (" + std::to_string(changes) +
                        (changes == 1 ? " statement" : " statements") + "): " +
                        (raises ? "rolling this migration back fails"
                                : "rolling it back reports success and leaves every change in "
                                  "place"));
  }
};

} // namespace

std::unique_ptr<lint::Rule> make_empty_downgrade() {
  return std::make_unique<EmptyDowngrade>();
}

} // namespace miglint::rules
