#include "core/units.hpp"
#include "report/reporter.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <sstream>

namespace miglint::report {
namespace {

// Workflow command escaping: the message, and property values (which also escape ':' and ',').
std::string escape(std::string_view s, bool property) {
  std::string out;
  for (char c : s) {
    switch (c) {
    case '%':
      out += "%25";
      break;
    case '\r':
      out += "%0D";
      break;
    case '\n':
      out += "%0A";
      break;
    case ':':
      out += property ? "%3A" : ":";
      break;
    case ',':
      out += property ? "%2C" : ",";
      break;
    default:
      out += c;
    }
  }
  return out;
}

std::string command_of(core::Severity s) {
  return s == core::Severity::Error ? "error" : s == core::Severity::Warning ? "warning" : "notice";
}

std::string cell(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '|') {
      out += "\\|";
    } else if (c == '\n' || c == '\r') {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

// Production sizes (--stats-url): one row per table the findings name, largest first.
void write_sizes(std::ostream& s, const Report& report, size_t max_rows) {
  std::map<std::string, const core::RelationSize*> tables;
  for (const auto& f : report.findings) {
    for (const auto& size : f.sizes) {
      tables.emplace(size.relation, &size);
    }
  }
  if (tables.empty()) {
    return;
  }
  std::vector<const core::RelationSize*> order;
  for (const auto& [name, size] : tables) {
    order.push_back(size);
  }
  std::stable_sort(order.begin(), order.end(),
                   [](const auto* a, const auto* b) { return a->total_bytes > b->total_bytes; });
  s << "**Production sizes** of the tables the findings name (statistics server):\n\n"
    << "| table | rows | size |\n|---|---|---|\n";
  for (size_t i = 0; i < order.size() && i < max_rows; ++i) {
    const auto& size = *order[i];
    s << "| " << cell(size.relation) << " | ";
    if (!size.exists) {
      s << "not on the statistics server | |\n";
      continue;
    }
    s << (size.rows < 0 ? std::string("unknown (never analyzed)")
                        : "≈" + core::thousands(size.rows))
      << " | " << core::size_text(size.total_bytes) << " |\n";
  }
  if (order.size() > max_rows) {
    s << "\n_" << order.size() - max_rows << " more tables in the SARIF report._\n";
  }
  s << '\n';
}

// Estimated lock and run times at production size (--with-data with --stats-url): one row per
// statement, the longest first.
void write_estimates(std::ostream& s, const Report& report, size_t max_rows) {
  std::vector<const core::Finding*> rows;
  std::set<std::pair<std::string, uint32_t>> seen; // statements: several findings share one
  for (const auto& f : report.findings) {
    if (f.observed && f.observed->estimate &&
        seen.insert({f.location.path(), f.location.begin}).second) {
      rows.push_back(&f);
    }
  }
  if (rows.empty()) {
    return;
  }
  auto at_scale = [](const core::Finding* f) {
    const auto& e = *f->observed->estimate;
    return e.held_ms >= 0 ? e.held_ms : e.duration_ms;
  };
  std::stable_sort(rows.begin(), rows.end(),
                   [&](const auto* a, const auto* b) { return at_scale(a) > at_scale(b); });
  s << "**Estimated at production size** (the round-trip's time per seeded row times the "
       "production rows: linear, so a rough figure):\n\n"
    << "| where | rule | lock | in the round-trip | at production size |\n|---|---|---|---|---|\n";
  for (size_t i = 0; i < rows.size() && i < max_rows; ++i) {
    const core::Finding& f = *rows[i];
    const core::Observed& o = *f.observed;
    const core::Estimate& e = *o.estimate;
    std::string lock;
    for (const auto& l : o.locks) {
      lock += (lock.empty() ? "" : ", ") + l.mode + " on " + l.relation;
    }
    for (const auto& r : o.rewrites) {
      lock += (lock.empty() ? "rewrote " : ", rewrote ") + r;
    }
    const bool held = !o.locks.empty() && o.held_ms >= 0;
    s << "| " << cell(f.location.path()) << ':' << f.location.start().line << " | `" << f.rule
      << "` | " << cell(lock.empty() ? std::string("-") : lock) << " | ";
    if (!e.none.empty()) {
      s << (held ? "held " : "took ") << core::rough_duration(held ? o.held_ms : o.duration_ms)
        << " | no estimate: " << cell(e.none) << " |\n";
      continue;
    }
    s << (held ? "held " : "took ") << core::rough_duration(held ? o.held_ms : o.duration_ms)
      << " with " << core::thousands(e.seeded_rows) << " rows | ≈ "
      << core::rough_duration(held ? e.held_ms : e.duration_ms) << " (≈"
      << core::thousands(e.production_rows) << " rows) |\n";
  }
  if (rows.size() > max_rows) {
    s << "\n_" << rows.size() - max_rows << " more estimates in the SARIF report._\n";
  }
  s << '\n';
}

} // namespace

void write_github(std::ostream& out, const Report& report, size_t per_level) {
  // GitHub shows about 10 annotations per level and step: the rest is in the summary and SARIF.
  std::map<core::Severity, size_t> shown;
  std::map<core::Severity, size_t> left;
  for (const auto& f : report.findings) {
    if (shown[f.severity] >= per_level) {
      ++left[f.severity];
      continue;
    }
    ++shown[f.severity];
    out << "::" << command_of(f.severity);
    if (f.location.file) {
      const auto start = f.location.start();
      const auto stop = f.location.stop();
      out << " file=" << escape(f.location.path(), true) << ",line=" << start.line
          << ",endLine=" << std::max(stop.line, start.line) << ",col=" << start.column;
      if (stop.line == start.line && stop.column > start.column) {
        out << ",endColumn=" << stop.column;
      }
      out << ",";
    } else {
      out << " ";
    }
    out << "title=" << escape("miglint " + f.rule, true)
        << "::" << escape(f.message + (f.help.empty() ? "" : "\nhelp: " + f.help), false) << '\n';
  }
  for (const auto& [severity, n] : left) {
    out << "::notice title=miglint::" << n << " more " << command_of(severity)
        << (n == 1 ? "" : "s")
        << " not shown as annotations; see the job summary or the SARIF report\n";
  }
}

void write_summary(std::ostream& out, const Report& report) {
  constexpr size_t k_max_bytes = 900 * 1024; // GitHub drops summaries over 1 MiB
  std::ostringstream s;
  const Counts c = count(report.findings);
  s << "## miglint\n\n"
    << c.errors << " errors, " << c.warnings << " warnings, " << c.infos << " infos in "
    << report.migrations << " migrations (" << report.files << " files)\n\n";
  if (report.round_trip) {
    size_t failures = 0;
    // Problems: what the round-trip itself found (not the locks it observed, not its notices).
    for (const auto& f : report.findings) {
      const RuleInfo* rule = report.rule(f.rule);
      failures += rule != nullptr && rule->kind == "round-trip" && !rule->has_tag("locks") &&
                  f.severity != core::Severity::Info;
    }
    s << "**Round-trip:** " << report.round_trip_stepped
      << " migrations applied, downgraded and applied again; "
      << (failures == 0
              ? std::string("every downgrade restored the schema.")
              : std::to_string(failures) + " problem" + (failures == 1 ? "" : "s") + " found.")
      << "\n\n";
  }
  if (report.findings.empty()) {
    out << s.str() << "No findings.\n";
    return;
  }
  write_sizes(s, report, 50);
  write_estimates(s, report, 50);
  // One table per migration, in order of appearance.
  std::vector<std::string> order;
  std::map<std::string, std::vector<const core::Finding*>> by_migration;
  for (const auto& f : report.findings) {
    const std::string key = f.migration.empty() ? std::string("(project)") : f.migration;
    if (!by_migration.contains(key)) {
      order.push_back(key);
    }
    by_migration[key].push_back(&f);
  }
  size_t omitted = 0;
  for (const auto& key : order) {
    std::ostringstream table;
    table << "### " << cell(key)
          << "\n\n| severity | rule | where | message |\n|---|---|---|---|\n";
    for (const auto* f : by_migration[key]) {
      table << "| " << to_string(f->severity) << " | `" << f->rule << "` | "
            << cell(f->location.path()) << ':' << f->location.start().line << " | "
            << cell(f->message) << " |\n";
    }
    table << '\n';
    if (s.tellp() + table.tellp() > static_cast<std::streamoff>(k_max_bytes)) {
      omitted += by_migration[key].size();
      continue;
    }
    s << table.str();
  }
  if (omitted > 0) {
    s << "_" << omitted << " more findings are not listed here (GitHub's summary size limit); "
      << "see the SARIF report._\n";
  }
  out << s.str();
}

} // namespace miglint::report
