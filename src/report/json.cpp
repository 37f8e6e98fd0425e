#include "report/reporter.hpp"

#include <nlohmann/json.hpp>

namespace miglint::report {

void write_json(std::ostream& out, const Report& report) {
  nlohmann::ordered_json findings = nlohmann::ordered_json::array();
  for (const auto& f : report.findings) {
    const auto start = f.location.start();
    const auto stop = f.location.stop();
    nlohmann::ordered_json j;
    j["rule"] = f.rule;
    j["severity"] = to_string(f.severity);
    j["message"] = f.message;
    j["help"] = f.help;
    j["file"] = f.location.path();
    j["line"] = start.line;
    j["column"] = start.column;
    j["end_line"] = stop.line;
    j["end_column"] = stop.column;
    j["migration"] = f.migration;
    j["phase"] = f.phase ? nlohmann::ordered_json(to_string(*f.phase)) : nullptr;
    j["statement"] = f.statement;
    findings.push_back(std::move(j));
  }
  const Counts c = count(report.findings);
  nlohmann::ordered_json doc;
  doc["tool"] = "miglint";
  doc["version"] = MIGLINT_VERSION;
  doc["findings"] = std::move(findings);
  doc["summary"] = {{"errors", c.errors},
                    {"warnings", c.warnings},
                    {"infos", c.infos},
                    {"migrations", report.migrations},
                    {"files", report.files}};
  // Invalid UTF-8 in user files is replaced rather than failing the whole report.
  out << doc.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) << '\n';
}

} // namespace miglint::report
