#pragma once

// Helpers shared by the libFuzzer targets: they only touch what a target's input reaches, and
// never print (libFuzzer reports).

#include "core/finding.hpp"

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <unistd.h>
#include <vector>

namespace miglint::fuzz {

// Turns every finding's location into lines and columns, as the reporters do: a span past the end
// of its file, or an offset inside a multi-byte character, must not break them.
inline size_t touch(const std::vector<core::Finding>& findings) {
  size_t sum = 0;
  for (const auto& f : findings) {
    const auto a = f.location.start();
    const auto b = f.location.stop();
    sum += a.line + a.column + b.line + b.column + f.message.size() + f.statement.size();
    if (f.location.file) {
      sum += f.location.file->line_text(a.line).size();
    }
  }
  return sum;
}

// A contiguous piece of a text and where it starts in it.
struct Piece {
  uint32_t offset = 0;
  std::string_view text;
};

// The pieces of `text` between lines starting with `marker` (the marker lines left out).
inline std::vector<Piece> split_at(std::string_view text, std::string_view marker,
                                   uint32_t base = 0) {
  std::vector<Piece> parts(1, Piece{base, text.substr(0, 0)});
  size_t pos = 0;
  while (pos < text.size()) {
    const size_t eol = text.find('\n', pos);
    const size_t next = eol == std::string_view::npos ? text.size() : eol + 1;
    if (text.substr(pos, next - pos).starts_with(marker)) {
      parts.push_back(Piece{base + static_cast<uint32_t>(next), text.substr(next, 0)});
    } else {
      auto& last = parts.back();
      last.text = text.substr(last.offset - base, next - (last.offset - base));
    }
    pos = next;
  }
  return parts;
}

// A private scratch directory for targets whose code under test reads files, created once per
// process (under $TMPDIR) and removed at exit.
class ScratchDir {
public:
  ScratchDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "miglint-fuzz-XXXXXX").string();
    if (mkdtemp(tmpl.data()) == nullptr) {
      std::abort();
    }
    m_path = tmpl;
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(m_path, ec);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  const std::filesystem::path& path() const { return m_path; }

  // Writes `bytes` to `relative` (creating its directories) and returns the full path.
  std::filesystem::path write(const std::string& relative, std::string_view bytes) const {
    const auto p = m_path / relative;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    return p;
  }

private:
  std::filesystem::path m_path;
};

} // namespace miglint::fuzz
