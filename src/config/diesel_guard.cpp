#include "config/diesel_guard.hpp"

#include <toml++/toml.h>

#include <cctype>
#include <filesystem>

namespace miglint::config {
namespace fs = std::filesystem;

namespace {

std::string digits_of(const std::string& text, size_t limit) {
  std::string out;
  for (const char c : text) {
    if (out.size() == limit) {
      break;
    }
    if (std::isdigit(static_cast<unsigned char>(c)) != 0) {
      out += c;
    } else if (c != '-' && c != '_' && c != ' ' && c != ':' && c != 'T') {
      break; // the name after the version
    }
  }
  return out;
}

} // namespace

std::optional<StartAfter> diesel_guard_start_after(const std::string& directory) {
  std::error_code ec;
  for (fs::path dir = fs::weakly_canonical(directory, ec); !dir.empty(); dir = dir.parent_path()) {
    const fs::path file = dir / "diesel-guard.toml";
    if (fs::is_regular_file(file, ec)) {
      try {
        const toml::table table = toml::parse_file(file.string());
        const auto value = table["start_after"].value<std::string>();
        if (!value) {
          return std::nullopt;
        }
        StartAfter out{file.string(), digits_of(*value, 14), *value};
        if (out.digits.empty()) {
          return std::nullopt;
        }
        return out;
      } catch (const toml::parse_error&) {
        return std::nullopt;
      }
    }
    if (fs::exists(dir / ".git", ec) || dir == dir.parent_path()) {
      break;
    }
  }
  return std::nullopt;
}

bool at_or_before(const std::string& version, const StartAfter& start_after) {
  const std::string digits = digits_of(version, start_after.digits.size());
  return digits.size() == start_after.digits.size() && digits <= start_after.digits;
}

} // namespace miglint::config
