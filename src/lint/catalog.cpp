#include "lint/catalog.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <utility>

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

constexpr std::pair<RuleKind, std::string_view> k_kinds[] = {
    {RuleKind::Static, "static"},        {RuleKind::Alembic, "alembic"}, {RuleKind::Graph, "graph"},
    {RuleKind::RoundTrip, "round-trip"}, {RuleKind::Engine, "engine"},
};

std::optional<RuleKind> parse_kind(std::string_view s) {
  for (const auto& [kind, name] : k_kinds) {
    if (name == s) {
      return kind;
    }
  }
  return std::nullopt;
}

} // namespace

std::string_view to_string(RuleKind kind) {
  for (const auto& [k, name] : k_kinds) {
    if (k == kind) {
      return name;
    }
  }
  return "static";
}

bool RuleDoc::has_tag(std::string_view tag) const {
  return std::find(tags.begin(), tags.end(), tag) != tags.end();
}

std::string RuleDoc::section(std::string_view heading) const {
  const auto lines = split_lines(body);
  std::string out;
  bool inside = false;
  for (const auto line : lines) {
    if (line.starts_with("## ")) {
      if (inside) {
        break;
      }
      inside = trim(line.substr(3)) == heading;
      continue;
    }
    if (inside && !(out.empty() && trim(line).empty())) {
      out += line;
      out += '\n';
    }
  }
  while (out.ends_with("\n\n")) {
    out.pop_back();
  }
  return out;
}

RuleDoc parse_rule_doc(std::string_view stem, std::string_view text) {
  RuleDoc doc;
  auto lines = split_lines(text);
  size_t i = 0;
  bool has_kind = false;
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
      has_kind = true;
      if (auto k = parse_kind(value)) {
        doc.kind = *k;
      } else {
        doc.errors.push_back("unknown kind: " + value +
                             " (static, alembic, graph, round-trip or engine)");
      }
    } else if (key == "tags") {
      for (std::string_view rest = value; !rest.empty();) {
        auto comma = rest.find(',');
        auto tag = trim(rest.substr(0, comma));
        if (tag != "locks" && tag != "style" && tag != "alembic" && tag != "data-loss") {
          doc.errors.push_back("unknown tag: " + std::string(tag) +
                               " (locks, data-loss, style or alembic)");
        } else {
          doc.tags.emplace_back(tag);
        }
        rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
      }
    } else if (key == "subsumes") {
      for (std::string_view rest = value; !rest.empty();) {
        const auto comma = rest.find(',');
        doc.subsumes.emplace_back(trim(rest.substr(0, comma)));
        rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
      }
    } else if (key == "enabled") {
      if (value == "true" || value == "false") {
        doc.enabled = value == "true";
      } else {
        doc.errors.push_back("enabled must be true or false, not " + value);
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
  const std::string why = doc.section("Rationale");
  doc.rationale = why.substr(0, why.find("\n\n"));
  while (doc.rationale.ends_with('\n')) {
    doc.rationale.pop_back();
  }
  std::replace(doc.rationale.begin(), doc.rationale.end(), '\n', ' ');
  if (doc.id != stem) {
    doc.errors.push_back("id `" + doc.id + "` does not match the file name `" + std::string(stem) +
                         ".md`");
  }
  if (!has_kind) {
    doc.errors.push_back("no kind (static, alembic, graph, round-trip or engine)");
  }
  if (doc.summary.empty()) {
    doc.errors.push_back("no summary");
  }
  if (doc.help.empty()) {
    doc.errors.push_back("no help");
  }
  return doc;
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

std::vector<RuleDoc> read_rule_docs(const std::string& directory) {
  std::vector<RuleDoc> out;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(directory, ec)) {
    const auto& path = entry.path();
    if (path.extension() != ".md" || path.stem() == "README") {
      continue;
    }
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    out.push_back(parse_rule_doc(path.stem().string(), text.str()));
  }
  std::sort(out.begin(), out.end(), [](const RuleDoc& a, const RuleDoc& b) { return a.id < b.id; });
  return out;
}

std::string rule_table_markdown(const std::vector<RuleDoc>& docs) {
  std::string out = "| rule | severity | what it flags |\n|---|---|---|\n";
  for (const auto& d : docs) {
    out += "| [`" + d.id + "`](rules/" + d.id + ".md) | " +
           std::string(core::to_string(d.severity)) + (d.enabled ? "" : ", off by default") +
           " | " + d.summary + " |\n";
  }
  return out;
}

std::string rule_list(const std::vector<RuleDoc>& docs, std::string_view format) {
  if (format == "markdown") {
    return rule_table_markdown(docs);
  }
  if (format == "json") {
    nlohmann::ordered_json out = nlohmann::ordered_json::array();
    for (const auto& d : docs) {
      out.push_back({{"id", d.id},
                     {"severity", core::to_string(d.severity)},
                     {"kind", to_string(d.kind)},
                     {"tags", d.tags},
                     {"enabled", d.enabled},
                     {"summary", d.summary},
                     {"help", d.help}});
    }
    return out.dump(2) + "\n";
  }
  size_t width = 0;
  for (const auto& d : docs) {
    width = std::max(width, d.id.size());
  }
  std::string out;
  for (const auto& d : docs) {
    const std::string severity(core::to_string(d.severity));
    out += d.id + std::string(width + 2 - d.id.size(), ' ') + severity +
           std::string(9 - severity.size(), ' ') + (d.enabled ? "" : "(off by default) ") +
           d.summary + "\n";
  }
  return out;
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
