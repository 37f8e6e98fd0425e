#include "source/migration.hpp"

#include <algorithm>

namespace miglint::source {

OriginMap::OriginMap(core::SourceFilePtr file, std::vector<OriginSegment> segments)
    : m_file(std::move(file)), m_segments(std::move(segments)) {}

OriginMap OriginMap::verbatim(core::SourceFilePtr file, uint32_t offset, uint32_t length) {
  return OriginMap(std::move(file), {{0, length, offset, offset + length, true}});
}

const OriginSegment* OriginMap::segment_for(uint32_t sql_offset) const {
  if (m_segments.empty()) {
    return nullptr;
  }
  auto it = std::upper_bound(
      m_segments.begin(), m_segments.end(), sql_offset,
      [](uint32_t offset, const OriginSegment& seg) { return offset < seg.sql_begin; });
  if (it != m_segments.begin()) {
    --it;
  }
  return &*it;
}

uint32_t OriginMap::to_file(uint32_t sql_offset) const {
  const OriginSegment* seg = segment_for(sql_offset);
  if (seg == nullptr) {
    return 0;
  }
  if (!seg->exact || sql_offset < seg->sql_begin) {
    return seg->file_begin;
  }
  return std::min(seg->file_begin + (sql_offset - seg->sql_begin), seg->file_end);
}

bool OriginMap::copied_from_file(uint32_t sql_offset) const {
  const OriginSegment* seg = segment_for(sql_offset);
  return seg != nullptr && seg->exact && sql_offset >= seg->sql_begin && sql_offset < seg->sql_end;
}

core::Location OriginMap::locate(uint32_t sql_begin, uint32_t sql_end) const {
  const OriginSegment* seg = segment_for(sql_begin);
  if (seg == nullptr) {
    return {m_file, 0, 0};
  }
  if (!seg->exact) {
    return {m_file, seg->file_begin, seg->file_end};
  }
  const uint32_t begin = to_file(sql_begin);
  const uint32_t end = sql_end > sql_begin ? to_file(sql_end) : begin;
  return {m_file, begin, std::max(begin, end)};
}

std::vector<std::string> Migration::files() const {
  std::vector<std::string> out;
  for (const auto* script : {&upgrade, &downgrade}) {
    if (*script) {
      for (const auto* file : {(*script)->origin.file().get(), (*script)->anchor.file.get()}) {
        if (file != nullptr && std::find(out.begin(), out.end(), file->path()) == out.end()) {
          out.push_back(file->path());
        }
      }
    }
  }
  return out;
}

} // namespace miglint::source
