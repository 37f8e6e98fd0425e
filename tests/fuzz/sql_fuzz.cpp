// Fuzz target: bytes as SQL migrations -> split and parse (libpg_query) -> the typed model ->
// the rules with their context, suppressions, schema facts and the canonical form. A line
// starting `-- next migration` starts another migration of the history and `-- downgrade` the
// current one's downgrade (as the rule fixtures in tests/rules are read). Seeds: tests/rules,
// the ```sql blocks of rules/*.md, the SQL of migrations/.

#include "alembic/schema_facts.hpp"
#include "fuzz_support.hpp"
#include "lint/linter.hpp"
#include "sql/canonical.hpp"
#include "sql/parser.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

using namespace miglint;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  size_t sum = 0;

  // The transaction mode and target version vary with the input, deterministically.
  static constexpr std::array<source::TxMode, 3> k_modes = {
      source::TxMode::PerScript, source::TxMode::Implicit, source::TxMode::None};
  static constexpr std::array<int, 4> k_versions = {15, 11, 13, 18};
  const source::TxMode tx = k_modes[size % k_modes.size()];
  const int pg_version = k_versions[(size / 3) % k_versions.size()];

  std::vector<source::Migration> history;
  alembic::SchemaFacts facts;
  const auto file = std::make_shared<core::SourceFile>("fuzz.sql", text);
  for (const auto& part : fuzz::split_at(text, "-- next migration")) {
    source::Migration m;
    m.id = m.name = std::to_string(history.size() + 1);
    const auto scripts = fuzz::split_at(part.text, "-- downgrade", part.offset);
    for (size_t i = 0; i < scripts.size() && i < 2; ++i) {
      const std::string sql(scripts[i].text);
      const uint32_t at = scripts[i].offset;
      source::Script s{sql,
                       source::OriginMap::verbatim(file, at, static_cast<uint32_t>(sql.size())),
                       tx,
                       core::Location{file, at, at},
                       {}};
      (i == 0 ? m.upgrade : m.downgrade) = std::move(s);
      const sql::ParsedScript parsed = sql::parse(sql);
      sum += parsed.statements.size() + parsed.errors.size();
      alembic::learn(facts, parsed);
    }
    history.push_back(std::move(m));
  }
  if (const auto canonical = sql::canonical_statements(text)) {
    sum += canonical->size();
  }

  lint::LintOptions options;
  options.pg_version = pg_version;
  options.downgrade = true;
  const lint::Linter linter(options);
  auto findings = linter.lint(history);
  lint::Linter::suppress(findings, history);
  sum += fuzz::touch(findings) + facts.tables.size();
  return sum == SIZE_MAX ? -1 : 0; // the sum keeps the work from being optimised away
}
