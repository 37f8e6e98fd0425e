#include "core/percent_encode.hpp"
#include "report/reporter.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>

namespace miglint::report {
namespace {

using json = nlohmann::ordered_json;

std::string level_of(core::Severity s) {
  switch (s) {
  case core::Severity::Error:
    return "error";
  case core::Severity::Warning:
    return "warning";
  case core::Severity::Info:
    return "note";
  }
  return "warning";
}

std::string problem_severity(core::Severity s) {
  return s == core::Severity::Error     ? "error"
         : s == core::Severity::Warning ? "warning"
                                        : "recommendation";
}

// "add-column-serial" -> "AddColumnSerial"
std::string pascal(const std::string& id) {
  std::string out;
  bool upper = true;
  for (char c : id) {
    if (c == '-') {
      upper = true;
    } else {
      out += upper ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
      upper = false;
    }
  }
  return out;
}

std::string cut(std::string text, size_t max) {
  if (text.size() <= max) {
    return text;
  }
  text.resize(max - 3);
  while (!text.empty() && (static_cast<unsigned char>(text.back()) & 0xC0) == 0x80) {
    text.pop_back(); // do not split a UTF-8 sequence
  }
  if (!text.empty() && static_cast<unsigned char>(text.back()) >= 0xC0) {
    text.pop_back();
  }
  return text + "...";
}

// GitHub's tags for the rule: where it runs (round-trip, Alembic) and its style group.
std::vector<std::string> tags_of(const RuleInfo& rule) {
  std::vector<std::string> tags = {"postgresql", "migrations"};
  if (rule.kind == "round-trip") {
    tags.push_back("round-trip");
  } else if (rule.kind == "alembic" || rule.has_tag("alembic")) {
    tags.push_back("alembic");
  }
  if (rule.has_tag("style")) {
    tags.push_back("style");
  }
  return tags;
}

} // namespace

std::string uri_path(std::string_view path) {
  return core::percent_encode(path, "/!$&'()*+,;=:@"); // a path's sub-delims stay
}

void write_sarif(std::ostream& os, const Report& report) {
  json rules = json::array();
  std::map<std::string, size_t> index;
  for (const auto& r : report.rules) {
    index[r.id] = rules.size();
    std::string full = r.summary;
    if (!r.rationale.empty()) {
      full += " " + r.rationale;
    }
    rules.push_back({{"id", r.id},
                     {"name", pascal(r.id)},
                     {"shortDescription", {{"text", cut(r.summary, 1024)}}},
                     {"fullDescription", {{"text", cut(full, 1024)}}},
                     {"help", {{"text", r.help}, {"markdown", r.markdown}}},
                     {"defaultConfiguration", {{"level", level_of(r.severity)}}},
                     {"properties",
                      {{"tags", tags_of(r)},
                       {"precision", "high"},
                       {"problem.severity", problem_severity(r.severity)}}}});
  }
  const std::filesystem::path base = report.base_dir.empty()
                                         ? std::filesystem::current_path()
                                         : std::filesystem::path(report.base_dir);
  json results = json::array();
  for (const auto& f : report.findings) {
    if (!f.location.file) {
      continue; // GitHub shows no result without a location
    }
    std::filesystem::path p = f.location.path();
    if (p.is_absolute()) {
      const auto rel = p.lexically_relative(base);
      if (!rel.empty() && *rel.begin() != "..") {
        p = rel;
      }
    }
    json artifact = {{"uri", uri_path(p.lexically_normal().generic_string())}};
    if (!p.is_absolute()) {
      artifact["uriBaseId"] = "%SRCROOT%";
    } else {
      artifact["uri"] = "file://" + artifact["uri"].get<std::string>();
    }
    const auto start = f.location.start();
    auto stop = f.location.stop();
    if (stop.line < start.line || (stop.line == start.line && stop.column <= start.column)) {
      stop = {start.line, start.column + 1}; // an empty range marks one character
    }
    json result = {{"ruleId", f.rule}};
    if (auto it = index.find(f.rule); it != index.end()) {
      result["ruleIndex"] = it->second;
    }
    result["level"] = level_of(f.severity);
    result["message"] = {{"text", f.message}};
    result["locations"] = json::array({{{"physicalLocation",
                                         {{"artifactLocation", artifact},
                                          {"region",
                                           {{"startLine", start.line},
                                            {"startColumn", start.column},
                                            {"endLine", stop.line},
                                            {"endColumn", stop.column}}}}}}});
    json properties = json::object();
    if (!f.migration.empty()) {
      properties["migration"] = f.migration;
    }
    if (f.phase) {
      properties["phase"] = to_string(*f.phase);
    }
    for (const auto& size : f.sizes) { // --stats-url
      json s = {{"relation", size.relation}, {"exists", size.exists}};
      if (size.exists) {
        s["rows"] = static_cast<long long>(size.rows);
        s["bytes"] = size.total_bytes;
      }
      properties["sizes"].push_back(std::move(s));
    }
    if (f.observed) { // --round-trip: what PostgreSQL was seen doing for the statement
      json locks = json::array();
      for (const auto& l : f.observed->locks) {
        locks.push_back({{"relation", l.relation}, {"mode", l.mode}});
      }
      json observed = {{"locks", locks}, {"rewrites", f.observed->rewrites}};
      for (const auto& [key, ms] :
           {std::pair<const char*, double>{"duration_ms", f.observed->duration_ms},
            {"held_ms", f.observed->held_ms}}) {
        observed[key] = ms < 0 ? json(nullptr) : json(std::round(ms * 10) / 10);
      }
      if (!f.observed->rows.empty()) {
        json rows = json::object();
        for (const auto& [relation, n] : f.observed->rows) {
          rows[relation] = n;
        }
        observed["rows"] = std::move(rows);
      }
      observed["grows"] = f.observed->grows.empty() ? json(nullptr) : json(f.observed->grows);
      if (const auto& e = f.observed->estimate) {
        json estimate = {{"relation", e->relation}};
        if (!e->none.empty()) {
          estimate["none"] = e->none;
        } else {
          estimate["rows"] = static_cast<long long>(e->seeded_rows);
          estimate["production_rows"] = static_cast<long long>(e->production_rows);
          for (const auto& [key, ms] :
               {std::pair<const char*, double>{"duration_ms", e->duration_ms},
                {"held_ms", e->held_ms}}) {
            estimate[key] = ms < 0 ? json(nullptr) : json(std::round(ms * 10) / 10);
          }
        }
        observed["estimate"] = std::move(estimate);
      }
      properties["observed"] = std::move(observed);
    }
    if (!properties.empty()) {
      result["properties"] = properties;
    }
    results.push_back(std::move(result));
  }
  std::string root = uri_path(base.generic_string());
  if (root.empty() || root.back() != '/') {
    root += '/';
  }
  json doc = {
      {"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
      {"version", "2.1.0"},
      {"runs",
       json::array(
           {{{"tool",
              {{"driver",
                {{"name", "miglint"}, {"semanticVersion", MIGLINT_VERSION}, {"rules", rules}}}}},
             {"originalUriBaseIds", {{"%SRCROOT%", {{"uri", "file://" + root}}}}},
             {"columnKind", "unicodeCodePoints"},
             {"results", results}}})}};
  if (report.honoured_markers > 0) {
    doc["runs"][0]["properties"] = {{"honouredMarkers", report.honoured_markers}};
  }
  os << doc.dump(2, ' ', false, json::error_handler_t::replace) << '\n';
}

} // namespace miglint::report
