// Which PostgreSQL server binaries the round-trip runs on when several majors are installed:
// the one of --pg-version, else the nearest with a note. Fake binary directories (scripts that
// answer `postgres --version`) for the search and the choice; real servers of several majors
// (tests/pg, as ci/setup.sh installs them) for `miglint check --round-trip`.

#include "pg_versions.hpp"
#include "roundtrip/server.hpp"
#include "test_support.hpp"

#include <gtest/gtest.h>

#include <cstdlib>

namespace miglint::roundtrip {
namespace {

namespace fs = std::filesystem;
using test::Outcome;
using test::TempDir;

// A directory with initdb and postgres scripts that report PostgreSQL `version`.
fs::path fake_bin(const TempDir& root, const std::string& dir, const std::string& version) {
  for (const char* name : {"initdb", "postgres"}) {
    const auto path =
        root.write(dir + "/" + name, "#!/bin/sh\necho 'postgres (PostgreSQL) " + version + "'\n");
    fs::permissions(path, fs::perms::owner_all);
  }
  return root.path() / dir;
}

std::vector<int> majors_of(const std::vector<ServerBinaries>& found) {
  std::vector<int> out;
  for (const auto& b : found) {
    out.push_back(b.major);
  }
  return out;
}

// Sets PATH for the scope.
class ScopedPath {
public:
  explicit ScopedPath(const std::string& value) : m_old(std::getenv("PATH")) {
    ::setenv("PATH", value.c_str(), 1);
  }
  ~ScopedPath() { ::setenv("PATH", m_old.c_str(), 1); }
  ScopedPath(const ScopedPath&) = delete;
  ScopedPath& operator=(const ScopedPath&) = delete;

private:
  std::string m_old;
};

TEST(ServerChoice, PgBinDirectoriesInTheOrderGiven) {
  TempDir root;
  ServerOptions o;
  o.pg_bin = {fake_bin(root, "a", "16.2").string(), (root.path() / "missing").string(),
              fake_bin(root, "b", "13.9").string()};
  std::vector<std::string> tried;
  const auto found = find_server_binaries(o, tried);
  EXPECT_EQ(majors_of(found), (std::vector<int>{16, 13}));
  EXPECT_EQ(tried.size(), 3u);
  EXPECT_NE(tried[1].find("--pg-bin " + (root.path() / "missing").string()), std::string::npos);
}

TEST(ServerChoice, PathThenDebianNewestFirstEachBinaryOnce) {
  TempDir root;
  fake_bin(root, "debian/14/bin", "14.11");
  const auto debian16 = fake_bin(root, "debian/16/bin", "16.3");
  fake_bin(root, "debian/12/bin", "12.1");
  const auto path_dir = fake_bin(root, "opt/pg17", "17.1");
  // A PATH directory of links to Debian's 16 (as /usr/local/bin may hold) is the same server.
  fs::create_directories(root.path() / "links");
  for (const char* name : {"initdb", "postgres"}) {
    fs::create_symlink(debian16 / name, root.path() / "links" / name);
  }
  ServerOptions o;
  o.debian_root = (root.path() / "debian").string();
  ScopedPath path(path_dir.string() + ":" + (root.path() / "links").string());
  std::vector<std::string> tried;
  const auto found = find_server_binaries(o, tried);
  EXPECT_EQ(majors_of(found), (std::vector<int>{17, 16, 14, 12}));
  EXPECT_EQ(found[1].dir, (root.path() / "links").string()) << "found first through PATH";
}

TEST(ServerChoice, TheMajorOfPgVersionElseTheNearestWithANote) {
  const std::vector<ServerBinaries> found = {
      {"/pg/18", 18}, {"/pg/16", 16}, {"/pg/14", 14}, {"/pg/12", 12}, {"/pg/16b", 16}};
  auto exact = choose_server_binaries(found, 16);
  ASSERT_TRUE(exact.binaries);
  EXPECT_EQ(exact.binaries->dir, "/pg/16") << "the first of that major";
  EXPECT_EQ(exact.note, "");

  auto nearest = choose_server_binaries(found, 17); // 16 and 18 are as near: the newer
  ASSERT_TRUE(nearest.binaries);
  EXPECT_EQ(nearest.binaries->major, 18);
  EXPECT_NE(nearest.note.find("no PostgreSQL 17 server binaries found (--pg-version 17)"),
            std::string::npos)
      << nearest.note;
  EXPECT_NE(nearest.note.find("runs on PostgreSQL 18 (/pg/18)"), std::string::npos) << nearest.note;
  EXPECT_NE(nearest.note.find("14 (/pg/14)"), std::string::npos) << "lists what it found";

  EXPECT_EQ(choose_server_binaries(found, 13).binaries->major, 14) << "12 is too old to run";
  EXPECT_EQ(choose_server_binaries(found, 9).binaries->major, 14);
  EXPECT_FALSE(choose_server_binaries({{"/pg/12", 12}}, 15).binaries);
  EXPECT_FALSE(choose_server_binaries({}, 15).binaries);
}

// --- real servers ------------------------------------------------------------------------------

Outcome check(const std::string& args, const fs::path& cwd) {
  return test::run_binary("check --round-trip --postgres local " + args, cwd);
}

class ServerChoiceOnRealServers : public ::testing::Test {
protected:
  void SetUp() override {
    const auto a = test::server_bin_dir(14);
    const auto b = test::server_bin_dir(16);
    if (!a || !b) {
      GTEST_SKIP() << "PostgreSQL 14 and 16 server binaries are needed (tests/pg: npm ci)";
    }
    m_14 = *a;
    m_16 = *b;
    m_dir.write("m/001_t.up.sql", "CREATE TABLE t (id int);");
    m_dir.write("m/001_t.down.sql", "DROP TABLE t;");
  }
  TempDir m_dir;
  std::string m_14, m_16;
};

TEST_F(ServerChoiceOnRealServers, PgBinGivenTwiceRunsThePgVersion) {
  const std::string bins = "--pg-bin '" + m_14 + "' --pg-bin '" + m_16 + "' ";
  const Outcome on16 = check(bins + "--pg-version 16 m", m_dir.path());
  EXPECT_EQ(on16.exit_code, 0) << on16.err;
  EXPECT_NE(on16.err.find("round-trip on local PostgreSQL 16 (" + m_16 + ")"), std::string::npos)
      << on16.err;
  EXPECT_EQ(on16.err.find("note:"), std::string::npos) << on16.err;

  const Outcome on14 = check(bins + "--pg-version 14 m", m_dir.path());
  EXPECT_EQ(on14.exit_code, 0) << on14.err;
  EXPECT_NE(on14.err.find("round-trip on local PostgreSQL 14 (" + m_14 + ")"), std::string::npos)
      << on14.err;

  const Outcome other = check(bins + "--pg-version 13 m", m_dir.path());
  EXPECT_EQ(other.exit_code, 0) << other.err;
  EXPECT_NE(other.err.find("round-trip on local PostgreSQL 14"), std::string::npos) << other.err;
  EXPECT_NE(other.err.find("miglint: note: no PostgreSQL 13 server binaries found"),
            std::string::npos)
      << other.err;
}

TEST_F(ServerChoiceOnRealServers, ConfigurationListOfPgBin) {
  m_dir.write("miglint.toml",
              "pg-version = 16\n[round-trip]\npg-bin = [\"" + m_14 + "\", \"" + m_16 + "\"]\n");
  const Outcome r = check("m", m_dir.path());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("round-trip on local PostgreSQL 16 (" + m_16 + ")"), std::string::npos)
      << r.err;
  // The command line wins over the file.
  const Outcome cli = check("--pg-bin '" + m_14 + "' m", m_dir.path());
  EXPECT_NE(cli.err.find("round-trip on local PostgreSQL 14"), std::string::npos) << cli.err;
  EXPECT_NE(cli.err.find("no PostgreSQL 16 server binaries found"), std::string::npos) << cli.err;
}

} // namespace
} // namespace miglint::roundtrip
