#include "report/reporter.hpp"

#include <cstdio>
#include <string>
#include <string_view>

namespace miglint::report {
namespace {

// Appends `s` as a JSON string. Streams instead of building a document: reports can hold tens
// of thousands of findings. Invalid UTF-8 from user files becomes U+FFFD, as JSON requires.
void append_string(std::string& out, std::string_view s) {
  static constexpr char hex[] = "0123456789abcdef";
  out += '"';
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
      ++i;
    } else if (c < 0x20) {
      switch (c) {
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        out += "\\u00";
        out += hex[c >> 4];
        out += hex[c & 0xF];
      }
      ++i;
    } else if (c < 0x80) {
      out += static_cast<char>(c);
      ++i;
    } else {
      // Validate one UTF-8 sequence.
      const size_t len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 ? 2 : 0;
      bool valid = len != 0 && c < 0xF5 && i + len <= s.size();
      for (size_t k = 1; valid && k < len; ++k) {
        valid = (static_cast<unsigned char>(s[i + k]) & 0xC0) == 0x80;
      }
      if (valid && len == 3) { // no overlong forms or surrogates
        const auto c1 = static_cast<unsigned char>(s[i + 1]);
        valid = !(c == 0xE0 && c1 < 0xA0) && !(c == 0xED && c1 >= 0xA0);
      } else if (valid && len == 4) {
        const auto c1 = static_cast<unsigned char>(s[i + 1]);
        valid = !(c == 0xF0 && c1 < 0x90) && !(c == 0xF4 && c1 >= 0x90);
      }
      if (valid) {
        out.append(s.substr(i, len));
        i += len;
      } else {
        out += "\xEF\xBF\xBD";
        ++i;
      }
    }
  }
  out += '"';
}

void field(std::string& out, std::string_view indent, std::string_view key) {
  out += indent;
  append_string(out, key);
  out += ": ";
}

// A duration in milliseconds, to a tenth; null when it was not measured.
std::string milliseconds(double ms) {
  if (ms < 0) {
    return "null";
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", ms);
  return buf;
}

// {"locks": [{"relation": ..., "mode": ...}], "rewrites": [...], "duration_ms": N, "held_ms": N,
//  "rows": {"public.orders": 300} (with data), "grows": "a rewrite" | null,
//  "estimate": {"relation", "rows", "production_rows", "duration_ms", "held_ms"} | {"relation",
//  "none": why} (with data and statistics)}
void append_observed(std::string& out, const core::Observed& o) {
  out += "{\"locks\": [";
  for (size_t k = 0; k < o.locks.size(); ++k) {
    out += k == 0 ? "{" : ", {";
    append_string(out, "relation");
    out += ": ";
    append_string(out, o.locks[k].relation);
    out += ", ";
    append_string(out, "mode");
    out += ": ";
    append_string(out, o.locks[k].mode);
    out += "}";
  }
  out += "], \"rewrites\": [";
  for (size_t k = 0; k < o.rewrites.size(); ++k) {
    out += k == 0 ? "" : ", ";
    append_string(out, o.rewrites[k]);
  }
  out += "], \"duration_ms\": " + milliseconds(o.duration_ms) +
         ", \"held_ms\": " + milliseconds(o.held_ms);
  if (!o.rows.empty()) { // --with-data: the rows each table had
    out += ", \"rows\": {";
    for (size_t k = 0; k < o.rows.size(); ++k) {
      out += k == 0 ? "" : ", ";
      append_string(out, o.rows[k].first);
      out += ": " + std::to_string(o.rows[k].second);
    }
    out += "}";
  }
  out += ", \"grows\": ";
  if (o.grows.empty()) {
    out += "null";
  } else {
    append_string(out, o.grows);
  }
  if (o.estimate) { // --with-data and --stats-url: at production size
    const auto& e = *o.estimate;
    out += ", \"estimate\": {\"relation\": ";
    append_string(out, e.relation);
    if (!e.none.empty()) {
      out += ", \"none\": ";
      append_string(out, e.none);
    } else {
      out += ", \"rows\": " + std::to_string(static_cast<long long>(e.seeded_rows)) +
             ", \"production_rows\": " + std::to_string(static_cast<long long>(e.production_rows)) +
             ", \"duration_ms\": " + milliseconds(e.duration_ms) +
             ", \"held_ms\": " + milliseconds(e.held_ms);
    }
    out += "}";
  }
  out += "}";
}

} // namespace

