#pragma once

#include "alembic/env.hpp"
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
  // The directories read for revisions, in the form the user named the project: relative to the
  // current directory when the path given was relative, absolute otherwise. Per-dialect version
  // directories are already narrowed to postgresql/.
  std::vector<std::filesystem::path> version_dirs;
  // What runs it, as an absolute path: the alembic.ini it came from, else the script directory
  // (env.py), else "" (a lone versions directory).
  std::string config;
  // The script directory (holding env.py), absolute; empty when there is none.
  std::filesystem::path script_dir;
  bool recursive = false; // recursive_version_locations: revisions in subdirectories too
  // The version locations as configured (before per-dialect narrowing), absolute, and the
  // dialect subdirectories left out: a path under one of those belongs to the project but is
  // not a PostgreSQL migration.
  std::vector<std::filesystem::path> locations;
  std::vector<std::filesystem::path> other_dialects;
  // What env.py sets up for every migration (empty without env.py), read statically.
  Env env;
  // Things worth telling the user once about how the project was read ("reading postgresql/").
  std::vector<std::string> notes;
};

// The Alembic project at or around `path`:
//  - an ini file with an [alembic] section (alembic.ini or any `-c` file): its script_location
//    (a path, `%(here)s/...` or `package:path`, found on disk without importing Python),
//    version_locations (split by path_separator / version_path_separator) and
//    recursive_version_locations; without script_location the ini's own directory when it holds
//    env.py (Flask-Migrate);
//  - a directory holding such an alembic.ini, or holding migrations/ or alembic/ that is one;
//  - a script directory (env.py): the alembic.ini in it or above it that points at it, else the
//    directory with its versions/;
//  - a versions directory or a revision file: the project found in or above it whose version
//    locations hold it, else the directory itself as a history.
// Returns nullopt when `path` is not part of an Alembic project, and also for files of a
// per-dialect project's other dialects (then with a note in `notes`). Problems reading an ini
// (unreadable, no script_location, a package or versions directory that does not exist) go to
// `findings` as `input-error` on the ini.
std::optional<Project> find_project(const std::filesystem::path& path,
                                    std::vector<core::Finding>& findings,
                                    std::vector<std::string>* notes = nullptr);

// Whether a .py file is an Alembic revision (a module-level `revision = ...`).
bool is_revision_file(const std::filesystem::path& path);

// `path` as an absolute, lexically normal path without a trailing separator.
std::filesystem::path absolute_path(const std::filesystem::path& path);

struct Loaded {
  std::vector<source::Migration> migrations; // in upgrade order
  std::vector<core::Finding> findings;       // graph problems, unreadable files
};

// Reads every revision of the project and orders them. With `selected` non-empty (absolute paths
// as absolute_path gives them), only those files' migrations are selected for reporting; the
// others are read as context. Each migration carries the session settings of the project's
// env.py.
Loaded load_project(const Project& project, const std::set<std::string>& selected);

} // namespace miglint::alembic
