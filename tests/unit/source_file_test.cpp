#include "core/source_file.hpp"
#include "source/migration.hpp"

#include <gtest/gtest.h>

namespace miglint {
namespace {

TEST(SourceFile, LinesAndColumnsAreOneBased) {
  core::SourceFile f("a.sql", "ab\ncd\n");
  EXPECT_EQ(f.position(0).line, 1u);
  EXPECT_EQ(f.position(0).column, 1u);
  EXPECT_EQ(f.position(4).line, 2u);
  EXPECT_EQ(f.position(4).column, 2u);
  EXPECT_EQ(f.line_text(2), "cd");
}

TEST(SourceFile, CrLfAndLoneCrEndLines) {
  core::SourceFile f("a.sql", "ab\r\ncd\ref\n");
  EXPECT_EQ(f.position(4).line, 2u);
  EXPECT_EQ(f.position(4).column, 1u);
  EXPECT_EQ(f.position(7).line, 3u);
  EXPECT_EQ(f.line_text(1), "ab");
  EXPECT_EQ(f.line_text(2), "cd");
}

TEST(SourceFile, ColumnsCountCodePoints) {
  core::SourceFile f("a.sql", "-- é€😀 x");
  const auto pos = f.position(static_cast<uint32_t>(f.text().find('x')));
  EXPECT_EQ(pos.column, 8u);
}

TEST(SourceFile, OffsetsPastTheEndAreClamped) {
  core::SourceFile f("a.sql", "ab");
  EXPECT_EQ(f.position(100).column, 3u);
  core::SourceFile empty("b.sql", "");
  EXPECT_EQ(empty.position(0).line, 1u);
}

TEST(OriginMap, VerbatimMapsIntoTheFile) {
  auto file = std::make_shared<core::SourceFile>("x.sql", "-- migrate:up\nSELECT 1;\n");
  const auto map = source::OriginMap::verbatim(file, 14, 10);
  const auto loc = map.locate(0, 8);
  EXPECT_EQ(loc.begin, 14u);
  EXPECT_EQ(loc.end, 22u);
  EXPECT_EQ(loc.start().line, 2u);
}

TEST(OriginMap, InexactSegmentsMapToTheirWholeRange) {
  auto file = std::make_shared<core::SourceFile>("x.py", "op.add_column('t', ...)\n");
  source::OriginMap map(file, {{0, 30, 0, 23, false}, {31, 50, 10, 12, true}});
  EXPECT_EQ(map.locate(5, 20).begin, 0u);
  EXPECT_EQ(map.locate(5, 20).end, 23u);
  EXPECT_EQ(map.to_file(32), 11u);
}

} // namespace
} // namespace miglint
