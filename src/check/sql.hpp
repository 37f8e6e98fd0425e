#pragma once

#include "check/check.hpp"
#include "core/finding.hpp"

#include <ostream>
#include <string>
#include <vector>

namespace miglint::check {

// `miglint sql`: the SQL miglint derives from each reported migration under `paths` for `phase`,
// on `out`: a `-- migration ID (phase)` header, the migration's translation notes, then every
// statement (and unparsable piece) in script order, each preceded by `-- file:line` of where it
// comes from (for Alembic: the op.* call, or the line inside op.execute). Input errors go to
// `log` as file:line: message. Status::Usage when a path does not exist.
Status write_sql(const std::vector<std::string>& paths, core::Phase phase, std::ostream& out,
                 std::ostream& log);

} // namespace miglint::check
