#include "check/git.hpp"

#include "core/file.hpp"
#include "core/process.hpp"

#include <algorithm>
#include <array>
#include <filesystem>
#include <unistd.h>

namespace miglint::check {
namespace fs = std::filesystem;

namespace {

struct GitResult {
  int status = -1;
  std::string out;
  std::string err;
};

// Runs git with stdout captured and stderr kept apart, for its message on failure.
GitResult git(std::vector<std::string> args) {
  GitResult r;
  core::TempDir dir("miglint-git-");
  if (dir.path().empty()) {
    r.err = "cannot create a temporary directory";
    return r;
  }
  args.insert(args.begin(), {"git", "-c", "core.quotepath=off"});
  core::SpawnOptions options;
  options.pipe_stdout = true;
  options.log_file = (fs::path(dir.path()) / "stderr").string();
  auto p = core::Process::spawn(args, options, r.err);
  if (!p) {
    return r;
  }
  std::array<char, 4096> buf{};
  ssize_t n = 0;
  while ((n = ::read(p->stdout_fd(), buf.data(), buf.size())) > 0 || (n < 0 && errno == EINTR)) {
    if (n > 0) {
      r.out.append(buf.data(), static_cast<size_t>(n));
    }
  }
  r.status = p->wait();
  if (r.status != 0) {
    r.err = core::read_file(options.log_file).value_or("");
    while (!r.err.empty() && (r.err.back() == '\n' || r.err.back() == ' ')) {
      r.err.pop_back();
    }
  }
  return r;
}

void add_names(const std::string& root, const std::string& nul_separated,
               std::set<std::string>& out) {
  size_t start = 0;
  while (start < nul_separated.size()) {
    size_t end = nul_separated.find('\0', start);
    if (end == std::string::npos) {
      end = nul_separated.size();
    }
    if (end > start) {
      out.insert((fs::path(root) / nul_separated.substr(start, end - start)).lexically_normal());
    }
    start = end + 1;
  }
}

} // namespace

ChangedFiles changed_files(const std::string& base) {
  ChangedFiles out;
  const GitResult top = git({"rev-parse", "--show-toplevel"});
  if (top.status != 0) {
    out.error = top.err.empty() ? "git is not available" : top.err;
    return out;
  }
  std::string root = top.out;
  while (!root.empty() && (root.back() == '\n' || root.back() == '\r')) {
    root.pop_back();
  }
  const GitResult merge_base = git({"merge-base", base, "HEAD"});
  if (merge_base.status != 0) {
    out.error = "no merge base between `" + base + "` and HEAD" +
                (merge_base.err.empty() ? "" : " (" + merge_base.err + ")") +
                "; in a shallow clone, fetch the base branch with enough history";
    return out;
  }
  std::string commit = merge_base.out.substr(0, merge_base.out.find('\n'));
  // Paths from the repository's root, whatever the current directory.
  const GitResult diff =
      git({"-C", root, "diff", "--name-only", "--no-renames", "-z", commit, "--"});
  const GitResult untracked = git({"-C", root, "ls-files", "--others", "--exclude-standard", "-z"});
  for (const auto* r : {&diff, &untracked}) {
    if (r->status != 0) {
      out.error = r->err;
      return out;
    }
    add_names(root, r->out, out.paths);
  }
  return out;
}

DeployBatches deploy_batches(const std::vector<std::string>& files) {
  DeployBatches out;
  if (files.empty()) {
    return out;
  }
  std::error_code ec;
  // The closest directory holding every file, where git is asked from.
  fs::path common = fs::weakly_canonical(files.front(), ec).parent_path();
  std::map<std::string, std::string> given; // absolute, normalised -> the file as given
  for (const auto& file : files) {
    const fs::path p = fs::weakly_canonical(file, ec);
    given.emplace(p.string(), file);
    while (!common.empty() &&
           std::mismatch(common.begin(), common.end(), p.begin(), p.end()).first != common.end()) {
      common = common.parent_path();
    }
  }
  const GitResult top = git({"-C", common.string(), "rev-parse", "--show-toplevel"});
  if (top.status != 0) {
    return out;
  }
  std::string root = top.out;
  while (!root.empty() && (root.back() == '\n' || root.back() == '\r')) {
    root.pop_back();
  }
  const std::string where = common.string();
  // Adds a file git named (relative to the root) to a batch; the newest addition wins (git log
  // lists the newest first).
  auto place = [&](std::string_view relative, const std::string& batch) {
    const std::string path = (fs::path(root) / relative).lexically_normal().string();
    out.added[batch].insert(path);
    const auto it = given.find(path);
    if (it != given.end()) {
      out.batch_of.emplace(it->second, batch);
    }
  };
  auto names = [](const std::string& text, auto&& each) {
    size_t start = 0;
    while (start < text.size()) {
      const size_t end = std::min(text.find('\0', start), text.size());
      std::string_view token(text.data() + start, end - start);
      while (!token.empty() && token.front() == '\n') {
        token.remove_prefix(1);
      }
      if (!token.empty()) {
        each(token);
      }
      start = end + 1;
    }
  };
  for (const auto& pending :
       {std::vector<std::string>{"-C", root, "ls-files", "--others", "--exclude-standard", "-z",
                                 "--", where},
        std::vector<std::string>{"-C", root, "diff", "--cached", "--name-only", "--no-renames",
                                 "--diff-filter=A", "-z", "--", where}}) {
    const GitResult r = git(pending);
    if (r.status != 0) {
      return {};
    }
    names(r.out, [&](std::string_view name) { place(name, "pending"); });
  }
  const std::vector<std::string> log_args = {"-C",
                                             root,
                                             "log",
                                             "--first-parent",
                                             "--diff-merges=first-parent",
                                             "--no-renames",
                                             "--diff-filter=A",
                                             "--name-only",
                                             "-z",
                                             "--format=@%H"};
  auto read_log = [&](const std::vector<std::string>& tail) {
    std::vector<std::string> args = log_args;
    args.insert(args.end(), tail.begin(), tail.end());
    const GitResult log = git(args);
    if (log.status != 0) {
      return;
    }
    std::string commit;
    names(log.out, [&](std::string_view token) {
      if (token.starts_with('@')) {
        commit = std::string(token.substr(1));
      } else if (!commit.empty()) {
        place(token, commit);
      }
    });
  };
  constexpr size_t k_few = 16;
  if (files.size() > k_few) {
    read_log({"--", where});
    return out;
  }
  std::set<std::string> commits;
  for (const auto& [path, file] : given) {
    if (out.batch_of.contains(file)) {
      continue; // pending
    }
    read_log({"-n", "1", "--", path});
    const auto it = out.batch_of.find(file);
    if (it != out.batch_of.end()) {
      commits.insert(it->second);
    }
  }
  for (const auto& commit : commits) { // everything else each commit added, for its size
    read_log({"-n", "1", commit, "--", where});
  }
  return out;
}

} // namespace miglint::check
