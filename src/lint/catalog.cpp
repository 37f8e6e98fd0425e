#include "lint/catalog.hpp"

#include <algorithm>

namespace miglint::lint {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t eol = text.find('\n', pos);
    if (eol == std::string_view::npos) {
      if (pos < text.size()) {
        lines.push_back(text.substr(pos));
      }
      break;
    }
    lines.push_back(text.substr(pos, eol - pos));
    pos = eol + 1;
  }
  return lines;
}

} // namespace

RuleDoc parse_rule_doc(std::string_view stem, std::string_view text) {
  RuleDoc doc;
  auto lines = split_lines(text);
  size_t i = 0;
  if (lines.empty() || trim(lines[0]) != "---") {
    doc.errors.push_back("no front matter (the file must start with ---)");
    doc.id = std::string(stem);
    return doc;
  }
  for (i = 1; i < lines.size() && trim(lines[i]) != "---"; ++i) {
    auto line = trim(lines[i]);
    auto colon = line.find(':');
    if (line.empty()) {
      continue;
    }
    if (colon == std::string_view::npos) {
      doc.errors.push_back("front matter line without `key:`: " + std::string(line));
      continue;
    }
    auto key = trim(line.substr(0, colon));
    auto value = std::string(trim(line.substr(colon + 1)));
    if (key == "id") {
      doc.id = value;
    } else if (key == "severity") {
      if (auto s = core::parse_severity(value)) {
        doc.severity = *s;
      } else {
        doc.errors.push_back("unknown severity: " + value);
      }
    } else if (key == "summary") {
      doc.summary = value;
    } else if (key == "help") {
      doc.help = value;
    } else if (key == "kind") {
      if (value == "static" || value == "alembic" || value == "graph" || value == "round-trip" ||
          value == "engine") {
        doc.kind = value;
      } else {
        doc.errors.push_back("kind must be static, alembic, graph, round-trip or engine, not " +
                             value);
      }
    } else if (key == "tags") {
      size_t start = 0;
      while (start <= value.size()) {
        const size_t comma = std::min(value.find(',', start), value.size());
        const auto tag = trim(std::string_view(value).substr(start, comma - start));
        if (!tag.empty()) {
          doc.tags.emplace_back(tag);
        }
        start = comma + 1;
      }
    } else if (key == "enabled") {
      // Off by default (style rules): read by the catalog's users, not here.
    } else if (key == "locks") {
      if (value == "true" || value == "false") {
        doc.locks = value == "true";
      } else {
        doc.errors.push_back("locks must be true or false, not " + value);
      }
    } else {
      doc.errors.push_back("unknown front matter key: " + std::string(key));
    }
  }
  if (i >= lines.size()) {
    doc.errors.push_back("front matter is not closed with ---");
  }
  for (size_t j = i + 1; j < lines.size(); ++j) {
    doc.body += lines[j];
    doc.body += '\n';
  }
  // Examples: ```sql bad / ```sql good fenced blocks.
  std::vector<std::string>* current = nullptr;
  std::string block;
  for (size_t j = i + 1; j < lines.size(); ++j) {
    auto line = trim(lines[j]);
    if (current == nullptr) {
      if (line == "```sql bad") {
        current = &doc.bad_examples;
      } else if (line == "```sql good") {
        current = &doc.good_examples;
      } else if (line == "```python bad") {
        current = &doc.bad_python;
      } else if (line == "```python good") {
        current = &doc.good_python;
      }
    } else if (line == "```") {
      current->push_back(block);
      block.clear();
      current = nullptr;
    } else {
      block += lines[j];
      block += '\n';
    }
  }
  if (doc.id != stem) {
    doc.errors.push_back("id `" + doc.id + "` does not match the file name `" + std::string(stem) +
                         ".md`");
  }
  if (doc.summary.empty()) {
    doc.errors.push_back("no summary");
  }
  if (doc.help.empty()) {
    doc.errors.push_back("no help");
  }
  return doc;
}

bool RuleDoc::has_tag(std::string_view tag) const {
  return (tag == "locks" && locks) || std::find(tags.begin(), tags.end(), tag) != tags.end();
}

const std::vector<RuleDoc>& rule_docs() {
  static const std::vector<RuleDoc> docs = [] {
    std::vector<RuleDoc> out;
    for (const auto& e : embedded_docs()) {
      if (e.file_stem == "README") {
        continue; // rules/README.md documents the format
      }
      out.push_back(parse_rule_doc(e.file_stem, e.text));
    }
    std::sort(out.begin(), out.end(),
              [](const RuleDoc& a, const RuleDoc& b) { return a.id < b.id; });
    return out;
  }();
  return docs;
}

const RuleDoc* find_rule_doc(std::string_view id) {
  const auto& docs = rule_docs();
  auto it = std::lower_bound(docs.begin(), docs.end(), id,
                             [](const RuleDoc& d, std::string_view key) { return d.id < key; });
  return it != docs.end() && it->id == id ? &*it : nullptr;
}

void apply_catalog(std::vector<core::Finding>& findings) {
  for (auto& f : findings) {
    if (const RuleDoc* doc = find_rule_doc(f.rule)) {
      f.severity = doc->severity;
      if (f.help.empty()) {
        f.help = doc->help;
      }
    }
  }
}

} // namespace miglint::lint
