#pragma once

// Helpers shared by the unit tests.

#include "core/finding.hpp"
#include "discover/discover.hpp"
#include "lint/linter.hpp"
#include "source/migration.hpp"

#include <cstdio>
#include <filesystem>
#include <memory>
#include <set>
#include <string>
#include <sys/wait.h>
#include <vector>

namespace miglint::test {

// An Alembic revision file: the first of a history, creating a `users` table.
inline constexpr const char* k_users_revision = R"py(from alembic import op
import sqlalchemy as sa

revision = "a1"
down_revision = None


def upgrade():
    op.create_table("users", sa.Column("id", sa.Integer, primary_key=True))


def downgrade():
    op.drop_table("users")
)py";

// A script that is the byte range [begin, end) of `file`.
inline source::Script script_of(const core::SourceFilePtr& file, size_t begin, size_t end,
                                source::TxMode tx) {
  const auto b = static_cast<uint32_t>(begin);
  const auto e = static_cast<uint32_t>(end);
  return source::Script{file->text().substr(begin, end - begin),
                        source::OriginMap::verbatim(file, b, e - b),
                        tx,
                        {file, b, b},
                        {},
                        {}};
}

// One migration whose upgrade script is `sql`, in a file called `path`.
inline source::Migration migration_of(const std::string& sql,
                                      source::TxMode tx = source::TxMode::PerScript,
                                      const std::string& path = "test.sql",
                                      const std::string& id = "0001") {
  auto file = std::make_shared<core::SourceFile>(path, sql);
  source::Migration m;
  m.id = id;
  m.name = id;
  m.upgrade = script_of(file, 0, sql.size(), tx);
  return m;
}

// Splits a text into migrations: a `-- next migration` line starts another one, a `-- downgrade`
// line starts the current one's downgrade script. Offsets stay those of the one file.
inline std::vector<source::Migration> history_of(const core::SourceFilePtr& file, size_t begin,
                                                 size_t end, source::TxMode tx) {
  std::vector<source::Migration> out(1);
  out.back().id = out.back().name = "1";
  const std::string& text = file->text();
  size_t part = begin;
  bool down = false;
  auto close = [&](size_t at) {
    (down ? out.back().downgrade : out.back().upgrade) = script_of(file, part, at, tx);
  };
  for (size_t pos = begin; pos < end;) {
    const size_t eol = text.find('\n', pos);
    const size_t next = eol == std::string::npos || eol >= end ? end : eol + 1;
    const std::string_view line = std::string_view(text).substr(pos, next - pos);
    const bool new_migration = line.rfind("-- next migration", 0) == 0;
    if (new_migration || line.rfind("-- downgrade", 0) == 0) {
      close(pos);
      if (new_migration) {
        out.emplace_back();
        out.back().id = out.back().name = std::to_string(out.size());
      }
      down = !new_migration;
      part = next;
    }
    pos = next;
  }
  close(end);
  return out;
}

// Lints `sql` with every rule on by default (and those `extend` names) and both phases, as the
// history `history_of` reads in it.
inline std::vector<core::Finding> lint_sql(const std::string& sql, int pg_version = 15,
                                           source::TxMode tx = source::TxMode::PerScript,
                                           const std::set<std::string, std::less<>>& extend = {}) {
  auto file = std::make_shared<core::SourceFile>("test.sql", sql);
  lint::LintOptions options;
  options.pg_version = pg_version;
  options.downgrade = true;
  options.selection.extend = extend;
  return lint::Linter(options).lint(history_of(file, 0, sql.size(), tx));
}

inline std::vector<std::string> rules_of(const std::vector<core::Finding>& findings) {
  std::vector<std::string> out;
  for (const auto& f : findings) {
    out.push_back(f.rule);
  }
  return out;
}

inline size_t count_rule(const std::vector<core::Finding>& findings, const std::string& rule) {
  size_t n = 0;
  for (const auto& f : findings) {
    n += f.rule == rule ? 1 : 0;
  }
  return n;
}

struct ShellResult {
  int exit_code = -1;
  std::string out; // the command's stdout
};

