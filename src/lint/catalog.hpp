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

enum class RuleKind { Static, Alembic, Graph, RoundTrip, Engine };
std::string_view to_string(RuleKind kind); // "static", "alembic", "graph", "round-trip", "engine"

// A rule's documentation: the front matter between `---` lines (one `key: value` a line) and the
// Markdown body. All prose about a rule lives there, never in C++.
struct RuleDoc {
  std::string id;
  core::Severity severity = core::Severity::Warning;
  std::string summary; // one sentence: what the rule flags
  std::string help;    // one line: what to do instead
  std::string body;    // Markdown after the front matter
  // Where the rule runs, from `kind:`: `static` (a lint rule over parsed SQL), `alembic` (reading
  // revision files), `graph` (the revision graph), `round-trip` (running migrations on a server),
  // `engine` (miglint's own input and suppression handling).
  RuleKind kind = RuleKind::Static;
  // `tags:` (comma-separated). `locks`: the rule is about the lock or rewrite a statement takes, so
  // the round-trip's observation of that statement confirms its finding. `style`: the style group.
  // `alembic`: about what Alembic (autogenerate) writes.
  // `data-loss`: about lost data, so the round-trip's observed data loss on the statement's line
  // (--with-data) confirms its finding.
  std::vector<std::string> tags;
  // `subsumes:` (comma-separated rule ids): a finding of this rule replaces one of each of these
  // on the same span, because its message says what theirs says and more (rename-as-drop-add
  // subsumes drop-column and drop-table).
  std::vector<std::string> subsumes;
  // `enabled: false`: off unless selected (`--select`, config `select`).
  bool enabled = true;
  bool has_tag(std::string_view tag) const;
  // The body's `## <heading>` section, up to the next `## ` heading, without its heading line
  // and the blank lines around it; "" when the body has none. section("Rationale") = why.
  std::string section(std::string_view heading) const;
  // The first paragraph of the Rationale on one line: SARIF's fullDescription adds it.
  std::string rationale;
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

// Reads every <id>.md of a directory (rules/README.md aside), sorted by id: the docs on disk
// rather than those compiled in. Errors of each doc are in its `errors`; a directory that
// cannot be read gives an empty list.
std::vector<RuleDoc> read_rule_docs(const std::string& directory);

// The README's rule table, what `miglint rules --format markdown` prints: a header and one row per
// rule, `| [`id`](rules/id.md) | severity | summary |`, the severity cell saying
// "off by default" for rules with `enabled: false`. Ends with a newline.
std::string rule_table_markdown(const std::vector<RuleDoc>& docs = rule_docs());

// `miglint rules`: the docs as "text" (one aligned line per rule, rules off by default marked),
// "json" (an array of {id, severity, kind, tags, enabled, summary, help}) or "markdown"
// (rule_table_markdown).
std::string rule_list(const std::vector<RuleDoc>& docs, std::string_view format);

// Fills in each finding's severity and help from the catalog (the one place that does).
void apply_catalog(std::vector<core::Finding>& findings);

} // namespace miglint::lint
