#include "lint/suppression.hpp"

#include "lint/catalog.hpp"
#include "lint/foreign_markers.hpp"

#include <algorithm>
#include <cstdint>

namespace miglint::lint {
namespace {

constexpr std::string_view k_invalid = "invalid-ignore-comment";

std::string_view trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t\r\n*");
  if (first == std::string_view::npos) {
    return {};
  }
  const auto last = s.find_last_not_of(" \t\r\n*");
  return s.substr(first, last - first + 1);
}

// Line numbers of byte offsets in the script (0-based; only compared with each other).
class Lines {
public:
  explicit Lines(std::string_view text) {
    for (uint32_t i = 0; i < text.size(); ++i) {
      if (text[i] == '\n' || (text[i] == '\r' && (i + 1 >= text.size() || text[i + 1] != '\n'))) {
        m_breaks.push_back(i);
      }
    }
  }
  size_t line_of(uint32_t offset) const {
    return static_cast<size_t>(std::lower_bound(m_breaks.begin(), m_breaks.end(), offset) -
                               m_breaks.begin());
  }

private:
  std::vector<uint32_t> m_breaks;
};

// Atlas's file-header form: the marker is the first thing in the script and, after any further
// comment lines, a blank line follows it before the first statement.
bool in_file_header(std::string_view sql, const sql::Comment& comment) {
  if (sql.substr(0, comment.span.begin).find_first_not_of(" \t\r\n") != std::string_view::npos) {
    return false;
  }
  size_t pos = sql.find('\n', comment.span.end);
  while (pos != std::string_view::npos) {
    const size_t begin = pos + 1;
    const size_t end = std::min(sql.find('\n', begin), sql.size());
    const std::string_view line = trim(sql.substr(begin, end - begin));
    if (line.empty()) {
      return true;
    }
    if (line.substr(0, 2) != "--") {
      return false;
    }
    pos = end < sql.size() ? end : std::string_view::npos;
  }
  return false;
}

} // namespace

