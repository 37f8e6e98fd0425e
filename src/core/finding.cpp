#include "core/finding.hpp"

#include <algorithm>
#include <tuple>

namespace miglint::core {

std::string_view to_string(Severity severity) {
  switch (severity) {
  case Severity::Info:
    return "info";
  case Severity::Warning:
    return "warning";
  case Severity::Error:
    return "error";
  }
  return "error";
}

std::string_view to_string(Phase phase) {
  return phase == Phase::Upgrade ? "upgrade" : "downgrade";
}

std::optional<Severity> parse_severity(std::string_view text) {
  if (text == "info") {
    return Severity::Info;
  }
  if (text == "warning") {
    return Severity::Warning;
  }
  if (text == "error") {
    return Severity::Error;
  }
  return std::nullopt;
}

LineCol Location::stop() const {
  if (!file) {
    return {};
  }
  if (end <= begin) {
    return file->position(begin);
  }
  return file->position(end);
}

void sort_findings(std::vector<Finding>& findings) {
  std::stable_sort(findings.begin(), findings.end(), [](const Finding& a, const Finding& b) {
    return std::forward_as_tuple(a.location.path(), a.location.begin, a.rule) <
           std::forward_as_tuple(b.location.path(), b.location.begin, b.rule);
  });
}

} // namespace miglint::core
