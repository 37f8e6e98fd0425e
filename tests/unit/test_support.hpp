#pragma once

// Helpers shared by the unit tests.

#include "core/finding.hpp"
#include "lint/linter.hpp"
#include "source/migration.hpp"

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace miglint::test {

// One migration whose upgrade script is `sql`, in a file called `path`.
inline source::Migration migration_of(const std::string& sql,
                                      source::TxMode tx = source::TxMode::PerScript,
                                      const std::string& path = "test.sql",
                                      const std::string& id = "0001") {
  auto file = std::make_shared<core::SourceFile>(path, sql);
  source::Migration m;
  m.id = id;
  m.name = id;
  m.upgrade = source::Script{
      sql, source::OriginMap::verbatim(file, 0, static_cast<uint32_t>(sql.size())), tx};
  return m;
}

// Lints `sql` with every rule, as one migration per part between `-- next migration` lines
// (so examples can show a history).
inline std::vector<core::Finding> lint_sql(const std::string& sql, int pg_version = 15,
                                           source::TxMode tx = source::TxMode::PerScript) {
  const std::string separator = "-- next migration\n";
  std::vector<source::Migration> migrations;
  size_t begin = 0;
  while (true) {
    const size_t at = sql.find(separator, begin);
    const std::string part =
        sql.substr(begin, at == std::string::npos ? std::string::npos : at - begin);
    migrations.push_back(migration_of(part, tx, "test.sql", std::to_string(migrations.size() + 1)));
    if (at == std::string::npos) {
      break;
    }
    begin = at + separator.size();
  }
  lint::LintOptions options;
  options.pg_version = pg_version;
  return lint::Linter(options).lint(migrations);
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

} // namespace miglint::test