Suppressions::Suppressions(const sql::ParsedScript& parsed, std::string_view sql,
                           const std::function<bool(std::string_view)>& is_known_rule,
                           std::vector<RawFinding>& problems, bool foreign_markers) {
  // Every statement a directive may point at, including those that failed to parse.
  std::vector<sql::Span> targets;
  for (const auto& s : parsed.statements) {
    targets.push_back(s.span);
  }
  for (const auto& e : parsed.errors) {
    targets.push_back(e.statement);
  }
  std::sort(targets.begin(), targets.end(),
            [](const sql::Span& a, const sql::Span& b) { return a.begin < b.begin; });
  const Lines lines(sql);

  // The first statement that starts after a comment.
  auto next_target = [&](const sql::Comment& comment) {
    return std::find_if(targets.begin(), targets.end(),
                        [&](const sql::Span& s) { return s.begin >= comment.span.end; });
  };
  constexpr size_t k_none = SIZE_MAX;
  size_t open_block = k_none; // index of a safety-assured block not closed yet
  for (const auto& comment : parsed.comments) {
    std::string_view text = trim(comment.text);
    if (foreign_markers) {
      if (auto marker = parse_foreign_marker(text)) {
        if (marker->scope == MarkerScope::BlockEnd) {
          if (open_block != k_none) {
            m_directives[open_block].block_end = comment.span.begin;
            open_block = k_none;
          }
          continue;
        }
        Directive d;
        d.tool = marker->tool;
        for (const auto& code : marker->codes) {
          for (const auto id : rules_for_code(marker->tool, code)) {
            d.rules.emplace_back(id);
          }
        }
        if (!marker->codes.empty() && d.rules.empty()) {
          continue; // only codes miglint has no rule for
        }
        if (marker->scope == MarkerScope::File ||
            (marker->tool == "atlas" && in_file_header(sql, comment))) {
          d.whole_file = true;
        } else if (marker->scope == MarkerScope::BlockStart) {
          d.statement_begin = comment.span.end;
          d.block_end = static_cast<uint32_t>(sql.size());
          m_directives.push_back(std::move(d));
          open_block = m_directives.size() - 1;
          continue;
        } else {
          const auto next = next_target(comment);
          if (next == targets.end()) {
            continue;
          }
          d.statement_begin = next->begin;
        }
        m_directives.push_back(std::move(d));
        continue;
      }
    }
    if (text.substr(0, 8) != "miglint:") {
      continue;
    }
    text = trim(text.substr(8));
    Directive d;
    if (text.substr(0, 11) == "ignore-file") {
      d.whole_file = true;
      text = text.substr(11);
    } else if (text.substr(0, 6) == "ignore") {
      text = text.substr(6);
    } else {
      problems.push_back({std::string(k_invalid),
                          comment.span,
                          comment.span.begin,
                          "unknown miglint directive; expected `miglint: ignore <rule-id>` or "
                          "`miglint: ignore-file <rule-id>`",
                          {}});
      continue;
    }
    if (auto reason = text.find("--"); reason != std::string_view::npos) {
      text = text.substr(0, reason);
    }
    std::string id;
    auto flush = [&] {
      if (id.empty()) {
        return;
      }
      if (is_known_rule(id)) {
        d.rules.push_back(id);
      } else {
        problems.push_back({std::string(k_invalid),
                            comment.span,
                            comment.span.begin,
                            "`" + id + "` is not a miglint rule; this ignore has no effect",
                            {}});
      }
      id.clear();
    };
    for (char c : text) {
      if (c == ',' || c == ' ' || c == '\t') {
        flush();
      } else {
        id += c;
      }
    }
    flush();
    if (d.rules.empty() && !d.whole_file) {
      if (trim(text).empty()) {
        problems.push_back({std::string(k_invalid),
                            comment.span,
                            comment.span.begin,
                            "`miglint: ignore` names no rule; write the rule ids to ignore",
                            {}});
      }
      continue;
    }
    if (!d.whole_file) {
      // A comment on the last line of the statement before it belongs to that statement;
      // otherwise it applies to the next statement.
      const size_t line = lines.line_of(comment.span.begin);
      auto next = std::find_if(targets.begin(), targets.end(),
                               [&](const sql::Span& s) { return s.begin >= comment.span.end; });
      if (next != targets.begin()) {
        const auto& prev = *(next - 1);
        if (prev.end <= comment.span.begin && lines.line_of(prev.end) == line) {
          d.statement_begin = prev.begin;
          m_directives.push_back(std::move(d));
          continue;
        }
      }
      if (next == targets.end()) {
        continue; // nothing follows: no statement to ignore
      }
      d.statement_begin = next->begin;
    }
    m_directives.push_back(std::move(d));
  }
}

Suppressions::By Suppressions::suppressed_by(const RawFinding& finding) const {
  By by = By::Nothing;
  for (const auto& d : m_directives) {
    const bool here =
        d.whole_file || (d.block_end > 0 ? finding.statement_begin >= d.statement_begin &&
                                               finding.statement_begin < d.block_end &&
                                               finding.statement_begin != k_no_statement
                                         : d.statement_begin == finding.statement_begin);
    if (!here) {
      continue;
    }
    const bool rule =
        d.rules.empty() || std::find(d.rules.begin(), d.rules.end(), finding.rule) != d.rules.end();
    if (!rule) {
      continue;
    }
    if (d.tool.empty()) {
      return By::Miglint;
    }
    // Other tools reviewed statements against their own checks: what miglint's static rules
    // say about SQL, never its engine, Alembic or round-trip findings.
    const RuleDoc* doc = find_rule_doc(finding.rule);
    if (doc != nullptr && doc->kind == RuleKind::Static) {
      by = By::ForeignMarker;
    }
  }
  return by;
}

} // namespace miglint::lint
