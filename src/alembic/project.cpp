#include "alembic/project.hpp"

#include "alembic/graph.hpp"
#include "alembic/translate.hpp"
#include "core/file.hpp"
#include "core/parallel.hpp"

#include <algorithm>
#include <map>
#include <sstream>

namespace miglint::alembic {
namespace fs = std::filesystem;

namespace {

std::string display(const fs::path& p) {
  auto s = p.lexically_normal().generic_string();
  return s.empty() ? std::string(".") : s;
}

std::string read_text(const fs::path& p, bool& ok) {
  auto text = core::read_file(p);
  ok = text.has_value();
  return text ? std::move(*text) : std::string();
}

std::string trim(std::string s) {
  const auto b = s.find_first_not_of(" \t\r");
  const auto e = s.find_last_not_of(" \t\r");
  return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}

// The [alembic] section of an INI file (ConfigParser syntax, enough of it for these keys).
std::map<std::string, std::string> read_alembic_section(const std::string& text) {
  std::map<std::string, std::string> values;
  std::istringstream in(text);
  std::string line;
  std::string section;
  std::string last_key;
  while (std::getline(in, line)) {
    if (!line.empty() && (line[0] == ' ' || line[0] == '\t') && !last_key.empty() &&
        section == "alembic" && !trim(line).empty() && trim(line)[0] != '#') {
      values[last_key] += "\n" + trim(line); // continuation line
      continue;
    }
    line = trim(line);
    if (line.empty() || line[0] == '#' || line[0] == ';') {
      continue;
    }
    if (line.front() == '[' && line.back() == ']') {
      section = line.substr(1, line.size() - 2);
      last_key.clear();
      continue;
    }
    const auto eq = line.find_first_of("=:");
    if (section != "alembic" || eq == std::string::npos) {
      continue;
    }
    last_key = trim(line.substr(0, eq));
    values[last_key] = trim(line.substr(eq + 1));
  }
  return values;
}

std::string substitute_here(std::string value, const fs::path& here) {
  const std::string key = "%(here)s";
  for (auto pos = value.find(key); pos != std::string::npos; pos = value.find(key)) {
    value.replace(pos, key.size(), here.string());
  }
  return value;
}

std::vector<std::string> split_locations(const std::string& value, const std::string& separator) {
  std::vector<std::string> out;
  std::string current;
  auto is_sep = [&](char c) {
    if (separator == "os" || separator == ":") {
      return c == ':';
    }
    if (separator == ";") {
      return c == ';';
    }
    if (separator == "newline") {
      return c == '\n';
    }
    return c == ' ' || c == ',' || c == '\n'; // "space" and the legacy default
  };
  for (char c : value) {
    if (is_sep(c)) {
      if (!trim(current).empty()) {
        out.push_back(trim(current));
      }
      current.clear();
    } else {
      current += c;
    }
  }
  if (!trim(current).empty()) {
    out.push_back(trim(current));
  }
  return out;
}

// Relative locations in alembic.ini are relative to where alembic runs; that is nearly always the
// ini's directory, so try it first and the current directory second.
fs::path resolve_location(const std::string& location, const fs::path& ini_dir) {
  fs::path p(location);
  if (p.is_absolute()) {
    return p;
  }
  std::error_code ec;
  if (fs::exists(ini_dir / p, ec)) {
    return ini_dir / p;
  }
  return p;
}

std::optional<Project> project_from_ini(const fs::path& ini, std::vector<core::Finding>& findings) {
  bool ok = false;
  const std::string text = read_text(ini, ok);
  auto problem = [&](std::string message) {
    core::Finding f;
    f.rule = "input-error";
    f.message = std::move(message);
    f.location.file = std::make_shared<core::SourceFile>(display(ini), text);
    findings.push_back(std::move(f));
  };
  if (!ok) {
    problem("cannot read " + display(ini));
    return std::nullopt;
  }
  const auto values = read_alembic_section(text);
  const fs::path here = ini.parent_path().empty() ? fs::path(".") : ini.parent_path();
  auto it = values.find("script_location");
  if (it == values.end()) {
    problem(display(ini) + " has no [alembic] script_location");
    return std::nullopt;
  }
  Project project;
  project.config = display(ini);
  const fs::path script_dir = resolve_location(substitute_here(it->second, here), here);
  if (auto loc = values.find("version_locations"); loc != values.end()) {
    const auto sep = values.contains("version_path_separator") ? values.at("version_path_separator")
                                                               : std::string("legacy");
    for (const auto& l : split_locations(substitute_here(loc->second, here), sep)) {
      project.version_dirs.push_back(resolve_location(l, here));
    }
  } else {
    project.version_dirs.push_back(script_dir / "versions");
  }
  std::error_code ec;
  for (const auto& dir : project.version_dirs) {
    if (!fs::is_directory(dir, ec)) {
      problem(display(ini) + ": the versions directory " + display(dir) + " does not exist");
    }
  }
  return project;
}

// The script directory (with env.py) above a versions directory, or "" when there is none.
std::string script_dir_of(const fs::path& versions) {
  std::error_code ec;
  // "versions" (relative) is below the current directory; "." is the current directory.
  const fs::path normal = versions.lexically_normal();
  const fs::path parent = !normal.parent_path().empty()     ? normal.parent_path()
                          : normal == "." || normal.empty() ? fs::path("..")
                                                            : fs::path(".");
  return fs::is_regular_file(parent / "env.py", ec) ? display(parent) : std::string();
}

} // namespace

bool is_revision_file(const fs::path& path) {
  if (path.extension() != ".py") {
    return false;
  }
  bool ok = false;
  const std::string text = read_text(path, ok);
  if (!ok) {
    return false;
  }
  // A cheap look for a module-level `revision` assignment; the parser confirms it later.
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("revision", 0) == 0) {
      const auto rest = line.find_first_not_of(" \t", 8);
      if (rest != std::string::npos && (line[rest] == '=' || line[rest] == ':')) {
        return true;
      }
    }
  }
  return false;
}