void write_json(std::ostream& os, const Report& report) {
  std::string out;
  out.reserve(256 + report.findings.size() * 512);
  out += "{\n  \"tool\": \"miglint\",\n  \"version\": ";
  append_string(out, MIGLINT_VERSION);
  out += ",\n  \"findings\": [";
  const std::string_view in = "      ";
  for (size_t i = 0; i < report.findings.size(); ++i) {
    const auto& f = report.findings[i];
    const auto start = f.location.start();
    const auto stop = f.location.stop();
    out += i == 0 ? "\n    {\n" : ",\n    {\n";
    field(out, in, "rule");
    append_string(out, f.rule);
    out += ",\n";
    field(out, in, "severity");
    append_string(out, to_string(f.severity));
    out += ",\n";
    field(out, in, "message");
    append_string(out, f.message);
    out += ",\n";
    field(out, in, "help");
    append_string(out, f.help);
    out += ",\n";
    field(out, in, "file");
    append_string(out, f.location.path());
    out += ",\n";
    for (const auto& [key, value] : {std::pair<std::string_view, uint32_t>{"line", start.line},
                                     {"column", start.column},
                                     {"end_line", stop.line},
                                     {"end_column", stop.column}}) {
      field(out, in, key);
      out += std::to_string(value);
      out += ",\n";
    }
    field(out, in, "migration");
    append_string(out, f.migration);
    out += ",\n";
    field(out, in, "phase");
    if (f.phase) {
      append_string(out, to_string(*f.phase));
    } else {
      out += "null";
    }
    out += ",\n";
    field(out, in, "statement");
    append_string(out, f.statement);
    if (!f.sizes.empty()) { // --stats-url: production sizes of the tables named
      out += ",\n";
      field(out, in, "sizes");
      out += "[";
      for (size_t s = 0; s < f.sizes.size(); ++s) {
        const auto& size = f.sizes[s];
        out += s == 0 ? "{" : ", {";
        append_string(out, "relation");
        out += ": ";
        append_string(out, size.relation);
        out += size.exists ? ", \"exists\": true" : ", \"exists\": false";
        if (size.exists) {
          out += ", \"rows\": " + std::to_string(static_cast<long long>(size.rows)) +
                 ", \"bytes\": " + std::to_string(size.total_bytes);
        }
        out += "}";
      }
      out += "]";
    }
    if (f.observed) { // --round-trip: what PostgreSQL was seen doing for the statement
      out += ",\n";
      field(out, in, "observed");
      append_observed(out, *f.observed);
    }
    out += "\n    }";
  }
  out += report.findings.empty() ? "],\n" : "\n  ],\n";
  const Counts c = count(report.findings);
  out += "  \"summary\": {\n";
  out += "    \"errors\": " + std::to_string(c.errors) + ",\n";
  out += "    \"warnings\": " + std::to_string(c.warnings) + ",\n";
  out += "    \"infos\": " + std::to_string(c.infos) + ",\n";
  out += "    \"migrations\": " + std::to_string(report.migrations) + ",\n";
  out += "    \"files\": " + std::to_string(report.files) + ",\n";
  out += "    \"honoured_markers\": " + std::to_string(report.honoured_markers) + "\n  }\n}\n";
  os.write(out.data(), static_cast<std::streamsize>(out.size()));
}

} // namespace miglint::report
