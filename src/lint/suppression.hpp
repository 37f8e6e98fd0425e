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
// comments work too.
class Suppressions {
public:
  // Reads the script's comments. Directives naming unknown rules, or none, are reported as
  // `invalid-ignore-comment` findings appended to `problems`.
  Suppressions(const sql::ParsedScript& parsed, std::string_view sql,
               const std::function<bool(std::string_view)>& is_known_rule,
               std::vector<RawFinding>& problems);

  bool suppresses(const RawFinding& finding) const;

  struct Directive {
    std::vector<std::string> rules; // empty with whole_file: all rules
    bool whole_file = false;
    uint32_t statement_begin = 0; // the statement it applies to (not for whole_file)
  };
  const std::vector<Directive>& directives() const { return m_directives; }

private:
  std::vector<Directive> m_directives;
};

} // namespace miglint::lint
