#include "core/units.hpp"

#include <cmath>
#include <cstdio>
#include <iterator>

namespace miglint::core {

std::string thousands(double value) {
  const auto n = static_cast<long long>(std::llround(value));
  const std::string digits = std::to_string(n < 0 ? -n : n);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) {
      out += ',';
    }
    out += digits[i];
  }
  return n < 0 ? "-" + out : out;
}

std::string size_text(int64_t bytes) {
  const char* units[] = {"bytes", "kB", "MB", "GB", "TB"};
  double v = static_cast<double>(bytes);
  size_t u = 0;
  while (v >= 1024 && u + 1 < std::size(units)) {
    v /= 1024;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, u == 0 ? "%.0f %s" : (v < 10 ? "%.1f %s" : "%.0f %s"), v,
                units[u]);
  return buf;
}

std::string rough_duration(double ms) {
  if (ms < 0) {
    return "unknown";
  }
  struct Unit {
    double ms;
    const char* name;
  };
  // The largest unit the value reaches one of; below 1 ms, milliseconds.
  const Unit units[] = {{3'600'000, "h"}, {60'000, "min"}, {1000, "s"}, {1, "ms"}};
  Unit unit = units[std::size(units) - 1];
  for (const auto& u : units) {
    if (ms >= u.ms) {
      unit = u;
      break;
    }
  }
  const double v = ms / unit.ms;
  // Two significant figures: 4.1 s, 41 s, 350 ms (and 120 h).
  const double r = v < 10    ? std::round(v * 10) / 10
                   : v < 100 ? std::round(v)
                             : std::round(v / 10) * 10;
  char buf[32];
  std::snprintf(buf, sizeof buf, r < 10 ? "%.1f %s" : "%.0f %s", r, unit.name);
  return buf;
}

} // namespace miglint::core