std::optional<Project> find_project(const fs::path& path, std::vector<core::Finding>& findings) {
  std::error_code ec;
  if (fs::is_regular_file(path, ec)) {
    if (path.filename() == "alembic.ini") {
      return project_from_ini(path, findings);
    }
    if (is_revision_file(path)) {
      const fs::path dir = path.parent_path().empty() ? fs::path(".") : path.parent_path();
      return Project{{dir}, script_dir_of(dir)};
    }
    return std::nullopt;
  }
  if (!fs::is_directory(path, ec)) {
    return std::nullopt;
  }
  if (fs::is_regular_file(path / "alembic.ini", ec)) {
    return project_from_ini(path / "alembic.ini", findings);
  }
  if (fs::is_regular_file(path / "env.py", ec) && fs::is_directory(path / "versions", ec)) {
    return Project{{path / "versions"}, display(path)};
  }
  for (const auto& entry : fs::directory_iterator(path, ec)) {
    if (entry.is_regular_file() && is_revision_file(entry.path())) {
      return Project{{path}, script_dir_of(path)};
    }
  }
  return std::nullopt;
}

Loaded load_project(const Project& project, const std::set<std::string>& selected) {
  Loaded out;
  std::vector<fs::path> files;
  for (const auto& dir : project.version_dirs) {
    std::error_code ec;
    std::vector<fs::path> in_dir;
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
      if (entry.is_regular_file() && entry.path().extension() == ".py") {
        in_dir.push_back(entry.path());
      }
    }
    std::sort(in_dir.begin(), in_dir.end());
    files.insert(files.end(), in_dir.begin(), in_dir.end());
  }
  // Reading and parsing each file is independent of the others: done in parallel.
  std::vector<std::unique_ptr<Revision>> parsed(files.size());
  std::vector<std::optional<core::Finding>> unreadable(files.size());
  core::parallel_for(files.size(), [&](size_t i) {
    bool ok = false;
    std::string text = read_text(files[i], ok);
    auto file = std::make_shared<core::SourceFile>(display(files[i]), std::move(text));
    if (!ok) {
      core::Finding f;
      f.rule = "input-error";
      f.message = "cannot read " + display(files[i]);
      f.location.file = file;
      unreadable[i] = std::move(f);
      return;
    }
    parsed[i] = read_revision(file);
  });
  std::vector<std::unique_ptr<Revision>> revisions;
  for (size_t i = 0; i < files.size(); ++i) {
    if (unreadable[i]) {
      out.findings.push_back(std::move(*unreadable[i]));
    } else if (parsed[i]->is_revision) { // not __init__.py or a helper
      revisions.push_back(std::move(parsed[i]));
    }
  }
  std::vector<const Revision*> view;
  for (const auto& r : revisions) {
    view.push_back(r.get());
  }
  GraphResult graph = order_revisions(view);
  out.findings.insert(out.findings.end(), graph.findings.begin(), graph.findings.end());
  out.migrations.resize(graph.order.size());
  core::parallel_for(graph.order.size(), [&](size_t i) {
    const Revision* rev = graph.order[i];
    source::Migration& m = out.migrations[i];
    m.id = rev->id;
    m.name = fs::path(rev->file->path()).stem().string();
    m.layout = "alembic";
    m.parents = rev->down;
    m.project = project.config;
    m.selected = selected.empty() || selected.contains(rev->file->path());
    for (auto f : rev->findings) {
      f.migration = rev->id;
      m.findings.push_back(std::move(f));
    }
    for (const auto phase : {core::Phase::Upgrade, core::Phase::Downgrade}) {
      Translation t = translate(*rev, phase);
      (phase == core::Phase::Upgrade ? m.upgrade : m.downgrade) = std::move(t.script);
      m.findings.insert(m.findings.end(), t.findings.begin(), t.findings.end());
    }
  });
  return out;
}

} // namespace miglint::alembic
