// Linting on several threads gives the same bytes as on one: the parser's pieces of a long script
// against the script parsed whole, the ordered pipeline, and the binary's JSON report of a
// history and of long generated files with --jobs 1 and --jobs 4.

#include "core/parallel.hpp"
#include "sql/parser.hpp"
#include "test_support.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace miglint {
namespace {

namespace fs = std::filesystem;
using test::TempDir;

std::string read(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Everything the linter reads of a parse, written out: statements (span, node name, text),
// errors and comments.
std::string dump(const sql::ParsedScript& p, std::string_view text) {
  std::ostringstream out;
  for (const auto& s : p.statements) {
    out << "S " << s.span.begin << '-' << s.span.end << ' ' << s.tag << ' ' << s.node.index() << ' '
        << s.data.has_value() << ' ' << text.substr(s.span.begin, s.span.end - s.span.begin)
        << '\n';
  }
  for (const auto& e : p.errors) {
    out << "E " << e.offset << ' ' << e.statement.begin << '-' << e.statement.end << ' '
        << e.message << '\n';
  }
  for (const auto& c : p.comments) {
    out << "C " << c.span.begin << '-' << c.span.end << ' ' << c.text << '\n';
  }
  return out.str();
}

// A long script of the kinds a history holds, with semicolons inside strings, quoted names,
// dollar-quoted bodies and comments, and ignore comments between statements. `atomic` adds a
// SQL-standard function body (semicolons the quick split does not know), `bad` a statement that
// does not parse.
std::string long_script(size_t statements, bool atomic, bool bad) {
  std::string s = "-- a long generated script; with a semicolon in a comment\n";
  for (size_t i = 0; i < statements; ++i) {
    const std::string n = std::to_string(i);
    switch (i % 12) {
    case 0:
      s += "CREATE TABLE t_" + n + " (id int PRIMARY KEY, \"odd;name\" text DEFAULT 'a;b');\n";
      break;
    case 1:
      s += "ALTER TABLE orders ADD COLUMN c_" + n + " int NOT NULL;\n";
      break;
    case 2:
      s += "CREATE INDEX i_" + n + " ON orders (c_" + n + ");\n";
      break;
    case 3:
      s += "CREATE FUNCTION f_" + n +
           "() RETURNS trigger AS $body$\nBEGIN\n  NEW.a := 1; -- ';'\n  RETURN NEW;\nEND\n"
           "$body$ LANGUAGE plpgsql;\n";
      break;
    case 4:
      s += "/* block; comment /* nested; */ still; */\nUPDATE orders SET note = E'it\\'s; "
           "done' WHERE id = " +
           n + ";\n";
      break;
    case 5:
      s += "-- miglint: ignore add-column-not-null-no-default\nALTER TABLE orders ADD COLUMN d_" +
           n + " int NOT NULL;\n";
      break;
    case 6:
      s += "ALTER TABLE orders ALTER COLUMN c_" + n + " TYPE bigint;\n";
      break;
    case 7:
      s += "DO $$ BEGIN PERFORM 1; END $$;\n";
      break;
    case 8:
      s += "ALTER TABLE orders ADD CONSTRAINT k_" + n + " CHECK (c_" + n + " > 0);\n";
      break;
    case 9:
      s += "SELECT $1, a$b FROM x_" + n + ";\n"; // a parameter and a name with a dollar sign
      break;
    case 10:
      s += "ALTER TABLE orders RENAME COLUMN c_" + n + " TO e_" + n + ";\n\n";
      break;
    default:
      s += "DROP INDEX i_" + n + ";\n";
    }
    if (atomic && i == statements / 2) {
      s += "CREATE FUNCTION g() RETURNS int LANGUAGE sql BEGIN ATOMIC\n";
      for (int k = 0; k < 3000; ++k) {
        s += "  SELECT " + std::to_string(k) + ";\n";
      }
      s += "END;\n";
    }
    if (bad && i == statements / 3) {
      s += "ALTER TABLE orders ADD COLUMN;\n";
    }
  }
  return s + "-- the end; no statement after this\n";
}

TEST(ParseInPieces, ChunkEndsOnlyAfterSemicolonsBetweenStatements) {
  const std::string sql = "SELECT ';';\n-- ;\n/* ; /* ; */ ; */ SELECT \"a;\";\n"
                          "SELECT $t$ ; $t$; SELECT E'\\'; '; SELECT 1;\nSELECT 2;";
  // Every offset is a candidate (target 1): exactly the ends of the six statements but the last.
  const std::vector<uint32_t> ends = sql::chunk_ends(sql, 1);
  std::vector<uint32_t> want;
  for (const char* end : {"SELECT ';';", "SELECT \"a;\";", "$t$;", "'; '; ", "SELECT 1;"}) {
    const size_t at = sql.find(end);
    ASSERT_NE(at, std::string::npos);
    want.push_back(static_cast<uint32_t>(at + std::string_view(end).find_last_of(';') + 1));
  }
  // "'; '; " ends at its second semicolon: the E'' string is `'\'; '`.
  EXPECT_EQ(ends, want);
  EXPECT_TRUE(sql::chunk_ends(sql, sql.size()).empty());
}

TEST(ParseInPieces, SameAsTheWholeScript) {
  std::vector<std::string> texts = {long_script(600, false, false), long_script(600, true, false),
                                    long_script(600, false, true)};
  for (const auto& entry : fs::directory_iterator(fs::path(MIGLINT_SOURCE_DIR) / "tests/rules")) {
    texts.push_back(read(entry.path()));
  }
  for (const auto& text : texts) {
    const std::string whole = dump(sql::parse(text, 1, 0), text);
    ASSERT_FALSE(whole.empty());
    for (const size_t chunk : {size_t{64}, size_t{1000}, size_t{8000}}) {
      for (const unsigned jobs : {1U, 4U}) {
        EXPECT_EQ(dump(sql::parse(text, jobs, chunk), text), whole)
            << "chunk " << chunk << ", jobs " << jobs << ", script starting " << text.substr(0, 80);
      }
    }
  }
  // The one with a bad statement keeps its error and the statements after it.
  const auto bad = sql::parse(texts[2], 4, 1000);
  ASSERT_EQ(bad.errors.size(), 1u);
  EXPECT_EQ(bad.statements.size(), 600u);
}

TEST(ParallelOrdered, ConsumesInOrderWhileProducing) {
  for (const unsigned jobs : {1U, 2U, 4U}) {
    std::vector<int> produced(500, -1);
    std::vector<int> consumed;
    core::parallel_ordered(
        produced.size(), [&](size_t i) { produced[i] = static_cast<int>(i * i); },
        [&](size_t i) {
          ASSERT_EQ(produced[i], static_cast<int>(i * i));
          consumed.push_back(static_cast<int>(i));
        },
        jobs);
    ASSERT_EQ(consumed.size(), produced.size());
    for (size_t i = 0; i < consumed.size(); ++i) {
      EXPECT_EQ(consumed[i], static_cast<int>(i));
    }
  }
}

TEST(ParallelOrdered, AnExceptionStopsTheRestAndIsRethrown) {
  for (const unsigned jobs : {1U, 4U}) {
    std::atomic<size_t> consumed{0};
    EXPECT_THROW(core::parallel_ordered(
                     1000,
                     [&](size_t i) {
                       if (i == 10) {
                         throw std::runtime_error("produce");
                       }
                     },
                     [&](size_t) { ++consumed; }, jobs),
                 std::runtime_error);
    // Items before the failing one are consumed unless the failure came first (on other threads).
    if (jobs == 1) {
      EXPECT_EQ(consumed.load(), 10u);
    } else {
      EXPECT_LE(consumed.load(), 10u);
    }
    EXPECT_THROW(core::parallel_ordered(
                     1000, [](size_t) {},
                     [&](size_t i) {
                       if (i == 3) {
                         throw std::runtime_error("consume");
                       }
                     },
                     jobs),
                 std::runtime_error);
  }
}

// The binary's JSON report of `args` with --jobs 1 and --jobs 4: the same bytes, with findings.
void expect_same_report(const std::string& args, const std::string& cwd) {
  const auto one = test::run_miglint("check --format json --fail-on never --jobs 1 " + args, cwd);
  const auto four = test::run_miglint("check --format json --fail-on never --jobs 4 " + args, cwd);
  ASSERT_EQ(one.exit_code, 0) << one.out;
  EXPECT_NE(one.out.find("\"rule\""), std::string::npos) << one.out;
  EXPECT_EQ(four.out, one.out) << args;
}

TEST(LintOnThreads, SameReportForEveryJobCount) {
  TempDir dir;
  // A golang-migrate history of every rule fixture, one migration each, with down files.
  size_t n = 0;
  for (const auto& entry : fs::directory_iterator(fs::path(MIGLINT_SOURCE_DIR) / "tests/rules")) {
    const std::string id = std::to_string(1000 + n++);
    const std::string text = read(entry.path());
    dir.write("history/" + id + "_" + entry.path().stem().string() + ".up.sql", text);
    dir.write("history/" + id + "_" + entry.path().stem().string() + ".down.sql",
              "DROP TABLE orders;\n" + text);
  }
  dir.write("history/2000_long.up.sql", long_script(3000, false, false));
  dir.write("long.sql", long_script(4000, false, false));
  dir.write("long_atomic.sql", long_script(4000, true, true));
  const std::string cwd = dir.path().string();
  expect_same_report("--phase both --extend-select style history", cwd);
  expect_same_report("long.sql", cwd);
  expect_same_report("long_atomic.sql", cwd);
  expect_same_report(
      "--phase both " +
          (fs::path(MIGLINT_SOURCE_DIR) / "tests/fixtures/alembic/reference").string(),
      cwd);
}

} // namespace
} // namespace miglint
