#pragma once

#include <optional>
#include <set>
#include <string>

namespace miglint::check {

struct ChangedFiles {
  std::set<std::string> paths; // absolute, normalised
  std::string error;           // why git could not say ("" = ok)
};

// The files that differ between the merge base of `base` and HEAD, and the working tree:
// committed, staged, unstaged and untracked changes alike, as a pull request would show them.
ChangedFiles changed_files(const std::string& base);

} // namespace miglint::check
