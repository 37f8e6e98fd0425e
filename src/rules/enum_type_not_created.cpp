#include "lint/rule.hpp"
#include "lint/rule_support.hpp"

namespace miglint::rules {
namespace {

// A column uses an enum type that does not exist when the statement runs: PostgreSQL fails with
// `type "..." does not exist`. miglint knows it in two cases: the Alembic code declared the type
// an enum (sa.Enum / postgresql.ENUM) but nothing in the history created it (op.add_column and
// op.alter_column never emit CREATE TYPE, nor create_table with create_type=False), and the
// history dropped the type earlier. Any other type name may come from an extension or from a
// schema that predates the history, so it is left alone.
class EnumTypeNotCreated final : public lint::Rule {
public:
  std::string_view id() const override { return "enum-type-not-created"; }

  void check(const sql::Statement& statement, lint::Context& ctx) const override {
    if (!ctx.schema().any_type_dropped() && !ctx.declares_enums()) {
      return; // nothing miglint knows to be missing
    }
    if (const auto* create = statement.as<sql::CreateTable>()) {
      for (const auto& col : create->columns) {
        check_type(statement, col.type, col.location, "column " + col.name, Use::CreateTable, ctx);
      }
    } else if (const auto* alter = statement.as<sql::AlterTable>()) {
      for (const auto& cmd : alter->cmds) {
        if (cmd.kind == sql::AlterKind::AddColumn && cmd.column_def) {
          check_type(statement, cmd.column_def->type, cmd.column_def->location,
                     "new column " + lint::column_ref(alter->table, cmd.column_def->name),
                     Use::AddColumn, ctx);
        } else if (cmd.kind == sql::AlterKind::AlterColumnType && cmd.type) {
          check_type(statement, *cmd.type, statement.span.begin,
                     "column " + lint::column_ref(alter->table, cmd.column), Use::AlterType, ctx);
        }
      }
    }
  }

private:
  enum class Use { CreateTable, AddColumn, AlterType };

  static void check_type(const sql::Statement& statement, const sql::TypeName& type,
                         uint32_t location, const std::string& what, Use use, lint::Context& ctx) {
    const sql::QualifiedName name = lint::type_name(type);
    if (name.name.empty() || ctx.schema().enum_type(name) != nullptr) {
      return;
    }
    const std::string error = "`type \"" + name.display() + "\" does not exist`";
    if (ctx.schema().type_dropped(name)) {
      ctx.report(statement, lint::from(location, statement),
                 what + " uses type " + lint::quoted(name.display()) +
                     ", which the history dropped earlier and did not create again: "
                     "PostgreSQL fails with " +
                     error);
      return;
    }
    if (!ctx.declared_enum(name) || ctx.history_has_gaps()) {
      return;
    }
    const std::string why =
        use == Use::AddColumn ? "op.add_column() never creates the enum type of its column"
        : use == Use::AlterType
            ? "op.alter_column() never creates the enum type it changes the column to"
            : "the Enum is declared with create_type=False, so create_table() does not create it";
    ctx.report(statement, lint::from(location, statement),
               what + " uses enum type " + lint::quoted(name.display()) +
                   ", which nothing in the history creates (" + why + "): PostgreSQL fails with " +
                   error);
  }
};

} // namespace

std::unique_ptr<lint::Rule> make_enum_type_not_created() {
  return std::make_unique<EnumTypeNotCreated>();
}

} // namespace miglint::rules
