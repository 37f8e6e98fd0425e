#pragma once

#include "core/finding.hpp"

#include <ostream>
#include <string>
#include <vector>

namespace miglint::report {

// What a run produced, as the reporters see it. Reporters only render: they compute nothing.
struct Report {
  std::vector<core::Finding> findings;
  size_t migrations = 0; // how many migrations were checked
  size_t files = 0;      // how many files they came from
};

struct Counts {
  size_t errors = 0;
  size_t warnings = 0;
  size_t infos = 0;
};
Counts count(const std::vector<core::Finding>& findings);

void write_text(std::ostream& out, const Report& report, bool color);
void write_json(std::ostream& out, const Report& report);

} // namespace miglint::report
