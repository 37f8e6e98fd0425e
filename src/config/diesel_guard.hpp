#pragma once

#include <optional>
#include <string>

namespace miglint::config {

// diesel-guard's `start_after` (diesel-guard.toml, https://github.com/ayarotsky/diesel-guard):
// the team checks only migrations after this timestamp; older ones were reviewed before the
// linter came in.
struct StartAfter {
  std::string file;   // the diesel-guard.toml it was read from
  std::string digits; // the timestamp's digits, "20240101000000"
  std::string text;   // as written, for messages
};

// The `start_after` of the diesel-guard.toml in `directory` or the nearest directory above it,
// up to the repository's root (a directory holding .git); nullopt when there is none, it has no
// `start_after`, or it cannot be read (diesel-guard would refuse it too).
std::optional<StartAfter> diesel_guard_start_after(const std::string& directory);

// Whether a migration version ("2017-09-23-123456", "20170923123456_name") is at or before the
// timestamp: its leading digits (separators ignored) compared over the timestamp's length.
bool at_or_before(const std::string& version, const StartAfter& start_after);

} // namespace miglint::config
