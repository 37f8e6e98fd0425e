#pragma once

#include "alembic/revision.hpp"

#include <vector>

namespace miglint::alembic {

struct GraphResult {
  std::vector<const Revision*> order;  // parents before children (a topological order)
  std::vector<core::Finding> findings; // multiple-heads, missing-down-revision,
                                       // duplicate-revision, revision-cycle
};

// Checks the revision graph and orders it for upgrading: merges, branches and depends_on work.
GraphResult order_revisions(const std::vector<const Revision*>& revisions);

} // namespace miglint::alembic
