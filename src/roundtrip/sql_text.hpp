#pragma once

#include <string>

namespace miglint::roundtrip {

// `name` as a double-quoted SQL identifier, inner quotes doubled, for statements the round-trip
// writes itself (PostgreSQL docs, 4.1.1 "Identifiers and Key Words": quoted identifiers).
inline std::string quote_ident(const std::string& name) {
  std::string out = "\"";
  for (const char c : name) {
    out += c;
    if (c == '"') {
      out += '"';
    }
  }
  return out + "\"";
}

} // namespace miglint::roundtrip
