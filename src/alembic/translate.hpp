#pragma once

#include "alembic/revision.hpp"
#include "source/migration.hpp"

#include <optional>
#include <vector>

namespace miglint::alembic {

struct Translation {
  std::optional<source::Script> script; // absent when the function is not defined
  std::vector<core::Finding> findings;  // `unanalyzable-code`, `drop-constraint-without-name`
};

// Translates `def upgrade()` or `def downgrade()` into the PostgreSQL statements Alembic would
// run, the way SQLAlchemy's PostgreSQL dialect renders them. Each statement maps back to the
// `op.*` call it came from, and SQL in `op.execute("...")` into the string literal. Code it
// cannot understand becomes an `unanalyzable-code` finding at its line; `# miglint:` comments
// become SQL comments, so suppressions work as in SQL files.
Translation translate(const Revision& revision, core::Phase phase);

} // namespace miglint::alembic