// Discovers `paths` and lints every migration (both phases unless `downgrade` is false), as
// `miglint check` does: the discovery, and the findings of the rules and of discovery together.
struct Checked {
  discover::Discovery discovery;
  std::vector<core::Finding> findings;
};

inline Checked discover_and_lint(const std::vector<std::string>& paths, bool downgrade = true,
                                 const std::set<std::string, std::less<>>& extend = {}) {
  Checked r;
  r.discovery = discover::discover(paths);
  lint::LintOptions options;
  options.downgrade = downgrade;
  options.selection.extend = extend;
  const lint::Linter linter(options);
  r.findings = linter.lint(r.discovery.migrations);
  auto extra = r.discovery.findings;
  linter.finish(extra);
  r.findings.insert(r.findings.end(), extra.begin(), extra.end());
  return r;
}

// Runs a shell command line and captures its stdout.
inline ShellResult run_shell(const std::string& command) {
  ShellResult r;
  FILE* pipe = popen(command.c_str(), "r");
  char buf[4096];
  size_t n = 0;
  while ((n = fread(buf, 1, sizeof buf, pipe)) > 0) {
    r.out.append(buf, n);
  }
  const int status = pclose(pipe);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

// Runs the miglint binary with `args` (a shell-quoted string) in `cwd`; stderr goes to stdout.
inline ShellResult run_miglint(const std::string& args, const std::string& cwd = ".") {
  return run_shell("cd '" + cwd + "' && '" + std::string(MIGLINT_BINARY) + "' " + args + " 2>&1");
}

// A temporary directory removed at the end of the test.
class TempDir {
public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "miglint-test-XXXXXX").string();
    m_path = mkdtemp(tmpl.data());
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(m_path, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return m_path; }
  // Writes `text` to `relative` (creating directories) and returns the full path.
  std::filesystem::path write(const std::string& relative, const std::string& text) const;

private:
  std::filesystem::path m_path;
};

inline std::filesystem::path TempDir::write(const std::string& relative,
                                            const std::string& text) const {
  auto p = m_path / relative;
  std::filesystem::create_directories(p.parent_path());
  FILE* f = fopen(p.c_str(), "wb");
  fwrite(text.data(), 1, text.size(), f);
  fclose(f);
  return p;
}

// What a run of the binary gave: its exit code, stdout and stderr apart.
struct Outcome {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs the miglint binary with `args` (a shell-quoted string) in `cwd`, stdout and stderr apart.
inline Outcome run_binary(const std::string& args, const std::filesystem::path& cwd) {
  TempDir tmp;
  const std::string err_file = (tmp.path() / "err").string();
  const auto r = run_shell("cd '" + cwd.string() + "' && '" + std::string(MIGLINT_BINARY) + "' " +
                           args + " 2>'" + err_file + "'");
  FILE* f = fopen(err_file.c_str(), "rb");
  std::string err;
  char buf[4096];
  size_t n = 0;
  while (f != nullptr && (n = fread(buf, 1, sizeof buf, f)) > 0) {
    err.append(buf, n);
  }
  if (f != nullptr) {
    fclose(f);
  }
  return {r.exit_code, r.out, err};
}

// A two-migration golang-migrate history in `dir`/migrations: 001 creates `users`, 002 adds a
// NOT NULL column without a default (one add-column-not-null-no-default), then `extra_002`.
inline void write_users_history(const TempDir& dir, const std::string& extra_002 = "") {
  dir.write("migrations/001_init.up.sql",
            "CREATE TABLE users (id bigint PRIMARY KEY, email varchar(100));\n");
  dir.write("migrations/001_init.down.sql", "DROP TABLE users;\n");
  dir.write("migrations/002_add.up.sql",
            "SET lock_timeout = '5s';\n"
            "ALTER TABLE users ADD COLUMN created_at timestamptz NOT NULL;\n" +
                extra_002);
  dir.write("migrations/002_add.down.sql", "ALTER TABLE users DROP COLUMN created_at;\n");
}

} // namespace miglint::test
