#include "lint/foreign_markers.hpp"

#include <algorithm>
#include <cctype>

namespace miglint::lint {

// Each code of another tool and the miglint rules that report the same hazard. Codes whose
// concern no miglint rule shares are left out (they cover nothing): atlas MF101/MF102/MF104
// (statements that may fail on existing data: a unique index over duplicates, SET NOT NULL over
// NULLs; miglint's rules on those statements are about their locks and scans, which the marker
// did not review), CD101, NM*, PG110; squawk's style rules (prefer-*, ban-char-field, ...);
// eugene's E3, E4, W12-W14, E15.
//
// Sources: atlas, doc/md/lint/analyzers.mdx (checks table); squawk, crates/squawk_linter
// (Rule names); eugene, eugene/src/hint_data.rs.
const std::vector<CodeMapping>& foreign_code_table() {
  static const std::vector<CodeMapping> table = {
      // atlas: codes
      {"atlas", "BC101", "rename-table"},
      {"atlas", "BC102", "rename-column"},
      {"atlas", "DS102", "drop-table"},
      {"atlas", "DS103", "drop-column rename-as-drop-add"},
      {"atlas", "MF103", "add-column-not-null-no-default"},
      {"atlas", "PG101", "create-index-non-concurrent"},
      {"atlas", "PG102", "drop-index-non-concurrent"},
      {"atlas", "PG103", "concurrently-in-transaction"},
      {"atlas", "PG104", "add-primary-key"},
      {"atlas", "PG105", "add-unique-constraint"},
      {"atlas", "PG301", "change-column-type"},
      {"atlas", "PG302", "add-column-volatile-default"},
      {"atlas", "PG303", "set-not-null"},
      {"atlas", "PG304", "add-primary-key"},
      {"atlas", "PG305", "add-check-constraint"},
      // atlas: analyzer names, which cover their codes
      {"atlas", "destructive", "drop-table drop-column rename-as-drop-add"},
      {"atlas", "data_depend", "add-column-not-null-no-default"},
      {"atlas", "incompatible", "rename-table rename-column"},
      {"atlas", "concurrent_index",
       "create-index-non-concurrent drop-index-non-concurrent concurrently-in-transaction"},
      // squawk
      {"squawk", "adding-field-with-default", "add-column-volatile-default"},
      {"squawk", "adding-foreign-key-constraint", "add-foreign-key"},
      {"squawk", "adding-not-nullable-field", "set-not-null"},
      {"squawk", "adding-required-field", "add-column-not-null-no-default"},
      {"squawk", "adding-serial-primary-key-field", "add-primary-key add-column-serial"},
      {"squawk", "ban-concurrent-index-creation-in-transaction", "concurrently-in-transaction"},
      {"squawk", "ban-drop-column", "drop-column rename-as-drop-add"},
      {"squawk", "ban-drop-table", "drop-table"},
      {"squawk", "ban-truncate-cascade", "truncate"},
      {"squawk", "changing-column-type", "change-column-type"},
      {"squawk", "constraint-missing-not-valid", "add-check-constraint add-foreign-key"},
      {"squawk", "disallowed-unique-constraint", "add-unique-constraint"},
      {"squawk", "renaming-column", "rename-column"},
      {"squawk", "renaming-table", "rename-table"},
      {"squawk", "require-concurrent-index-creation", "create-index-non-concurrent"},
      {"squawk", "require-concurrent-index-deletion", "drop-index-non-concurrent"},
      {"squawk", "require-timeout-settings", "missing-lock-timeout"},
      {"squawk", "require-lock-timeout", "missing-lock-timeout"},
      // eugene
      {"eugene", "E1", "add-check-constraint add-foreign-key"},
      {"eugene", "E2", "set-not-null"},
      {"eugene", "E5", "change-column-type"},
      {"eugene", "E6", "create-index-non-concurrent"},
      {"eugene", "E7", "add-unique-constraint"},
      {"eugene", "E9", "missing-lock-timeout"},
      {"eugene", "E10",
       "change-column-type add-column-volatile-default add-column-serial "
       "add-column-stored-generated"},
      {"eugene", "E11", "add-column-serial add-column-stored-generated"},
  };
  return table;
}

namespace {

std::string_view trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t\r\n*");
  if (first == std::string_view::npos) {
    return {};
  }
  const auto last = s.find_last_not_of(" \t\r\n*");
  return s.substr(first, last - first + 1);
}

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

// Codes separated by spaces and/or commas.
std::vector<std::string> codes_of(std::string_view text) {
  std::vector<std::string> out;
  std::string code;
  for (char c : text) {
    if (c == ',' || c == ' ' || c == '\t') {
      if (!code.empty()) {
        out.push_back(std::move(code));
        code.clear();
      }
    } else {
      code += c;
    }
  }
  if (!code.empty()) {
    out.push_back(std::move(code));
  }
  return out;
}

// What follows a marker word: nothing, or codes after whitespace (not `atlas:nolintx`).
std::optional<std::string_view> after_word(std::string_view text, std::string_view word) {
  if (!starts_with(text, word)) {
    return std::nullopt;
  }
  const std::string_view rest = text.substr(word.size());
  if (!rest.empty() && rest.front() != ' ' && rest.front() != '\t') {
    return std::nullopt;
  }
  return trim(rest);
}

} // namespace

