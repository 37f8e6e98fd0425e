#pragma once

#include "core/process.hpp"
#include "roundtrip/runner.hpp"
#include "roundtrip/server.hpp"

#include <cstdio>
#include <memory>
#include <string>

namespace miglint::roundtrip {

// Runs Alembic revisions online with the project's own Alembic and env.py, through the embedded
// driver (alembic_driver.py), one process for the whole run.
class AlembicRunner final : public Runner {
public:
  // `python` may be empty: then $VIRTUAL_ENV/bin/python, python3, /usr/bin/python3, the first
  // that imports alembic. nullptr with `error` set when no interpreter or driver works.
  static std::unique_ptr<AlembicRunner> start(const std::string& python, const std::string& project,
                                              const Server& server, std::string& error);
  ~AlembicRunner() override;
  StepResult apply(const source::Migration& migration, core::Phase phase) override;
  void reconnect() override {}

  const std::string& versions() const { return m_versions; } // "Alembic 1.8.1, Python 3.11.2"

private:
  AlembicRunner() = default;

  core::TempDir m_dir{"miglint-driver-"};
  std::optional<core::Process> m_process;
  FILE* m_out = nullptr;
  std::string m_versions;
};

// The first interpreter that imports alembic, or "" (with what was tried in `tried`).
std::string find_python(const std::string& requested, std::string& tried);

} // namespace miglint::roundtrip
