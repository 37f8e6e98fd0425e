#pragma once

// Numbers as reports say them: rows with thousands separators, sizes in binary units, and
// durations rounded to what an estimate can claim.

#include <cstdint>
#include <string>

namespace miglint::core {

// 2000000 -> "2,000,000" (rounded to the nearest integer; negative numbers keep their sign).
std::string thousands(double value);

// A size in bytes: "512 bytes", "8.0 kB", "26 MB", "1.3 GB" (1 kB = 1024 bytes, as
// pg_size_pretty says them).
std::string size_text(int64_t bytes);

// A duration in milliseconds to two significant figures, for estimates: "0.4 ms", "35 ms",
// "350 ms", "4.1 s", "41 s", "3.5 min", "1.2 h". Negative: "unknown".
std::string rough_duration(double ms);

} // namespace miglint::core
