#include "check/git.hpp"

#include "core/file.hpp"
#include "core/process.hpp"

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

} // namespace miglint::check
