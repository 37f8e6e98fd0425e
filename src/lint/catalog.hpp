#pragma once

#include "core/finding.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace miglint::lint {

// rules/<id>.md as compiled into the binary (generated: see cmake/embed_rules.cmake).
struct EmbeddedDoc {
  std::string_view file_stem;
  std::string_view text;
};
const std::vector<EmbeddedDoc>& embedded_docs();

// A rule's documentation: the front matter between `---` lines (one `key: value` a line) and the
// Markdown body. All prose about a rule lives there, never in C++.
struct RuleDoc {
  std::string id;
  core::Severity severity = core::Severity::Warning;
  std::string summary; // one sentence: what the rule flags
  std::string help;    // one line: what to do instead
  std::string body;    // Markdown after the front matter
  // `locks: true`: the rule is about the lock or rewrite a statement takes, so the round-trip's
  // observation of that statement confirms its finding.
  bool locks = false;
  // `kind: static|alembic|graph|round-trip|engine` (empty when not given).
  std::string kind;
  // `tags: locks, data-loss`: `locks` as `locks: true`; `data-loss` = the round-trip's observed
  // data loss on the statement's line confirms the finding (--with-data); `style`.
  std::vector<std::string> tags;
  // Whether the doc has the tag (`locks: true` counts as the tag "locks").
  bool has_tag(std::string_view tag) const;
  std::vector<std::string> bad_examples;  // ```sql bad blocks
  std::vector<std::string> good_examples; // ```sql good blocks
  // ```python bad / good blocks: Alembic revision files (`# file: name.py` lines separate several)
  std::vector<std::string> bad_python;
  std::vector<std::string> good_python;
  std::vector<std::string> errors; // problems in the doc itself (checked by the tests)
};

RuleDoc parse_rule_doc(std::string_view stem, std::string_view text);

// Every documented rule, sorted by id.
const std::vector<RuleDoc>& rule_docs();
const RuleDoc* find_rule_doc(std::string_view id);

// Fills in each finding's severity and help from the catalog (the one place that does).
void apply_catalog(std::vector<core::Finding>& findings);

} // namespace miglint::lint
