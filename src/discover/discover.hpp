#pragma once

#include "core/finding.hpp"
#include "source/migration.hpp"

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace miglint::discover {

struct Discovery {
  std::vector<source::Migration> migrations; // in application order
  std::vector<core::Finding> findings;       // unreadable or malformed inputs (rule `input-error`)
  std::vector<std::string> usage_errors;     // paths that do not exist: exit code 2
  // How the inputs were read, worth saying once (stderr): "versions has per-dialect version
  // directories (postgresql/, sqlite/): miglint reads postgresql/ only".
  std::vector<std::string> notes;
};

// Recognises, reads and orders the migrations under `paths` (files or directories):
//  - Alembic projects: an ini, a directory holding one, a script directory or a versions
//    directory, or single revision files (the rest of their history is read for the graph), in
//    every layout alembic::find_project knows; Python files that belong to no Alembic history
//    (env.py, application code) are skipped silently;
//  - `NNN_name.up.sql` / `NNN_name.down.sql` pairs (golang-migrate, sqlx reversible);
//  - one directory per migration with `up.sql` / `down.sql` (Diesel, sqlx), `metadata.toml`;
//  - dbmate files with `-- migrate:up` / `-- migrate:down` sections;
//  - versioned `.sql` files (`0001_x.sql`, `V2__x.sql`) as upgrade-only migrations;
//  - any `.sql` file named explicitly, as one upgrade script.
// Other files found while walking a directory are not migrations and are skipped silently.
// With no paths: alembic.ini in the current directory, else migrations/, else alembic/.
Discovery discover(const std::vector<std::string>& paths);

// Reports only the migrations whose files pass `keep` (and the input errors of files that pass);
// the others stay in the history as context: their schema is still learnt and, in the
// round-trip, they are applied without being stepped.
void narrow(Discovery& discovery,
            const std::function<bool(const std::vector<std::string>& files)>& keep);

// The version prefix of a migration file or directory name ("2017-09-23-123456_x" ->
// "2017-09-23-123456"), or empty if there is none.
std::string version_prefix(std::string_view name);
// Orders two versions numerically with separators ignored ("2017-09-23-1" vs "20170804").
bool version_less(std::string_view a, std::string_view b);

} // namespace miglint::discover
