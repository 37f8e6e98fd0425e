#include "sql/statement.hpp"

#include <algorithm>
#include <cctype>
#include <map>

namespace miglint::sql {

std::string TypeName::base() const {
  if (names.empty()) {
    return {};
  }
  std::string out = names.back();
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string TypeName::canonical() const {
  static const std::map<std::string, std::string, std::less<>> aliases = {
      {"integer", "int4"},
      {"int", "int4"},
      {"bigint", "int8"},
      {"smallint", "int2"},
      {"boolean", "bool"},
      {"decimal", "numeric"},
      {"real", "float4"},
      {"double precision", "float8"},
      {"character varying", "varchar"},
      {"character", "bpchar"},
      {"char", "bpchar"},
      {"serial4", "serial"},
      {"serial8", "bigserial"},
      {"serial2", "smallserial"}};
  std::string b = base();
  if (auto it = aliases.find(b); it != aliases.end()) {
    return it->second;
  }
  return b;
}

std::string TypeName::display() const {
  std::string out = base();
  // Show the names users write for the internal ones.
  static const std::map<std::string, std::string, std::less<>> shown = {
      {"int4", "integer"},
      {"int8", "bigint"},
      {"int2", "smallint"},
      {"bool", "boolean"},
      {"float8", "double precision"},
      {"float4", "real"},
      {"bpchar", "char"},
      {"timestamptz", "timestamp with time zone"},
      {"timetz", "time with time zone"}};
  if (auto it = shown.find(out); it != shown.end()) {
    out = it->second;
  }
  if (!modifiers.empty()) {
    out += "(";
    for (size_t i = 0; i < modifiers.size(); ++i) {
      out += (i ? "," : "") + std::to_string(modifiers[i]);
    }
    out += ")";
  }
  if (array) {
    out += "[]";
  }
  return out;
}

bool TypeName::is_serial() const {
  const std::string c = canonical();
  return !array && (c == "serial" || c == "bigserial" || c == "smallserial");
}

std::string_view to_string(LockMode mode) {
  switch (mode) {
  case LockMode::AccessShare:
    return "ACCESS SHARE";
  case LockMode::RowShare:
    return "ROW SHARE";
  case LockMode::RowExclusive:
    return "ROW EXCLUSIVE";
  case LockMode::ShareUpdateExclusive:
    return "SHARE UPDATE EXCLUSIVE";
  case LockMode::Share:
    return "SHARE";
  case LockMode::ShareRowExclusive:
    return "SHARE ROW EXCLUSIVE";
  case LockMode::Exclusive:
    return "EXCLUSIVE";
  case LockMode::AccessExclusive:
    return "ACCESS EXCLUSIVE";
  }
  return "ACCESS EXCLUSIVE";
}

} // namespace miglint::sql
