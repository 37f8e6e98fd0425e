// Fuzz target: bytes as an Alembic revision file -> the Python subset reader -> the translator
// (upgrade and downgrade, without and with schema facts) -> the SQL layer and the rules, and the
// same bytes as an env.py. Seeds: the Python files of tests/fixtures and migrations/.

#include "alembic/env.hpp"
#include "alembic/revision.hpp"
#include "alembic/schema_facts.hpp"
#include "alembic/translate.hpp"
#include "fuzz_support.hpp"
#include "lint/linter.hpp"
#include "sql/parser.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

using namespace miglint;

namespace {

// What an inspector sees in the history before the fuzzed revision.
const alembic::SchemaFacts& base_schema() {
  static const alembic::SchemaFacts facts = [] {
    alembic::SchemaFacts f;
    alembic::learn(f, sql::parse("CREATE TABLE users (id bigint PRIMARY KEY, email varchar(255) "
                                 "NOT NULL UNIQUE, status text DEFAULT 'new');\n"
                                 "CREATE INDEX ix_users_status ON users (status);\n"
                                 "CREATE TYPE mood AS ENUM ('sad', 'ok');\n"
                                 "CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint "
                                 "REFERENCES users (id) ON DELETE CASCADE, CHECK (id > 0));\n"));
    return f;
  }();
  return facts;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  const alembic::Env env = alembic::read_env(text);

  auto file = std::make_shared<core::SourceFile>("versions/fuzz.py", text);
  const auto revision = alembic::read_revision(file);
  size_t sum = fuzz::touch(revision->findings);

  source::Migration m;
  m.id = revision->id;
  m.name = "fuzz";
  m.layout = "alembic";
  m.parents = revision->down;
  m.session_settings = env.session_settings;
  m.findings = revision->findings;
  bool asked = false;
  for (const auto phase : {core::Phase::Upgrade, core::Phase::Downgrade}) {
    alembic::Translation t = alembic::translate(*revision, phase, nullptr, &env.naming_convention);
    asked = asked || t.asked_schema;
    (phase == core::Phase::Upgrade ? m.upgrade : m.downgrade) = std::move(t.script);
    m.findings.insert(m.findings.end(), t.findings.begin(), t.findings.end());
  }
  if (asked) { // as the history answers it: the facts of the revisions before it
    alembic::Translation up =
        alembic::translate(*revision, core::Phase::Upgrade, &base_schema(), &env.naming_convention);
    m.upgrade = std::move(up.script);
    m.findings.insert(m.findings.end(), up.findings.begin(), up.findings.end());
    alembic::SchemaFacts after = base_schema();
    if (m.upgrade) {
      alembic::learn(after, sql::parse(m.upgrade->sql));
    }
    alembic::Translation down =
        alembic::translate(*revision, core::Phase::Downgrade, &after, &env.naming_convention);
    m.downgrade = std::move(down.script);
    m.findings.insert(m.findings.end(), down.findings.begin(), down.findings.end());
  }
  sum += fuzz::touch(m.findings);

  lint::LintOptions options;
  options.downgrade = true;
  const lint::Linter linter(options);
  std::vector<source::Migration> history;
  history.push_back(std::move(m));
  auto findings = linter.lint(history);
  linter.finish(history.front().findings);
  sum += fuzz::touch(findings) + fuzz::touch(history.front().findings);
  return sum == SIZE_MAX ? -1 : 0; // the sum keeps the work from being optimised away
}