std::optional<ForeignMarker> parse_foreign_marker(std::string_view comment) {
  const std::string_view text = trim(comment);
  if (auto rest = after_word(text, "atlas:nolint")) {
    return ForeignMarker{"atlas", MarkerScope::Statement, codes_of(*rest)};
  }
  if (auto rest = after_word(text, "squawk-ignore-file")) {
    return ForeignMarker{"squawk", MarkerScope::File, codes_of(*rest)};
  }
  if (auto rest = after_word(text, "squawk-ignore")) {
    return ForeignMarker{"squawk", MarkerScope::Statement, codes_of(*rest)};
  }
  if (auto rest = after_word(text, "eugene:")) {
    if (auto ids = after_word(*rest, "ignore")) {
      return ForeignMarker{"eugene", MarkerScope::Statement, codes_of(*ids)};
    }
    return std::nullopt;
  }
  if (after_word(text, "safety-assured:start")) {
    return ForeignMarker{"diesel-guard", MarkerScope::BlockStart, {}};
  }
  if (after_word(text, "safety-assured:end")) {
    return ForeignMarker{"diesel-guard", MarkerScope::BlockEnd, {}};
  }
  return std::nullopt;
}

std::vector<std::string_view> rules_for_code(std::string_view tool, std::string_view code) {
  std::string wanted(code);
  if (tool == "atlas" || tool == "eugene") { // codes are upper case (analyzer names are not)
    const bool is_code = std::any_of(wanted.begin(), wanted.end(),
                                     [](unsigned char c) { return std::isdigit(c) != 0; });
    if (is_code) {
      std::transform(wanted.begin(), wanted.end(), wanted.begin(),
                     [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    }
  }
  // eugene accepts bare numbers (`-- eugene: ignore 6`).
  const bool digits =
      !wanted.empty() && std::all_of(wanted.begin(), wanted.end(),
                                     [](unsigned char c) { return std::isdigit(c) != 0; });
  std::vector<std::string_view> out;
  for (const auto& m : foreign_code_table()) {
    const bool same = m.code == wanted || (tool == "eugene" && digits && m.code.size() > 1 &&
                                           m.code.substr(1) == wanted);
    if (m.tool != tool || !same) {
      continue;
    }
    std::string_view ids = m.rules;
    while (!ids.empty()) {
      const auto space = ids.find(' ');
      out.push_back(ids.substr(0, space));
      ids = space == std::string_view::npos ? std::string_view() : ids.substr(space + 1);
    }
  }
  return out;
}

} // namespace miglint::lint
