#include "lint/rule.hpp"
#include "lint/rule_support.hpp"

#include <algorithm>

namespace miglint::rules {
namespace {

// ADD CONSTRAINT ... PRIMARY KEY USING INDEX over columns that may hold NULLs makes them NOT NULL
// first, which scans the table under the ACCESS EXCLUSIVE lock of the ALTER TABLE (PostgreSQL
// >= 12 skips the scan when a validated CHECK (col IS NOT NULL) proves it). A plain ADD PRIMARY
// KEY (cols) does the same and more; add-primary-key reports that one.
class PrimaryKeyOnNullableColumns final : public lint::Rule {
public:
  std::string_view id() const override { return "primary-key-on-nullable-columns"; }

  void check(const sql::Statement& statement, lint::Context& ctx) const override {
    const auto* stmt = statement.as<sql::AlterTable>();
    if (stmt == nullptr) {
      return;
    }
    const auto using_index = [](const sql::AlterTableCmd& cmd) {
      return cmd.kind == sql::AlterKind::AddConstraint && cmd.constraint &&
             cmd.constraint->kind == sql::ConstraintKind::PrimaryKey &&
             !cmd.constraint->using_index.empty();
    };
    if (std::none_of(stmt->cmds.begin(), stmt->cmds.end(), using_index)) {
      return; // most ALTERs: no need to ask whether the table is new
    }
    lint::for_each_existing_alter(statement, ctx, [&](const auto& alter, const auto& cmd) {
      if (!using_index(cmd)) {
        return;
      }
      const lint::IndexInfo* index =
          ctx.schema().index({alter.table.schema, cmd.constraint->using_index});
      const lint::TableInfo* table = ctx.known_table(alter.table);
      if (index == nullptr || table == nullptr) {
        return;
      }
      std::vector<std::string> nullable;
      for (const auto& name : index->columns) {
        const lint::ColumnInfo* col = table->column(name);
        if (col == nullptr || col->not_null ||
            (ctx.pg_version() >= 12 && table->has_validated_not_null_check(name))) {
          continue;
        }
        nullable.push_back(lint::column_ref(alter.table, name));
      }
      if (nullable.empty()) {
        return;
      }
      std::string list;
      for (const auto& n : nullable) {
        list += (list.empty() ? "" : ", ") + n;
      }
      ctx.report(statement, lint::from(cmd.constraint->location, statement),
                 "PRIMARY KEY USING INDEX " + lint::quoted(cmd.constraint->using_index) +
                     " first makes nullable " + (nullable.size() == 1 ? "column " : "columns ") +
                     list + " NOT NULL, which scans the whole table " +
                     lint::quoted(alter.table.display()) +
                     " for NULLs while holding an ACCESS EXCLUSIVE lock that blocks reads and "
                     "writes");
    });
  }
};

} // namespace

std::unique_ptr<lint::Rule> make_primary_key_on_nullable_columns() {
  return std::make_unique<PrimaryKeyOnNullableColumns>();
}

} // namespace miglint::rules
