#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace miglint::core {

// 1-based line and column; columns count Unicode code points (what SARIF and editors expect).
struct LineCol {
  uint32_t line = 1;
  uint32_t column = 1;
};

// A file read from disk (or built in memory by a test), with a lazily computed line index.
// Everything downstream refers to byte offsets into `text()`; only reporters turn them into
// lines and columns. LF, CRLF and lone CR all end a line.
class SourceFile {
public:
  SourceFile(std::string path, std::string text);

  const std::string& path() const { return m_path; }
  const std::string& text() const { return m_text; }
  LineCol position(uint32_t offset) const;
  // The text of the 1-based line, without its line break.
  std::string_view line_text(uint32_t line) const;
  // The byte range of the 1-based line's text (without its line break; empty past the end).
  std::pair<uint32_t, uint32_t> line_span(uint32_t line) const;

private:
  void build_index() const;

  std::string m_path;
  std::string m_text;
  mutable std::vector<uint32_t> m_line_starts; // empty until first use
};

using SourceFilePtr = std::shared_ptr<const SourceFile>;

// Counts code points in a UTF-8 byte range (invalid bytes count one each).
uint32_t count_code_points(std::string_view bytes);

} // namespace miglint::core
