#include "report/reporter.hpp"

#include <algorithm>

namespace miglint::report {
namespace {

const char* color_of(core::Severity s) {
  switch (s) {
  case core::Severity::Error:
    return "\033[1;31m";
  case core::Severity::Warning:
    return "\033[1;33m";
  case core::Severity::Info:
    return "\033[1;36m";
  }
  return "";
}

std::string plural(size_t n, const char* word) {
  return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

} // namespace

bool RuleInfo::has_tag(std::string_view tag) const {
  return std::find(tags.begin(), tags.end(), tag) != tags.end();
}

const RuleInfo* Report::rule(std::string_view id) const {
  auto it = std::find_if(rules.begin(), rules.end(), [&](const RuleInfo& r) { return r.id == id; });
  return it == rules.end() ? nullptr : &*it;
}

Counts count(const std::vector<core::Finding>& findings) {
  Counts c;
  for (const auto& f : findings) {
    switch (f.severity) {
    case core::Severity::Error:
      ++c.errors;
      break;
    case core::Severity::Warning:
      ++c.warnings;
      break;
    case core::Severity::Info:
      ++c.infos;
      break;
    }
  }
  return c;
}

void write_text(std::ostream& out, const Report& report, bool color) {
  const char* bold = color ? "\033[1m" : "";
  const char* dim = color ? "\033[2m" : "";
  const char* reset = color ? "\033[0m" : "";
  for (const auto& f : report.findings) {
    const auto start = f.location.start();
    out << bold << (f.location.file ? f.location.path() : std::string("miglint"));
    if (f.location.file) {
      out << ':' << start.line << ':' << start.column;
    }
    out << ':' << reset << ' ' << (color ? color_of(f.severity) : "") << to_string(f.severity)
        << reset << '[' << f.rule << "] " << f.message << '\n';
    if (!f.help.empty()) {
      out << "  " << dim << "help:" << reset << ' ' << f.help << '\n';
    }
  }
  const Counts c = count(report.findings);
  if (!report.findings.empty()) {
    out << '\n';
  }
  out << plural(c.errors, "error") << ", " << plural(c.warnings, "warning") << ", "
      << plural(c.infos, "info") << " in " << plural(report.migrations, "migration") << " ("
      << plural(report.files, "file") << ")";
  if (report.honoured_markers > 0) {
    out << "; " << plural(report.honoured_markers, "finding")
        << " left out under other linters' reviewed markers";
  }
  out << '\n';
}

} // namespace miglint::report
