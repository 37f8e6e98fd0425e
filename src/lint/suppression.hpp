#pragma once

#include "lint/context.hpp"
#include "sql/statement.hpp"

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace miglint::lint {

// `-- miglint: ignore <id>[, <id>…] [-- reason]` on the line(s) before a statement or after it on
// its last line, and `-- miglint: ignore-file [<id>…]` anywhere (no ids: every rule). Block
// comments work too. With `foreign_markers`, also the reviewed markers of other linters
// (lint/foreign_markers.hpp) for the static rules their codes correspond to.
class Suppressions {
public:
  // Reads the script's comments. Directives naming unknown rules, or none, are reported as
  // `invalid-ignore-comment` findings appended to `problems` (other tools' markers never are).
  Suppressions(const sql::ParsedScript& parsed, std::string_view sql,
               const std::function<bool(std::string_view)>& is_known_rule,
               std::vector<RawFinding>& problems, bool foreign_markers = false);

  enum class By { Nothing, Miglint, ForeignMarker };
  // What silences the finding: a miglint directive first, else another tool's marker.
  By suppressed_by(const RawFinding& finding) const;
  bool suppresses(const RawFinding& finding) const { return suppressed_by(finding) != By::Nothing; }

  struct Directive {
    std::vector<std::string> rules; // empty: all rules (with whole_file, or a foreign marker)
    bool whole_file = false;
    uint32_t statement_begin = 0; // the statement it applies to (not for whole_file)
    // A foreign block (safety-assured:start ... :end): the statements that start in
    // [statement_begin, block_end); 0 for a single statement.
    uint32_t block_end = 0;
    std::string tool; // empty: miglint's own directive; else the tool whose marker it is
  };
  const std::vector<Directive>& directives() const { return m_directives; }

private:
  std::vector<Directive> m_directives;
};

} // namespace miglint::lint
