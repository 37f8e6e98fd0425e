#include "core/md5.hpp"
#include "core/source_file.hpp"
#include "source/migration.hpp"

#include <gtest/gtest.h>

namespace miglint {
namespace {

// RFC 1321's test suite (A.5), as SQLAlchemy's shortened names need it bit for bit.
TEST(Md5, Rfc1321Vectors) {
  EXPECT_EQ(core::md5_hex(""), "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_EQ(core::md5_hex("abc"), "900150983cd24fb0d6963f7d28e17f72");
  EXPECT_EQ(core::md5_hex("12345678901234567890123456789012345678901234567890123456789012345678901"
                          "234567890"),
            "57edf4a22be3c955ac49da2e2107b67a");
}

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
