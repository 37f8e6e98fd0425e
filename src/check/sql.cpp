#include "check/sql.hpp"

#include "discover/discover.hpp"
#include "sql/parser.hpp"

#include <algorithm>

namespace miglint::check {

Status write_sql(const std::vector<std::string>& paths, core::Phase phase, std::ostream& out,
                 std::ostream& log) {
  discover::Discovery discovery = discover::discover(paths);
  for (const auto& e : discovery.usage_errors) {
    log << "miglint: " << e << '\n';
  }
  if (!discovery.usage_errors.empty()) {
    return Status::Usage;
  }
  for (const auto& f : discovery.findings) {
    log << f.location.path() << ':' << f.location.start().line << ": " << f.message << '\n';
  }
  for (const auto& m : discovery.migrations) {
    if (!m.selected) {
      continue;
    }
    out << "-- migration " << m.id << " (" << core::to_string(phase) << ")\n";
    for (const auto& f : m.findings) {
      if (f.phase == phase) {
        out << "-- " << f.location.path() << ':' << f.location.start().line << ": " << f.rule
            << ": " << f.message << '\n';
      }
    }
    const auto& script = m.script(phase);
    if (!script) {
      out << "-- no " << core::to_string(phase) << " script\n\n";
      continue;
    }
    const sql::ParsedScript parsed = sql::parse(script->sql);
    if (parsed.statements.empty() && parsed.errors.empty()) {
      out << "-- " << core::to_string(phase) << " "
          << (script->body_note.empty() ? std::string("is empty") : script->body_note) << "\n";
    }
    // Statements and unparsable pieces, in script order.
    std::vector<sql::Span> spans;
    for (const auto& s : parsed.statements) {
      spans.push_back(s.span);
    }
    for (const auto& e : parsed.errors) {
      spans.push_back(e.statement);
    }
    std::sort(spans.begin(), spans.end(),
              [](const sql::Span& a, const sql::Span& b) { return a.begin < b.begin; });
    for (const auto& span : spans) {
      const auto loc = script->origin.locate(span.begin, span.end);
      out << "-- " << loc.path() << ':' << loc.start().line << '\n'
          << script->sql.substr(span.begin, span.end - span.begin) << ";\n";
    }
    out << '\n';
  }
  return Status::Ok;
}

} // namespace miglint::check
