#include "lint/rule.hpp"
#include "lint/rule_support.hpp"

namespace miglint::rules {
namespace {

// CLUSTER writes a new copy of the table in index order under an ACCESS EXCLUSIVE lock.
class Cluster final : public lint::Rule {
public:
  std::string_view id() const override { return "cluster"; }

  void check(const sql::Statement& statement, lint::Context& ctx) const override {
    const auto* cluster = statement.as<sql::Vacuum>();
    if (cluster == nullptr || !cluster->cluster) {
      return;
    }
    if (cluster->tables.empty()) {
      std::string message = "CLUSTER without a table rewrites every table clustered before, "
                            "each under an ACCESS EXCLUSIVE lock that blocks its reads and "
                            "writes until its copy is written";
      if (ctx.in_transaction()) {
        message += "; PostgreSQL also refuses it inside a transaction block (" +
                   std::string(ctx.transaction_origin()) + ")";
      }
      ctx.report(statement, message);
      return;
    }
    const sql::QualifiedName& table = cluster->tables.front();
    if (ctx.is_new_table(table)) {
      return;
    }
    const std::string order =
        cluster->index.empty() ? "" : " in the order of " + lint::quoted(cluster->index);
    ctx.report(statement, "CLUSTER " + lint::quoted(table.display()) +
                              " writes a new copy of the table" + order +
                              " and rebuilds its indexes under an ACCESS EXCLUSIVE lock that "
                              "blocks reads and writes until it is done");
  }
};

} // namespace

std::unique_ptr<lint::Rule> make_cluster() {
  return std::make_unique<Cluster>();
}

} // namespace miglint::rules
