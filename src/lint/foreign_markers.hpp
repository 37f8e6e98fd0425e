#pragma once

// Reviewed markers of other migration linters. Teams that move to miglint have already accepted
// findings with their previous tool's comments; miglint honours those comments, by default, for
// the miglint rules the other tool's codes correspond to (configuration: `foreign-markers`).
//
//   -- atlas:nolint [CODE|ANALYZER ...]      the next statement; in the file header (followed by
//                                            a blank line), the whole file
//                                            (atlasgo.io/lint/analyzers)
//   -- squawk-ignore [rule, ...]             the next statement (squawkhq.com, "ignore")
//   -- squawk-ignore-file [rule, ...]        the whole file
//   -- eugene: ignore [E1, ...]              the next statement (kaveland/eugene, comments.rs)
//   -- safety-assured:start / :end           every statement between them (diesel-guard)
//
// A marker without codes covers every static miglint rule; codes miglint has no rule for cover
// nothing. The mapping is the table in foreign_markers.cpp.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace miglint::lint {

enum class MarkerScope {
  Statement,  // the statement after the comment
  File,       // the whole script
  BlockStart, // the statements up to the matching BlockEnd (or the end of the script)
  BlockEnd,
};

struct ForeignMarker {
  std::string tool; // "atlas", "squawk", "eugene", "diesel-guard"
  MarkerScope scope = MarkerScope::Statement;
  std::vector<std::string> codes; // as written; empty: every rule
};

// The marker a comment's text (without `--` or `/* */`) is, if any. Atlas's file-header form is
// decided by the caller (it depends on where the comment is), so `atlas:nolint` always parses
// as MarkerScope::Statement.
std::optional<ForeignMarker> parse_foreign_marker(std::string_view comment);

// The miglint rule ids a tool's code stands for; empty for codes without a miglint counterpart.
std::vector<std::string_view> rules_for_code(std::string_view tool, std::string_view code);

// Every (tool, code, rule) of the mapping table, for its tests and docs.
struct CodeMapping {
  std::string_view tool;
  std::string_view code;
  std::string_view rules; // space-separated miglint rule ids
};
const std::vector<CodeMapping>& foreign_code_table();

} // namespace miglint::lint
