#include "core/source_file.hpp"

#include <algorithm>

namespace miglint::core {

SourceFile::SourceFile(std::string path, std::string text)
    : m_path(std::move(path)), m_text(std::move(text)) {}

void SourceFile::build_index() const {
  m_line_starts.push_back(0);
  const auto size = static_cast<uint32_t>(m_text.size());
  for (uint32_t i = 0; i < size; ++i) {
    if (m_text[i] == '\n') {
      m_line_starts.push_back(i + 1);
    } else if (m_text[i] == '\r') {
      if (i + 1 < size && m_text[i + 1] == '\n') {
        ++i;
      }
      m_line_starts.push_back(i + 1);
    }
  }
}

LineCol SourceFile::position(uint32_t offset) const {
  if (m_line_starts.empty()) {
    build_index();
  }
  offset = std::min<uint32_t>(offset, static_cast<uint32_t>(m_text.size()));
  auto it = std::upper_bound(m_line_starts.begin(), m_line_starts.end(), offset);
  const auto line = static_cast<uint32_t>(it - m_line_starts.begin());
  const uint32_t start = m_line_starts[line - 1];
  std::string_view prefix(m_text.data() + start, offset - start);
  if (start == 0 && prefix.substr(0, 3) == "\xEF\xBB\xBF") {
    prefix.remove_prefix(3); // a byte order mark takes no column
  }
  return {line, count_code_points(prefix) + 1};
}

std::string_view SourceFile::line_text(uint32_t line) const {
  if (m_line_starts.empty()) {
    build_index();
  }
  if (line == 0 || line > m_line_starts.size()) {
    return {};
  }
  uint32_t begin = m_line_starts[line - 1];
  uint32_t end =
      line < m_line_starts.size() ? m_line_starts[line] : static_cast<uint32_t>(m_text.size());
  while (end > begin && (m_text[end - 1] == '\n' || m_text[end - 1] == '\r')) {
    --end;
  }
  return std::string_view(m_text).substr(begin, end - begin);
}

std::pair<uint32_t, uint32_t> SourceFile::line_span(uint32_t line) const {
  const std::string_view text = line_text(line);
  if (text.data() == nullptr) {
    const auto end = static_cast<uint32_t>(m_text.size());
    return {end, end};
  }
  const auto begin = static_cast<uint32_t>(text.data() - m_text.data());
  return {begin, begin + static_cast<uint32_t>(text.size())};
}

uint32_t count_code_points(std::string_view bytes) {
  uint32_t n = 0;
  for (unsigned char c : bytes) {
    if ((c & 0xC0) != 0x80) { // not a continuation byte
      ++n;
    }
  }
  return n;
}

} // namespace miglint::core
