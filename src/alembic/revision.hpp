#pragma once

#include "core/finding.hpp"
#include "python/ast.hpp"

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace miglint::alembic {

// One Alembic revision file, read statically: nothing in it is executed.
struct Revision {
  core::SourceFilePtr file;
  python::Module module;
  bool is_revision = false; // a module-level `revision = ...`: otherwise env.py or a helper
  std::string id;
  std::vector<std::string> down;       // down_revision: none (root), one, or several (merge)
  std::vector<std::string> depends_on; // depends_on
  std::vector<std::string> branch_labels;
  python::Span id_span;                    // the `revision = ...` statement
  python::Span down_span;                  // the `down_revision = ...` statement
  const python::Stmt* upgrade = nullptr;   // def upgrade()
  const python::Stmt* downgrade = nullptr; // def downgrade()
  // What local names stand for: "sa" -> "sqlalchemy", "Column" -> "sqlalchemy.Column",
  // "op" -> "alembic.op".
  std::map<std::string, std::string, std::less<>> aliases;
  std::vector<core::Finding> findings; // syntax errors and unreadable metadata
};

// Parses `file` as Python and reads the revision metadata. Syntax errors become `input-error`
// findings with their line; the rest of the file is still read.
std::unique_ptr<Revision> read_revision(core::SourceFilePtr file);

// Whether the bytes are valid UTF-8 (Python source must be).
bool is_valid_utf8(std::string_view text, size_t* bad_offset = nullptr);

// A finding of `rule` on a span of a revision file.
core::Finding finding_at(const core::SourceFilePtr& file, python::Span span, std::string rule,
                         std::string message);

} // namespace miglint::alembic
