#include "check/git.hpp"

#include "core/file.hpp"
#include "core/process.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <csignal>
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

// Calls each(token) for the NUL-terminated tokens of `text` (git's `-z` output), in order,
// until it returns false. The newline git writes before a commit's file list is dropped and
// empty tokens are skipped. With `complete`, a last token without its NUL counts too. Returns
// the bytes consumed: the text up to the last NUL handled (all of it with `complete`), so a
// stream keeps the rest for its next read.
template <typename Each>
size_t nul_tokens(std::string_view text, bool complete, Each&& each) {
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\0', start);
    if (end == std::string_view::npos) {
      if (!complete) {
        break;
      }
      end = text.size();
    }
    std::string_view token = text.substr(start, end - start);
    while (!token.empty() && token.front() == '\n') {
      token.remove_prefix(1);
    }
    start = std::min(end + 1, text.size());
    if (!token.empty() && !each(token)) {
      break;
    }
  }
  return start;
}

void add_names(const std::string& root, const std::string& nul_separated,
               std::set<std::string>& out) {
  nul_tokens(nul_separated, true, [&](std::string_view name) {
    out.insert((fs::path(root) / name).lexically_normal());
    return true;
  });
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
  // The pathspec relative to the root: git reads an absolute one far more slowly (0.4 s against
  // 0.03 s for the newest commits of crates.io's 25,000).
  std::string where = common.lexically_relative(root).string();
  if (where.empty()) {
    where = ".";
  }
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
  // Not committed yet: untracked ("??") or added to the index ("A"), in one `git status`.
  const GitResult status = git({"-C", root, "status", "--porcelain=v1", "-z", "--no-renames",
                                "--untracked-files=all", "--", where});
  if (status.status != 0) {
    return {};
  }
  nul_tokens(status.out, true, [&](std::string_view entry) {
    if (entry.size() > 3 && (entry.starts_with("??") || entry.front() == 'A')) {
      place(entry.substr(3), "pending");
    }
    return true;
  });
  // One walk of the main line, newest first, read as it comes and ended as soon as every file
  // asked about is placed: the migrations asked about are the newest (mark_deploy_batches), so
  // the walk stops near HEAD instead of reading a long history to its root.
  size_t unplaced = 0;
  for (const auto& [path, file] : given) {
    unplaced += out.batch_of.contains(file) ? 0 : 1;
  }
  if (unplaced == 0) {
    return out;
  }
  std::string error;
  core::SpawnOptions options;
  options.pipe_stdout = true;
  auto log =
      core::Process::spawn({"git", "-c", "core.quotepath=off", "-C", root, "log", "--first-parent",
                            "--diff-merges=first-parent", "--no-renames", "--diff-filter=A",
                            "--name-only", "-z", "--format=@%H", "--", where},
                           options, error);
  if (!log) {
    return out;
  }
  std::string pending_bytes;
  std::string commit;
  std::array<char, 65536> buf{};
  bool done = false;
  while (!done) {
    const ssize_t n = ::read(log->stdout_fd(), buf.data(), buf.size());
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      break;
    }
    pending_bytes.append(buf.data(), static_cast<size_t>(n));
    const size_t consumed = nul_tokens(pending_bytes, false, [&](std::string_view token) {
      if (token.starts_with('@')) {
        done = unplaced == 0; // the commit of the oldest file asked about is complete
        commit = std::string(token.substr(1));
        return !done;
      }
      if (!commit.empty()) {
        const std::string path = (fs::path(root) / token).lexically_normal().string();
        const auto it = given.find(path);
        if (it != given.end() && !out.batch_of.contains(it->second)) {
          --unplaced;
        }
        place(token, commit);
      }
      return true;
    });
    pending_bytes.erase(0, consumed);
  }
  if (log->running()) {
    ::kill(log->pid(), SIGKILL); // ended early: the rest of the walk is not needed
  }
  log->wait();
  return out;
}

} // namespace miglint::check
