#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace miglint::check {

struct ChangedFiles {
  std::set<std::string> paths; // absolute, normalised
  std::string error;           // why git could not say ("" = ok)
};

// The files that differ between the merge base of `base` and HEAD, and the working tree:
// committed, staged, unstaged and untracked changes alike, as a pull request would show them.
ChangedFiles changed_files(const std::string& base);

// Which deploy each file arrived in: the main-line commit that added it (`git log --first-parent`,
// a merge counting for everything its branch added), or "pending" for a file not committed yet
// (untracked or only staged).
struct DeployBatches {
  // The files as given -> their batch; a file git cannot place (ignored, outside a repository,
  // git missing) is absent.
  std::map<std::string, std::string> batch_of;
  // Batch -> every file it added under the files' closest common directory (absolute,
  // normalised), asked or not: how big the batch is.
  std::map<std::string, std::set<std::string>> added;
};
// One walk of the main line under the files' closest common directory, newest first, ended as
// soon as every file is placed: asking about recent files costs little even in a long history
// (a walk to the root takes about 0.5 s for 25,000 commits).
DeployBatches deploy_batches(const std::vector<std::string>& files);
} // namespace miglint::check
