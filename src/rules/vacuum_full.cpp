#include "lint/rule.hpp"
#include "lint/rule_support.hpp"

#include <algorithm>

namespace miglint::rules {
namespace {

// The tables a statement names that existed before this migration, quoted and joined.
std::string existing_tables(const std::vector<sql::QualifiedName>& tables,
                            const lint::Context& ctx) {
  std::string out;
  for (const auto& t : tables) {
    if (!ctx.is_new_table(t)) {
      out += (out.empty() ? "" : ", ") + lint::quoted(t.display());
    }
  }
  return out;
}

// VACUUM FULL writes a new copy of each table and its indexes under an ACCESS EXCLUSIVE lock.
class VacuumFull final : public lint::Rule {
public:
  std::string_view id() const override { return "vacuum-full"; }

  void check(const sql::Statement& statement, lint::Context& ctx) const override {
    const auto* vacuum = statement.as<sql::Vacuum>();
    if (vacuum == nullptr || !vacuum->full) {
      return;
    }
    std::string message;
    if (vacuum->tables.empty()) {
      message = "VACUUM FULL rewrites every table of the database, each under an ACCESS "
                "EXCLUSIVE lock that blocks its reads and writes until its copy is written";
    } else {
      const std::string tables = existing_tables(vacuum->tables, ctx);
      if (tables.empty()) { // only tables this migration created: harmless, if it can run
        if (ctx.in_transaction()) {
          ctx.report(statement, "PostgreSQL refuses VACUUM inside a transaction block (" +
                                    std::string(ctx.transaction_origin()) + ")");
        }
        return;
      }
      message = "VACUUM FULL " + tables +
                " writes a new copy of the table and of its indexes under an ACCESS EXCLUSIVE "
                "lock that blocks reads and writes until it is done";
    }
    if (ctx.in_transaction()) {
      message += "; PostgreSQL also refuses VACUUM inside a transaction block (" +
                 std::string(ctx.transaction_origin()) + ")";
    }
    ctx.report(statement, message);
  }
};

} // namespace

std::unique_ptr<lint::Rule> make_vacuum_full() {
  return std::make_unique<VacuumFull>();
}

} // namespace miglint::rules
