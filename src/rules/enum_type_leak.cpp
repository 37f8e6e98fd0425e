#include "lint/rule.hpp"
#include "lint/rule_support.hpp"

#include <set>

namespace miglint::rules {
namespace {

// The upgrade creates an enum type that the downgrade never drops: the downgrade leaves it
// behind, and the next upgrade fails with "type already exists".
class EnumTypeLeak final : public lint::Rule {
public:
  std::string_view id() const override { return "enum-type-leak"; }

  void check_migration(const lint::MigrationScripts& scripts,
                       lint::MigrationReporter& reporter) const override {
    if (scripts.upgrade == nullptr || scripts.downgrade == nullptr ||
        scripts.downgrade->statements.empty()) {
      return; // no downgrade, or an empty one: empty-downgrade's business
    }
    if (lint::unanalysed_part(scripts, core::Phase::Downgrade)) {
      return; // part of the downgrade could not be read: it may drop the type there
    }
    // Types the downgrade drops or renames away: it takes care of them.
    std::set<std::string> handled;
    for (const auto& s : scripts.downgrade->statements) {
      if (const auto* drop = s.as<sql::Drop>(); drop && drop->kind == sql::ObjectKind::Type) {
        for (const auto& t : drop->objects) {
          handled.insert(t.key());
        }
      } else if (const auto* rename = s.as<sql::Rename>();
                 rename && rename->kind == sql::ObjectKind::Type) {
        handled.insert(rename->relation.key());
      }
    }
    // Types that existed before the upgrade, which replaces them: it renames or drops the old
    // type before creating the new one under the same name (alembic-postgresql-enum's
    // sync_enum_values does). After the downgrade the type must still exist.
    std::set<std::string> existed;
    for (const auto& s : scripts.upgrade->statements) {
      if (const auto* rename = s.as<sql::Rename>();
          rename && rename->kind == sql::ObjectKind::Type) {
        existed.insert(rename->relation.key());
      } else if (const auto* drop = s.as<sql::Drop>();
                 drop && drop->kind == sql::ObjectKind::Type && !drop->missing_ok) {
        for (const auto& t : drop->objects) {
          existed.insert(t.key());
        }
      }
      const auto* create = s.as<sql::CreateEnum>();
      if (create == nullptr || handled.contains(create->name.key()) ||
          existed.contains(create->name.key())) {
        continue;
      }
      const std::string type = lint::quoted(create->name.display());
      const std::string effect = ": the downgrade leaves the type behind, and upgrading again "
                                 "fails with `type \"" +
                                 create->name.name + "\" already exists`";
      if (auto drop = statement_removing_user(scripts, create->name)) {
        reporter.report(core::Phase::Downgrade, drop->first,
                        "the downgrade drops " + drop->second + " but not enum type " + type +
                            ", which the upgrade created" + effect);
      } else {
        reporter.report(core::Phase::Downgrade, std::nullopt,
                        "the upgrade creates enum type " + type +
                            ", which the downgrade never "
                            "drops" +
                            effect);
      }
    }
  }

private:
  // The downgrade statement that drops a table or column the upgrade created with the type.
  static std::optional<std::pair<sql::Span, std::string>>
  statement_removing_user(const lint::MigrationScripts& scripts, const sql::QualifiedName& type) {
    auto uses = [&](const sql::TypeName& t) { return t.base() == type.name; };
    std::set<std::string> tables;
    std::set<std::pair<std::string, std::string>> columns;
    for (const auto& s : scripts.upgrade->statements) {
      if (const auto* create = s.as<sql::CreateTable>()) {
        for (const auto& col : create->columns) {
          if (uses(col.type)) {
            tables.insert(create->table.key());
          }
        }
      } else if (const auto* alter = s.as<sql::AlterTable>()) {
        for (const auto& cmd : alter->cmds) {
          if (cmd.kind == sql::AlterKind::AddColumn && cmd.column_def &&
              uses(cmd.column_def->type)) {
            columns.emplace(alter->table.key(), cmd.column_def->name);
          }
        }
      }
    }
    for (const auto& s : scripts.downgrade->statements) {
      if (const auto* drop = s.as<sql::Drop>(); drop && drop->kind == sql::ObjectKind::Table) {
        for (const auto& t : drop->objects) {
          if (tables.contains(t.key())) {
            return std::pair{s.span, "table " + lint::quoted(t.display())};
          }
        }
      } else if (const auto* alter = s.as<sql::AlterTable>()) {
        for (const auto& cmd : alter->cmds) {
          if (cmd.kind == sql::AlterKind::DropColumn &&
              columns.contains({alter->table.key(), cmd.column})) {
            return std::pair{s.span, "column " + lint::column_ref(alter->table, cmd.column)};
          }
        }
      }
    }
    return std::nullopt;
  }
};

} // namespace

std::unique_ptr<lint::Rule> make_enum_type_leak() {
  return std::make_unique<EnumTypeLeak>();
}

} // namespace miglint::rules
