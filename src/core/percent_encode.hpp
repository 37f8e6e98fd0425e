#pragma once

#include <cctype>
#include <string>
#include <string_view>

namespace miglint::core {

// RFC 3986 percent-encoding: letters, digits and "-._~" stay, and so do the characters in
// `keep` (e.g. "/" for a path); every other byte becomes %XX.
inline std::string percent_encode(std::string_view text, std::string_view keep = {}) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) ||
        std::string_view("-._~").find(static_cast<char>(c)) != std::string_view::npos ||
        keep.find(static_cast<char>(c)) != std::string_view::npos) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

} // namespace miglint::core
