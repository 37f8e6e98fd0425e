#pragma once

#include "core/finding.hpp"
#include "source/migration.hpp"

#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace miglint::alembic {

// Where an Alembic project keeps its revisions.
struct Project {
  std::vector<std::filesystem::path> version_dirs;
  // What runs it: the alembic.ini it came from, else the script directory (env.py), else "".
  std::string config;
};

// An Alembic project at `path`: an alembic.ini (its script_location and version_locations,
// with %(here)s), a directory holding one, a script directory (env.py + versions/), or a
// versions directory (holding revision files). Problems reading alembic.ini go to `findings`.
std::optional<Project> find_project(const std::filesystem::path& path,
                                    std::vector<core::Finding>& findings);

// Whether a .py file is an Alembic revision (a module-level `revision = ...`).
bool is_revision_file(const std::filesystem::path& path);

struct Loaded {
  std::vector<source::Migration> migrations; // in upgrade order
  std::vector<core::Finding> findings;       // graph problems, unreadable files
};

// Reads every revision of the project and orders them. With `selected` non-empty, only those
// files' migrations are selected for reporting; the others are read as context.
Loaded load_project(const Project& project, const std::set<std::string>& selected);

} // namespace miglint::alembic
