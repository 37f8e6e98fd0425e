// Alembic projects read statically: where findings land, suppressions in Python comments,
// transactions, dialect branches, code miglint cannot analyse, discovery and the revision graph.

#include "alembic/project.hpp"
#include "alembic/revision.hpp"
#include "alembic/translate.hpp"
#include "discover/discover.hpp"
#include "test_support.hpp"

#include <gtest/gtest.h>

namespace miglint {
namespace {

using test::TempDir;

const char* k_header = "from alembic import op\nimport sqlalchemy as sa\n\n";

std::string revision_file(const std::string& id, const std::string& down, const std::string& up,
                          const std::string& downgrade = "    pass\n") {
  return std::string(k_header) + "revision = \"" + id +
         "\"\ndown_revision = " + (down.empty() ? std::string("None") : "\"" + down + "\"") +
         "\n\n\ndef upgrade():\n" + up + "\n\ndef downgrade():\n" + downgrade;
}

test::Checked check(const std::vector<std::string>& paths, bool downgrade = true) {
  return test::discover_and_lint(paths, downgrade);
}

const core::Finding* find(const std::vector<core::Finding>& findings, const std::string& rule) {
  for (const auto& f : findings) {
    if (f.rule == rule) {
      return &f;
    }
  }
  return nullptr;
}

TEST(Alembic, FindingsLandOnTheOpCallLine) {
  TempDir dir;
  dir.write("versions/a1.py",
            revision_file("a1", "",
                          "    op.create_index(\n        \"ix\", \"orders\", [\"a\"]\n    )\n"
                          "    op.drop_column(\"orders\", \"note\")\n"));
  const auto r = check({(dir.path() / "versions").string()});
  const auto* index = find(r.findings, "create-index-non-concurrent");
  ASSERT_NE(index, nullptr);
  EXPECT_EQ(index->location.start().line, 9u);
  EXPECT_EQ(index->location.start().column, 5u);
  EXPECT_EQ(index->location.stop().line, 11u); // the whole call
  EXPECT_EQ(index->migration, "a1");
  EXPECT_EQ(index->statement, "CREATE INDEX ix ON orders (a)");
  const auto* drop = find(r.findings, "drop-column");
  ASSERT_NE(drop, nullptr);
  EXPECT_EQ(drop->location.start().line, 12u);
}

TEST(Alembic, FindingsInsideExecuteStringsLandOnTheirOwnLine) {
  TempDir dir;
  dir.write("versions/a1.py",
            revision_file("a1", "",
                          "    op.execute(\"\"\"\n        SET lock_timeout = '1s';\n"
                          "        ALTER TABLE orders\n"
                          "            DROP COLUMN note;\n    \"\"\")\n"));
  const auto r = check({(dir.path() / "versions").string()});
  const auto* drop = find(r.findings, "drop-column");
  ASSERT_NE(drop, nullptr);
  // On the ALTER TABLE's subcommand, on its own line inside the string.
  EXPECT_EQ(drop->location.start().line, 12u);
  EXPECT_EQ(drop->location.start().column, 13u);
  EXPECT_EQ(drop->location.stop().line, 12u);
}

TEST(Alembic, SyntaxErrorInExecuteStringPointsIntoTheString) {
  TempDir dir;
  dir.write("versions/a1.py",
            revision_file("a1", "", "    op.execute(\"ALTER TABEL orders ADD x int\")\n"));
  const auto r = check({(dir.path() / "versions").string()});
  const auto* err = find(r.findings, "sql-syntax-error");
  ASSERT_NE(err, nullptr);
  EXPECT_EQ(err->location.start().line, 9u);
  EXPECT_EQ(err->location.start().column, 23u); // "TABEL" inside the literal
}

TEST(Alembic, PythonIgnoreComments) {
  TempDir dir;
  dir.write("versions/a1.py",
            revision_file("a1", "",
                          "    # miglint: ignore drop-column -- unused since 4.2\n"
                          "    op.drop_column(\"orders\", \"a\")\n"
                          "    op.drop_column(\"orders\", \"b\")  # miglint: ignore drop-column\n"
                          "    op.drop_column(\"orders\", \"c\")\n"
                          "    op.drop_table(\"legacy\")  # miglint: ignore drop-tabel\n"));
  const auto r = check({(dir.path() / "versions").string()});
  EXPECT_EQ(test::count_rule(r.findings, "drop-column"), 1u);
  EXPECT_EQ(find(r.findings, "drop-column")->location.start().line, 12u);
  const auto* invalid = find(r.findings, "invalid-ignore-comment");
  ASSERT_NE(invalid, nullptr);
  EXPECT_EQ(invalid->location.start().line, 13u);
}

TEST(Alembic, IgnoreFileComment) {
  TempDir dir;
  dir.write("versions/a1.py", "# miglint: ignore-file drop-column\n" +
                                  revision_file("a1", "", "    op.drop_column(\"t\", \"a\")\n"));
  EXPECT_EQ(test::count_rule(check({(dir.path() / "versions").string()}).findings, "drop-column"),
            0u);
}

TEST(Alembic, AutocommitBlockIsOutsideTheTransaction) {
  TempDir dir;
  dir.write(
      "versions/a1.py",
      revision_file("a1", "",
                    "    op.create_index(\"ix_a\", \"t\", [\"a\"], postgresql_concurrently=True)\n"
                    "    with op.get_context().autocommit_block():\n"
                    "        op.create_index(\"ix_b\", \"t\", [\"b\"], "
                    "postgresql_concurrently=True)\n"));
  const auto r = check({(dir.path() / "versions").string()});
  ASSERT_EQ(test::count_rule(r.findings, "concurrently-in-transaction"), 1u);
  EXPECT_EQ(find(r.findings, "concurrently-in-transaction")->location.start().line, 9u);
}

TEST(Alembic, DialectChecksAreDecidedForPostgresql) {
  TempDir dir;
  dir.write("versions/a1.py",
            revision_file("a1", "",
                          "    if op.get_bind().dialect.name == \"postgresql\":\n"
                          "        op.drop_column(\"t\", \"a\")\n"
                          "    else:\n"
                          "        op.drop_column(\"t\", \"b\")\n"
                          "    if op.get_context().dialect.name in (\"sqlite\", \"mysql\"):\n"
                          "        op.drop_table(\"t\")\n"));
  const auto r = check({(dir.path() / "versions").string()});
  EXPECT_EQ(test::count_rule(r.findings, "drop-column"), 1u);
  EXPECT_EQ(test::count_rule(r.findings, "drop-table"), 0u);
  EXPECT_EQ(test::count_rule(r.findings, "unanalyzable-code"), 0u);
}

TEST(Alembic, UndecidableConditionsAnalyseBothBranches) {
  TempDir dir;
  dir.write("versions/a1.py",
            revision_file("a1", "",
                          "    if FEATURE:\n        op.drop_column(\"t\", \"a\")\n"
                          "    else:\n        op.drop_column(\"t\", \"b\")\n"));
  const auto r = check({(dir.path() / "versions").string()});
  EXPECT_EQ(test::count_rule(r.findings, "drop-column"), 2u);
  ASSERT_EQ(test::count_rule(r.findings, "unanalyzable-code"), 1u);
  EXPECT_EQ(find(r.findings, "unanalyzable-code")->severity, core::Severity::Info);
}

TEST(Alembic, CodeItCannotAnalyseIsReportedAtItsLine) {
  TempDir dir;
  dir.write("versions/a1.py", revision_file("a1", "",
                                            "    table = \"t\"\n"
                                            "    op.execute(f\"ANALYZE {table}\")\n"
                                            "    for t in (\"a\", \"b\"):\n"
                                            "        op.drop_table(t)\n"
                                            "    helper()\n"
                                            "    conn = op.get_bind()\n"
                                            "    conn.execute(sa.text(\"UPDATE t SET a = 1\"))\n"
                                            "    op.frobnicate(\"t\")\n"
                                            "    op.add_column(table, sa.Column(\"x\", MyType()))\n"
                                            "    op.drop_column(table, \"z\")\n"));
  const auto r = check({(dir.path() / "versions").string()});
  std::vector<uint32_t> lines;
  for (const auto& f : r.findings) {
    if (f.rule == "unanalyzable-code") {
      lines.push_back(f.location.start().line);
    }
  }
  // The f-string, the loop and the SQL run through the connection are read; an undefined helper,
  // an unknown operation and an unknown type are not.
  EXPECT_EQ(lines, (std::vector<uint32_t>{13, 16, 17}));
  const std::string& sql = r.discovery.migrations.at(0).upgrade->sql;
  EXPECT_NE(sql.find("ANALYZE t"), std::string::npos) << sql;
  EXPECT_NE(sql.find("DROP TABLE a"), std::string::npos) << sql;
  EXPECT_NE(sql.find("DROP TABLE b"), std::string::npos) << sql;
  EXPECT_NE(sql.find("UPDATE t SET a = 1"), std::string::npos) << sql;
  // The rest is still analysed, with the local variable resolved.
  const auto* drop = find(r.findings, "drop-column");
  ASSERT_NE(drop, nullptr);
  EXPECT_EQ(drop->statement, "ALTER TABLE t DROP COLUMN z");
}

TEST(Alembic, DowngradeBodyNotes) {
  TempDir dir;
  dir.write("versions/a1.py",
            revision_file("a1", "", "    op.add_column(\"t\", sa.Column(\"x\", sa.Integer()))\n",
                          "    \"\"\"No way back.\"\"\"\n    raise NotImplementedError()\n"));
  const auto r = check({(dir.path() / "versions").string()});
  ASSERT_EQ(r.discovery.migrations.size(), 1u);
  EXPECT_EQ(r.discovery.migrations[0].downgrade->body_note, "raises NotImplementedError");
  const auto* empty = find(r.findings, "empty-downgrade");
  ASSERT_NE(empty, nullptr);
  EXPECT_EQ(empty->location.start().line, 12u); // def downgrade()
  EXPECT_NE(empty->message.find("raises NotImplementedError"), std::string::npos);
}

TEST(Alembic, DowngradeOfOnlyADocstringIsEmptyNotPass) {
  TempDir dir;
  dir.write("versions/a1.py",
            revision_file("a1", "", "    op.add_column(\"t\", sa.Column(\"x\", sa.Integer()))\n",
                          "    \"\"\"Downgrade schema.\"\"\"\n"));
  const auto r = check({(dir.path() / "versions").string()});
  const auto* empty = find(r.findings, "empty-downgrade");
  ASSERT_NE(empty, nullptr);
  EXPECT_NE(empty->message.find("the downgrade is empty"), std::string::npos) << empty->message;
  EXPECT_EQ(empty->message.find("pass"), std::string::npos) << empty->message;
}

TEST(Alembic, ConclusionsFromAnIncompleteModelSoftenOrStaySilent) {
  TempDir dir;
  dir.write("versions/a1.py",
            revision_file("a1", "",
                          "    op.create_table(\"t\", sa.Column(\"id\", sa.Integer()),\n"
                          "        sa.Column(\"s\", sa.Enum(\"a\", \"b\", name=\"state\")))\n",
                          "    helper()\n    op.drop_table(\"t\")\n"));
  dir.write("versions/a2.py",
            revision_file("a2", "a1",
                          "    helper()\n"
                          "    op.drop_column(\"t\", \"s\")\n",
                          "    op.add_column(\"t\", sa.Column(\"s\", sa.Text()))\n"));
  const auto r = check({(dir.path() / "versions").string()});
  // The downgrade's code miglint could not read may drop the type.
  EXPECT_EQ(find(r.findings, "enum-type-leak"), nullptr);
  // The upgrade's may have copied the column.
  const auto* drop = find(r.findings, "drop-column");
  ASSERT_NE(drop, nullptr);
  EXPECT_EQ(drop->message.find("for good"), std::string::npos) << drop->message;
  EXPECT_NE(drop->message.find("could not evaluate"), std::string::npos) << drop->message;
}

TEST(Alembic, MalformedRevisionFilesAreFindingsNotCrashes) {
  TempDir dir;
  dir.write("versions/a1.py", revision_file("a1", "", "    op.drop_column(\"t\", \"a\"\n"));
  dir.write("versions/b1.py", "revision = 'b1'\ndown_revision = 'a1'\ndef upgrade():\n"
                              "\top.drop_table('x')\n        op.drop_table('y')\n");
  dir.write("versions/c1.py", std::string("revision = 'c1'\ndown_revision = 'b1'\n# \xff\xfe\n"
                                          "def upgrade():\n    op.drop_table('z')\n"));
  dir.write("versions/d1.py", "revision = 'd1'\r\ndown_revision = 'c1'\r\n"
                              "def upgrade():\r\n    op.execute('SELECT 1\r\n");
  dir.write("versions/env_helpers.py", "def helper():\n    pass\n");
  const auto r = check({(dir.path() / "versions").string()});
  EXPECT_EQ(r.discovery.migrations.size(), 4u);
  size_t input_errors = 0;
  for (const auto& f : r.findings) {
    if (f.rule == "input-error") {
      ++input_errors;
      EXPECT_GE(f.location.start().line, 1u);
    }
  }
  EXPECT_GE(input_errors, 4u);
  EXPECT_NE(find(r.findings, "drop-table"), nullptr); // c1 is still analysed
}

TEST(AlembicDiscovery, AlembicIniWithVersionLocationsAndHere) {
  TempDir dir;
  dir.write("proj/alembic.ini", "[alembic]\nscript_location = %(here)s/db\n"
                                "version_locations = %(here)s/db/v1 %(here)s/db/v2\n");
  dir.write("proj/db/env.py", "");
  dir.write("proj/db/v1/a1.py", revision_file("a1", "", "    op.drop_table(\"x\")\n"));
  dir.write("proj/db/v2/b1.py", revision_file("b1", "a1", "    op.drop_table(\"y\")\n"));
  for (const auto& path : {dir.path() / "proj", dir.path() / "proj" / "alembic.ini"}) {
    const auto r = check({path.string()});
    ASSERT_EQ(r.discovery.migrations.size(), 2u) << path;
    EXPECT_EQ(r.discovery.migrations[0].id, "a1");
    EXPECT_EQ(r.discovery.migrations[1].id, "b1");
    EXPECT_EQ(test::count_rule(r.findings, "drop-table"), 2u);
  }
}

TEST(AlembicDiscovery, ScriptDirectoryAndBrokenIni) {
  TempDir dir;
  dir.write("alembic/env.py", "");
  dir.write("alembic/versions/a1.py", revision_file("a1", "", "    pass\n"));
  EXPECT_EQ(check({(dir.path() / "alembic").string()}).discovery.migrations.size(), 1u);
  dir.write("bad/alembic.ini", "[alembic]\nsqlalchemy.url = x\n");
  const auto r = check({(dir.path() / "bad").string()});
  ASSERT_NE(find(r.findings, "input-error"), nullptr);
  EXPECT_NE(find(r.findings, "input-error")->message.find("script_location"), std::string::npos);
}

TEST(AlembicDiscovery, SingleFilesAreLintedWithTheirHistoryAsContext) {
  TempDir dir;
  dir.write("versions/a1.py",
            revision_file("a1", "",
                          "    op.create_table(\"t\", sa.Column(\"name\", sa.String(20)))\n"
                          "    op.drop_table(\"old\")\n"));
  dir.write("versions/b1.py",
            revision_file("b1", "a1",
                          "    op.alter_column(\"t\", \"name\", type_=sa.Text())\n"
                          "    op.drop_column(\"t\", \"name\")\n"));
  const auto r = check({(dir.path() / "versions" / "b1.py").string()});
  ASSERT_EQ(r.discovery.migrations.size(), 2u);
  EXPECT_FALSE(r.discovery.migrations[0].selected);
  EXPECT_EQ(test::count_rule(r.findings, "drop-table"), 0u); // a1 is context only
  EXPECT_EQ(test::count_rule(r.findings, "drop-column"), 1u);
  // a1's CREATE TABLE taught the column's type: varchar(20) -> text is binary-coercible.
  EXPECT_EQ(test::count_rule(r.findings, "change-column-type"), 0u);
}

TEST(AlembicDiscovery, DefaultsToAlembicIniHere) {
  TempDir dir;
  dir.write("alembic.ini", "[alembic]\nscript_location = migrations\n");
  dir.write("migrations/env.py", "");
  dir.write("migrations/versions/a1.py", revision_file("a1", "", "    op.drop_table(\"x\")\n"));
  const auto cwd = std::filesystem::current_path();
  std::filesystem::current_path(dir.path());
  const auto r = check({});
  std::filesystem::current_path(cwd);
  EXPECT_EQ(r.discovery.migrations.size(), 1u);
}

// --- project layouts: every way of naming the same project finds the same one ----------------

// The ids of the migrations discovery finds from `path`, with the current directory `cwd` (the
// path may be relative to it), after checking that every one is run by `config`.
std::vector<std::string> ids_from(const std::filesystem::path& cwd, const std::string& path,
                                  const std::string& config,
                                  std::vector<std::string>* notes = nullptr) {
  const auto before = std::filesystem::current_path();
  std::filesystem::current_path(cwd);
  const auto r = check({path});
  std::filesystem::current_path(before);
  std::vector<std::string> ids;
  for (const auto& m : r.discovery.migrations) {
    ids.push_back(m.id);
    EXPECT_EQ(m.project, config) << path;
    EXPECT_TRUE(std::filesystem::path(m.project).is_absolute()) << path;
  }
  for (const auto& f : r.findings) {
    EXPECT_NE(f.rule, "input-error") << path << ": " << f.message;
  }
  if (notes != nullptr) {
    *notes = r.discovery.notes;
  }
  return ids;
}

TEST(AlembicLayouts, FlaskMigrateIniWithoutScriptLocation) {
  // Flask-Migrate: alembic.ini beside env.py, no script_location; the directory is the script
  // directory. Next to it a helper script that is not a revision.
  TempDir dir;
  dir.write("app/migrations/alembic.ini", "[alembic]\n# template\n\n[loggers]\nkeys = root\n");
  dir.write("app/migrations/env.py", "from alembic import context\n");
  dir.write("app/migrations/upgrade_helper.py", "import os\nprint(os.getcwd())\n");
  dir.write("app/migrations/versions/a1_users.py", revision_file("a1", "", "    pass\n"));
  dir.write("app/migrations/versions/b2_drop.py",
            revision_file("b2", "a1", "    op.drop_table(\"x\")\n"));
  const std::string ini = (dir.path() / "app/migrations/alembic.ini").string();
  const std::vector<std::string> both = {"a1", "b2"};
  for (const auto& [cwd, path] : std::vector<std::pair<std::filesystem::path, std::string>>{
           {dir.path(), "app/migrations/alembic.ini"},
           {dir.path(), "app/migrations"},
           {dir.path(), "app"}, // the project directory
           {dir.path() / "app/migrations", "versions"},
           {dir.path() / "app/migrations/versions", "."},
           {dir.path(), (dir.path() / "app/migrations/").string()}}) {
    EXPECT_EQ(ids_from(cwd, path, ini), both) << path;
  }
  // A revision file brings its history as context; the helper is not a migration.
  EXPECT_EQ(ids_from(dir.path() / "app/migrations/versions", "b2_drop.py", ini), both);
  EXPECT_TRUE(ids_from(dir.path(), "app/migrations/upgrade_helper.py", ini).empty());
}

TEST(AlembicLayouts, ScriptLocationDotAndIniAboveTheScriptDirectory) {
  TempDir dir;
  // `script_location = .`: alembic.ini inside the script directory.
  dir.write("dot/alembic.ini", "[alembic]\nscript_location = .\n");
  dir.write("dot/env.py", "");
  dir.write("dot/versions/a1.py", revision_file("a1", "", "    pass\n"));
  const std::string dot_ini = (dir.path() / "dot/alembic.ini").string();
  for (const auto& [cwd, path] : std::vector<std::pair<std::filesystem::path, std::string>>{
           {dir.path() / "dot", "."},
           {dir.path() / "dot", "alembic.ini"},
           {dir.path() / "dot/versions", "."},
           {dir.path() / "dot/versions", "a1.py"},
           {dir.path(), "dot/versions/a1.py"}}) {
    EXPECT_EQ(ids_from(cwd, path, dot_ini), std::vector<std::string>{"a1"}) << cwd << " " << path;
  }
  // alembic.ini one level above the script directory (`%(here)s/alembic`): naming the script
  // directory or a revision finds the ini that points at it.
  dir.write("svc/alembic.ini", "[alembic]\nscript_location = %(here)s/alembic\n"
                               "prepend_sys_path = .\npath_separator = os\n");
  dir.write("svc/alembic/env.py", "");
  dir.write("svc/alembic/versions/a1.py", revision_file("a1", "", "    pass\n"));
  const std::string svc_ini = (dir.path() / "svc/alembic.ini").string();
  for (const std::string path : {"svc", "svc/alembic", "svc/alembic/versions/a1.py"}) {
    EXPECT_EQ(ids_from(dir.path(), path, svc_ini), std::vector<std::string>{"a1"}) << path;
  }
}

TEST(AlembicLayouts, PackageScriptLocationWithPerDialectVersions) {
  // prefect's layout: `package:path` script_location found on disk under src/, version
  // directories per dialect, of which postgresql/ is read (and the choice said once).
  TempDir dir;
  dir.write("src/pkg/__init__.py", "");
  dir.write("src/pkg/server/db/alembic.ini",
            "[alembic]\nscript_location = pkg:server:db:_migrations\nprepend_sys_path = .\n"
            "file_template = %%(year)d_%%(rev)s\npath_separator = os\n");
  dir.write("src/pkg/server/db/_migrations/env.py", "");
  dir.write("src/pkg/server/db/_migrations/versions/postgresql/2021_p1.py",
            revision_file("p1", "", "    op.drop_table(\"x\")\n"));
  dir.write("src/pkg/server/db/_migrations/versions/postgresql/2022_p2.py",
            revision_file("p2", "p1", "    pass\n"));
  dir.write("src/pkg/server/db/_migrations/versions/sqlite/2021_s1.py",
            revision_file("s1", "", "    op.drop_table(\"x\")\n"));
  const std::string ini = (dir.path() / "src/pkg/server/db/alembic.ini").string();
  const std::string db = "src/pkg/server/db/";
  const std::vector<std::string> postgres = {"p1", "p2"};
  for (const std::string& path :
       {db + "alembic.ini", db, db + "_migrations", db + "_migrations/versions",
        db + "_migrations/versions/postgresql",
        db + "_migrations/versions/postgresql/2022_p2.py"}) {
    std::vector<std::string> notes;
    EXPECT_EQ(ids_from(dir.path(), path, ini, &notes), postgres) << path;
    ASSERT_EQ(notes.size(), 1u) << path;
    EXPECT_NE(notes[0].find("per-dialect version directories (postgresql/, sqlite/): miglint "
                            "reads postgresql/ only"),
              std::string::npos)
        << notes[0];
  }
  // The other dialects' revisions belong to the project but are no PostgreSQL migrations.
  std::vector<std::string> notes;
  EXPECT_TRUE(
      ids_from(dir.path(), db + "_migrations/versions/sqlite/2021_s1.py", ini, &notes).empty());
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_NE(notes[0].find("another database's revisions"), std::string::npos) << notes[0];

  // The package found through prepend_sys_path instead (not under the ini nor in src/).
  dir.write("other/alembic.ini", "[alembic]\nscript_location = dbpkg.sub:migrations\n"
                                 "prepend_sys_path = ../lib\n");
  dir.write("lib/dbpkg/sub/migrations/env.py", "");
  dir.write("lib/dbpkg/sub/migrations/versions/a1.py", revision_file("a1", "", "    pass\n"));
  EXPECT_EQ(ids_from(dir.path(), "other/alembic.ini", (dir.path() / "other/alembic.ini").string()),
            std::vector<std::string>{"a1"});
  // A package that is nowhere: one input-error on the ini.
  dir.write("broken/alembic.ini", "[alembic]\nscript_location = nowhere:migrations\n");
  const auto r = check({(dir.path() / "broken/alembic.ini").string()});
  ASSERT_EQ(test::count_rule(r.findings, "input-error"), 1u);
  EXPECT_NE(find(r.findings, "input-error")->message.find("cannot find the package"),
            std::string::npos);
  EXPECT_EQ(find(r.findings, "input-error")->location.file->path(),
            (dir.path() / "broken/alembic.ini").string());
}

TEST(AlembicLayouts, VersionLocationsSeparatorsAndRecursion) {
  TempDir dir;
  dir.write("p/env.py", "");
  dir.write("p/v one/a1.py", revision_file("a1", "", "    pass\n"));
  dir.write("p/v2/2024/b1.py", revision_file("b1", "a1", "    pass\n"));
  dir.write("p/v2/2025/c1.py", revision_file("c1", "b1", "    pass\n"));
  const auto ids_of = [&](const std::string& ini_text) {
    dir.write("p/alembic.ini", ini_text);
    return ids_from(dir.path(), "p", (dir.path() / "p/alembic.ini").string());
  };
  const std::vector<std::string> all = {"a1", "b1", "c1"};
  // Alembic >= 1.16 path_separator, and the older version_path_separator.
  EXPECT_EQ(ids_of("[alembic]\nscript_location = %(here)s\npath_separator = ;\n"
                   "version_locations = %(here)s/v one;%(here)s/v2\n"
                   "recursive_version_locations = true\n"),
            all);
  EXPECT_EQ(ids_of("[alembic]\nscript_location = %(here)s\npath_separator = newline\n"
                   "version_locations =\n    %(here)s/v one\n    v2\n"
                   "recursive_version_locations = True\n"),
            all);
  EXPECT_EQ(ids_of("[alembic]\nscript_location = .\nversion_path_separator = os\n"
                   "version_locations = %(here)s/v one:%(here)s/v2\n"
                   "recursive_version_locations = 1\n"),
            all);
  // Not recursive: the revisions in subdirectories are not part of the history (b1 and c1 are
  // not read, so only a1).
  EXPECT_EQ(ids_of("[alembic]\nscript_location = .\npath_separator = ;\n"
                   "version_locations = v one;v2\n"),
            std::vector<std::string>{"a1"});
  // A revision file in a recursive location's subdirectory finds the project.
  dir.write("p/alembic.ini", "[alembic]\nscript_location = .\npath_separator = space\n"
                             "version_locations = v2\nrecursive_version_locations = true\n");
  EXPECT_EQ(ids_from(dir.path(), "p/v2/2025/c1.py", (dir.path() / "p/alembic.ini").string()),
            (std::vector<std::string>{"b1", "c1"}));
  // An unknown separator is one input-error naming it.
  dir.write("p/alembic.ini", "[alembic]\nscript_location = .\npath_separator = |\n");
  const auto r = check({(dir.path() / "p").string()});
  ASSERT_NE(find(r.findings, "input-error"), nullptr);
  EXPECT_NE(find(r.findings, "input-error")->message.find("unknown path_separator `|`"),
            std::string::npos);
}

// --- the revision graph -----------------------------------------------------------------------

TEST(AlembicGraph, MergesAndBranchesAreOrdered) {
  TempDir dir;
  dir.write("versions/1.py", revision_file("base", "", "    pass\n"));
  dir.write("versions/2.py", revision_file("left", "base", "    pass\n"));
  dir.write("versions/3.py", revision_file("right", "base", "    pass\n"));
  dir.write("versions/4.py", std::string(k_header) +
                                 "revision = 'merge'\ndown_revision = ('left', 'right')\n"
                                 "def upgrade():\n    pass\n");
  dir.write("versions/5.py", std::string(k_header) +
                                 "revision = 'dep'\ndown_revision = 'merge'\n"
                                 "depends_on = ('left',)\ndef upgrade():\n    pass\n");
  const auto r = check({(dir.path() / "versions").string()});
  std::vector<std::string> order;
  for (const auto& m : r.discovery.migrations) {
    order.push_back(m.id);
  }
  ASSERT_EQ(order.size(), 5u);
  auto index = [&](const std::string& id) {
    return std::find(order.begin(), order.end(), id) - order.begin();
  };
  EXPECT_LT(index("base"), index("left"));
  EXPECT_LT(index("base"), index("right"));
  EXPECT_LT(index("left"), index("merge"));
  EXPECT_LT(index("right"), index("merge"));
  EXPECT_LT(index("merge"), index("dep"));
  EXPECT_EQ(find(r.findings, "multiple-heads"), nullptr);
  EXPECT_EQ(r.discovery.migrations[index("merge")].parents,
            (std::vector<std::string>{"left", "right"}));
}

TEST(AlembicGraph, ProblemsAreReported) {
  TempDir dir;
  dir.write("versions/1.py", revision_file("a", "", "    pass\n"));
  dir.write("versions/2.py", revision_file("b", "a", "    pass\n"));
  dir.write("versions/3.py", revision_file("c", "a", "    pass\n"));
  dir.write("versions/4.py", revision_file("b", "a", "    pass\n"));
  dir.write("versions/5.py", revision_file("d", "missing", "    pass\n"));
  dir.write("versions/6.py", revision_file("x", "y", "    pass\n"));
  dir.write("versions/7.py", revision_file("y", "x", "    pass\n"));
  const auto r = check({(dir.path() / "versions").string()});
  const auto* heads = find(r.findings, "multiple-heads");
  ASSERT_NE(heads, nullptr);
  EXPECT_NE(heads->message.find("alembic merge"), std::string::npos);
  EXPECT_EQ(heads->severity, core::Severity::Error);
  const auto* dup = find(r.findings, "duplicate-revision");
  ASSERT_NE(dup, nullptr);
  EXPECT_EQ(dup->location.path(), (dir.path() / "versions" / "4.py").lexically_normal().string());
  const auto* missing = find(r.findings, "missing-down-revision");
  ASSERT_NE(missing, nullptr);
  EXPECT_EQ(missing->location.start().line, 5u); // the down_revision line
  EXPECT_NE(find(r.findings, "revision-cycle"), nullptr);
}

} // namespace
} // namespace miglint
