// Fuzz target: bytes as an alembic.ini -> the INI reader ([alembic] section, continuation lines,
// %(here)s interpolation, path separators, package:path locations) -> the project it names ->
// its revisions. The ini sits in a private scratch directory with an env.py, a versions/
// directory with one revision, and a package with a per-dialect versions directory, so that
// the locations the fuzzer writes can be found. Seeds: the .ini files of tests/fixtures and
// migrations/.

#include "alembic/project.hpp"
#include "fuzz_support.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

using namespace miglint;

namespace {

const fuzz::ScratchDir& project_dir() {
  static const fuzz::ScratchDir dir;
  static const bool laid = [] {
    const char* revision =
        "revision = 'a1'\ndown_revision = None\n\n"
        "def upgrade():\n    op.create_table('t', sa.Column('id', sa.Integer))\n";
    dir.write("env.py", "from alembic import context\n"
                        "context.configure(transaction_per_migration=True)\n");
    dir.write("versions/a1_first.py", revision);
    dir.write("pkg/__init__.py", "");
    dir.write("pkg/migrations/env.py", "");
    dir.write("pkg/migrations/versions/postgresql/a1_first.py", revision);
    dir.write("pkg/migrations/versions/sqlite/a1_first.py", revision);
    return true;
  }();
  (void)laid;
  return dir;
}

// Whether every directory the project reads lies in the scratch directory: a fuzzed
// `version_locations = /` must not walk the machine.
bool confined(const alembic::Project& project, const std::filesystem::path& root) {
  for (const auto& dir : project.version_dirs) {
    const auto rel = alembic::absolute_path(dir).lexically_relative(root);
    if (rel.empty() || *rel.begin() == "..") {
      return false;
    }
  }
  return true;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto& dir = project_dir();
  const auto ini =
      dir.write("alembic.ini", std::string_view(reinterpret_cast<const char*>(data), size));
  std::vector<core::Finding> findings;
  std::vector<std::string> notes;
  size_t sum = 0;
  if (const auto project = alembic::find_project(ini, findings, &notes)) {
    sum += project->version_dirs.size() + project->env.session_settings.size();
    if (confined(*project, dir.path())) {
      const auto loaded = alembic::load_project(*project, {});
      sum += loaded.migrations.size() + fuzz::touch(loaded.findings);
    }
  }
  sum += fuzz::touch(findings) + notes.size();
  return sum == SIZE_MAX ? -1 : 0; // the sum keeps the work from being optimised away
}
