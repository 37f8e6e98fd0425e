#include "lint/rule.hpp"
#include "lint/rule_support.hpp"

#include <algorithm>
#include <cctype>
#include <set>

namespace miglint::rules {
namespace {

// What a statement of the upgrade does to the schema, as far as a downgrade is concerned.
enum class Effect {
  None,    // data, settings, privileges, temporary objects, a no-op on the known schema
  Schema,  // a change a downgrade should undo
  Unknown, // procedural code miglint does not read (DO, CALL)
};

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// Names of the temporary tables a script creates (CREATE TEMP TABLE, CREATE TEMP TABLE AS).
std::set<std::string> temporary_tables(const sql::ParsedScript& script) {
  std::set<std::string> out;
  for (const auto& s : script.statements) {
    if (const auto* create = s.as<sql::CreateTable>(); create && create->temporary) {
      out.insert(create->table.key());
    } else if (const auto* as = s.as<sql::CreateTableAs>(); as && as->temporary) {
      out.insert(as->table.key());
    }
  }
  return out;
}

// The statement only touches the script's temporary tables (an index on one, dropping one).
bool on_temporary_tables(const sql::Statement& s, const std::set<std::string>& temporary) {
  if (temporary.empty()) {
    return false;
  }
  if (const auto* index = s.as<sql::CreateIndex>()) {
    return temporary.contains(index->table.key());
  }
  if (const auto* drop = s.as<sql::Drop>(); drop && drop->kind == sql::ObjectKind::Table) {
    return std::all_of(drop->objects.begin(), drop->objects.end(),
                       [&](const sql::QualifiedName& t) { return temporary.contains(t.key()); });
  }
  return false;
}

Effect effect_of(const sql::Statement& s, std::string_view text, const lint::Context* facts,
                 const std::set<std::string>& temporary) {
  // Data, session settings, maintenance, and privileges or roles: not the schema's structure,
  // and often irreversible on purpose.
  static const std::set<std::string, std::less<>> no_schema = {"SelectStmt",
                                                               "InsertStmt",
                                                               "UpdateStmt",
                                                               "DeleteStmt",
                                                               "MergeStmt",
                                                               "VariableShowStmt",
                                                               "ExplainStmt",
                                                               "VariableSetStmt",
                                                               "TransactionStmt",
                                                               "CopyStmt",
                                                               "NotifyStmt",
                                                               "VacuumStmt",
                                                               "CheckPointStmt",
                                                               "LockStmt",
                                                               "ReindexStmt",
                                                               "ClusterStmt",
                                                               "RefreshMatViewStmt",
                                                               "GrantStmt",
                                                               "GrantRoleStmt",
                                                               "AlterRoleStmt",
                                                               "AlterRoleSetStmt",
                                                               "AlterDefaultPrivilegesStmt",
                                                               "AlterDatabaseSetStmt",
                                                               "AlterSystemStmt",
                                                               "AlterOwnerStmt",
                                                               "CommentStmt",
                                                               "DiscardStmt"};
  if (no_schema.contains(s.tag)) {
    return Effect::None;
  }
  if (s.tag == "DoStmt" || s.tag == "CallStmt") {
    return Effect::Unknown;
  }
  if (const auto* alter = s.as<sql::AlterTable>();
      alter && !alter->cmds.empty() &&
      std::all_of(alter->cmds.begin(), alter->cmds.end(),
                  [](const auto& cmd) { return cmd.kind == sql::AlterKind::ChangeOwner; })) {
    return Effect::None; // ALTER TABLE ... OWNER TO: a privilege, like AlterOwnerStmt
  }
  const std::string head = lower(text.substr(0, 200));
  // ALTER TYPE ... ADD VALUE cannot be undone in PostgreSQL (no DROP VALUE): an empty downgrade
  // is the only downgrade there is.
  if (s.tag == "AlterEnumStmt" && head.find("add value") != std::string::npos) {
    return Effect::None;
  }
  // An extension installed if missing: leaving it breaks nothing and the upgrade re-applies.
  if (s.tag == "CreateExtensionStmt" && head.find("if not exists") != std::string::npos) {
    return Effect::None;
  }
  // Session-local helpers: temporary tables and functions in pg_temp vanish on their own.
  if (const auto* create = s.as<sql::CreateTable>(); create && create->temporary) {
    return Effect::None;
  }
  if (const auto* create = s.as<sql::CreateTableAs>(); create && create->temporary) {
    return Effect::None;
  }
  if (on_temporary_tables(s, temporary)) {
    return Effect::None;
  }
  if (head.find("pg_temp.") != std::string::npos &&
      (s.tag == "CreateFunctionStmt" || s.tag == "DropStmt")) {
    return Effect::None;
  }
  if (facts != nullptr && facts->was_noop(s)) {
    return Effect::None; // IF NOT EXISTS of what the history already has
  }
  return Effect::Schema;
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
    if (lint::unanalysed_part(scripts, core::Phase::Downgrade)) {
      return; // the downgrade has code miglint could not read: it may well do something
    }
    if (scripts.forward_only_history) {
      return; // no migration of the project has a downgrade: a policy, said once in a note
    }
    const std::string& sql = scripts.migration.upgrade->sql;
    const auto temporary = temporary_tables(*scripts.upgrade);
    size_t changes = 0;
    for (const auto& s : scripts.upgrade->statements) {
      const std::string_view text(sql.data() + s.span.begin, s.span.end - s.span.begin);
      if (effect_of(s, text, scripts.upgrade_context, temporary) == Effect::Schema) {
        ++changes;
      }
    }
    if (changes == 0) {
      return; // a data migration (often irreversible on purpose), or one miglint cannot read
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
