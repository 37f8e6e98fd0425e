#pragma once

#include "lint/context.hpp"
#include "sql/statement.hpp"

#include <memory>
#include <string_view>
#include <vector>

namespace miglint::lint {

// A rule looks at one typed statement with the context and reports; it keeps no state, prints
// nothing and knows nothing of suppressions. Its prose lives in rules/<id>.md.
class Rule {
public:
  virtual ~Rule() = default;
  virtual std::string_view id() const = 0;
  virtual void check(const sql::Statement& statement, Context& ctx) const = 0;
};

// Every rule in src/rules/ (generated from the file names: see cmake/rule_registry.cmake).
std::vector<std::unique_ptr<Rule>> make_all_rules();

} // namespace miglint::lint
