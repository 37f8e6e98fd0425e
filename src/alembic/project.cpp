#include "alembic/project.hpp"

#include "alembic/graph.hpp"
#include "alembic/project_types.hpp"
#include "alembic/schema_facts.hpp"
#include "alembic/translate.hpp"
#include "core/file.hpp"
#include "core/parallel.hpp"
#include "python/ast.hpp"

#include <algorithm>
#include <array>
#include <map>
#include <set>
#include <sstream>

namespace miglint::alembic {
namespace fs = std::filesystem;

namespace {

// How far above a revision or script directory miglint looks for the project around it.
constexpr int k_levels_up = 8;

// Directory names of per-dialect version directories, PostgreSQL's first.
constexpr std::array<std::string_view, 7> k_dialects = {"postgresql", "postgres", "sqlite", "mysql",
                                                        "mariadb",    "mssql",    "oracle"};

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

bool is_dir(const fs::path& p) {
  std::error_code ec;
  return fs::is_directory(p, ec);
}

bool is_file(const fs::path& p) {
  std::error_code ec;
  return fs::is_regular_file(p, ec);
}

// Whether `p` is `dir` or lies below it (both absolute and normal).
bool is_under(const fs::path& p, const fs::path& dir) {
  const fs::path rel = p.lexically_relative(dir);
  return !rel.empty() && *rel.begin() != "..";
}

// The [alembic] section of an INI file (ConfigParser syntax, enough of it for these keys), or
// nullopt when there is none.
std::optional<std::map<std::string, std::string>> read_alembic_section(const std::string& text) {
  std::map<std::string, std::string> values;
  bool found = false;
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
      section = trim(line.substr(1, line.size() - 2));
      found = found || section == "alembic";
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
  if (!found) {
    return std::nullopt;
  }
  return values;
}

// ConfigParser's interpolation of the values Alembic reads: %(here)s and %%.
std::string interpolate(const std::string& value, const fs::path& here) {
  std::string out;
  for (size_t i = 0; i < value.size(); ++i) {
    if (value.compare(i, 8, "%(here)s") == 0) {
      out += here.string();
      i += 7;
    } else if (value.compare(i, 2, "%%") == 0) {
      out += '%';
      ++i;
    } else {
      out += value[i];
    }
  }
  return out;
}

// Splits a list of paths the way Alembic does for `separator` (a path_separator or
// version_path_separator value; "" for neither: the legacy blanks and commas).
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
    if (separator == "space") {
      return c == ' ' || c == '\t' || c == '\n';
    }
    return c == ' ' || c == ',' || c == '\n'; // the legacy default
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

bool truthy(const std::string& value) {
  std::string v;
  for (char c : value) {
    v += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return v == "true" || v == "yes" || v == "on" || v == "1";
}

} // namespace

fs::path absolute_path(const fs::path& path) {
  std::error_code ec;
  fs::path a = fs::absolute(path.empty() ? fs::path(".") : path, ec);
  if (ec) {
    a = path;
  }
  a = a.lexically_normal();
  if (!a.has_filename() && a.has_relative_path()) {
    a = a.parent_path(); // "/a/b/" -> "/a/b"
  }
  return a;
}

namespace {

// Builds projects from absolute paths; reports paths the way the user named them (relative to
// the current directory when the path given was relative).
class Finder {
public:
  Finder(bool relative, std::vector<core::Finding>& findings, std::vector<std::string>* notes)
      : m_relative(relative), m_findings(findings), m_notes(notes) {
    if (relative) {
      m_cwd = absolute_path(".");
    }
  }

  // A path in a note: as the user named it, unless that is "." or climbs out with "..".
  std::string in_note(const fs::path& abs) const {
    const std::string s = display(shown(abs));
    return s == "." || s.starts_with("..") ? display(abs) : s;
  }

  fs::path shown(const fs::path& abs) const {
    if (!m_relative) {
      return abs;
    }
    fs::path rel = abs.lexically_relative(m_cwd);
    return rel.empty() ? abs : rel;
  }

  // The project at `abs`, its version directories in the form the user named it.
  std::optional<Project> find_shown(const fs::path& abs) {
    auto project = find(abs);
    if (project) {
      for (auto& dir : project->version_dirs) {
        dir = shown(dir);
      }
    }
    return project;
  }

private:
  std::optional<Project> find(const fs::path& abs) {
    if (is_file(abs)) {
      if (abs.extension() == ".ini") {
        return from_ini(abs, m_findings, true);
      }
      if (is_revision_file(abs)) {
        return around(abs.parent_path());
      }
      return std::nullopt;
    }
    if (!is_dir(abs)) {
      return std::nullopt;
    }
    if (is_file(abs / "alembic.ini")) {
      return from_ini(abs / "alembic.ini", m_findings, true);
    }
    if (is_file(abs / "env.py")) {
      return from_script_dir(abs);
    }
    for (const char* sub : {"migrations", "alembic"}) { // a project directory (Flask-Migrate)
      if (is_file(abs / sub / "alembic.ini") || is_file(abs / sub / "env.py")) {
        return find(abs / sub);
      }
    }
    if (holds_revisions(abs) || !dialect_dirs(abs).empty()) {
      return around(abs);
    }
    return std::nullopt;
  }

  enum class Claim { No, Yes, OtherDialect };

  static Claim claims(const Project& p, const fs::path& dir) {
    for (const auto& other : p.other_dialects) {
      if (is_under(dir, other)) {
        return Claim::OtherDialect;
      }
    }
    for (const auto& loc : p.locations) {
      if (dir == loc) {
        return Claim::Yes;
      }
    }
    for (const auto& v : p.version_dirs) {
      if (dir == v || (p.recursive && is_under(dir, v))) {
        return Claim::Yes;
      }
    }
    return Claim::No;
  }

  static bool holds_revisions(const fs::path& dir) {
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
      if (entry.is_regular_file(ec) && is_revision_file(entry.path())) {
        return true;
      }
    }
    return false;
  }

  // The per-dialect subdirectories of a versions directory that holds no revision itself.
  static std::vector<std::string> dialect_dirs(const fs::path& dir) {
    std::vector<std::string> out;
    for (auto name : k_dialects) {
      if (is_dir(dir / name)) {
        out.emplace_back(name);
      }
    }
    if (!out.empty() && holds_revisions(dir)) {
      out.clear();
    }
    return out;
  }

  void note(const std::string& text) {
    if (m_notes != nullptr && std::find(m_notes->begin(), m_notes->end(), text) == m_notes->end()) {
      m_notes->push_back(text);
    }
  }

  // The project of a versions directory or of a revision file's directory: the one found in or
  // above it that claims it, else the directory on its own.
  std::optional<Project> around(const fs::path& dir) {
    fs::path at = dir;
    for (int level = 0; level < k_levels_up; ++level) {
      std::vector<Project> candidates;
      std::vector<core::Finding> quiet; // problems of unrelated ini files are not reported
      if (is_file(at / "alembic.ini")) {
        if (auto p = from_ini(at / "alembic.ini", quiet, false)) {
          candidates.push_back(std::move(*p));
        }
      }
      if (is_file(at / "env.py") && at != dir) {
        if (auto p = from_script_dir(at)) {
          candidates.push_back(std::move(*p));
        }
      }
      for (auto& p : candidates) {
        switch (claims(p, dir)) {
        case Claim::Yes:
          return std::move(p);
        case Claim::OtherDialect:
          note(in_note(dir) +
               " holds another database's revisions of a per-dialect project: not linted");
          return std::nullopt;
        case Claim::No:
          break;
        }
      }
      if (is_dir(at / ".git") || !at.has_relative_path()) {
        break; // the repository's top, or the file system's
      }
      at = at.parent_path();
    }
    Project p;
    p.locations = {dir};
    if (is_file(dir.parent_path() / "env.py")) {
      p.script_dir = dir.parent_path();
      p.config = p.script_dir.string();
    }
    finish(p);
    return p;
  }

  // A script directory: the alembic.ini in it or above it that points at it, else on its own.
  std::optional<Project> from_script_dir(const fs::path& dir) {
    fs::path at = dir;
    for (int level = 0; level < k_levels_up; ++level) {
      if (is_file(at / "alembic.ini")) {
        std::vector<core::Finding> quiet;
        if (auto p = from_ini(at / "alembic.ini", quiet, false); p && p->script_dir == dir) {
          m_findings.insert(m_findings.end(), quiet.begin(), quiet.end());
          return p;
        }
      }
      if (is_dir(at / ".git") || !at.has_relative_path()) {
        break;
      }
      at = at.parent_path();
    }
    Project p;
    p.script_dir = dir;
    p.config = dir.string();
    p.locations = {dir / "versions"};
    finish(p);
    return p;
  }

  // Finds the directory of a `package:path` resource (or of a dotted package) on disk, the way
  // Python would import it from: prepend_sys_path entries, the ini's directory and the ones
  // above it, and their src/ directories. Nothing is imported.
  static std::optional<fs::path> find_resource(const std::string& value, const fs::path& here,
                                               const std::vector<fs::path>& sys_path) {
    std::vector<std::string> tokens;
    std::stringstream in(value);
    for (std::string t; std::getline(in, t, ':');) {
      tokens.push_back(trim(t));
    }
    if (tokens.empty() || tokens[0].empty()) {
      return std::nullopt;
    }
    fs::path package;
    std::stringstream dotted(tokens[0]);
    for (std::string part; std::getline(dotted, part, '.');) {
      package /= part;
    }
    fs::path rest;
    for (size_t i = 1; i < tokens.size(); ++i) {
      rest /= tokens[i];
    }
    std::vector<fs::path> bases = sys_path;
    for (fs::path at = here;; at = at.parent_path()) {
      bases.push_back(at);
      bases.push_back(at / "src");
      if (!at.has_relative_path()) {
        break;
      }
    }
    for (const auto& base : bases) {
      if (is_dir(base / package / rest)) {
        return (base / package / rest).lexically_normal();
      }
    }
    for (const auto& base : bases) {
      if (is_dir(base / package)) {
        return (base / package / rest).lexically_normal(); // reported as missing later
      }
    }
    return std::nullopt;
  }

  // A location in the ini (script_location or one of version_locations), absolute.
  static std::optional<fs::path> resolve(const std::string& value, const fs::path& here,
                                         const std::vector<fs::path>& sys_path) {
    const fs::path p(value);
    if (p.is_absolute()) {
      return absolute_path(p);
    }
    if (value.find(':') != std::string::npos) {
      return find_resource(value, here, sys_path); // Alembic's `package:path`
    }
    // Relative to where alembic runs: nearly always the ini's directory, else this one.
    if (is_dir(here / p) || !is_dir(absolute_path(p))) {
      return absolute_path(here / p);
    }
    return absolute_path(p);
  }

  std::optional<Project> from_ini(const fs::path& ini, std::vector<core::Finding>& findings,
                                  bool named) {
    bool ok = false;
    const std::string text = read_text(ini, ok);
    const std::string name = display(shown(ini));
    auto problem = [&](std::string message) {
      core::Finding f;
      f.rule = "input-error";
      f.message = std::move(message);
      f.location.file = std::make_shared<core::SourceFile>(name, text);
      findings.push_back(std::move(f));
    };
    if (!ok) {
      problem("cannot read " + name);
      return std::nullopt;
    }
    const auto section = read_alembic_section(text);
    if (!section) {
      if (named) {
        problem(name + " has no [alembic] section");
      }
      return std::nullopt;
    }
    const auto& values = *section;
    auto value = [&](const std::string& key) {
      const auto it = values.find(key);
      return it == values.end() ? std::optional<std::string>() : std::optional(it->second);
    };
    const fs::path here = ini.parent_path();
    // Alembic >= 1.16: path_separator splits prepend_sys_path and version_locations; before,
    // version_path_separator split version_locations only.
    const std::string path_sep = value("path_separator").value_or("");
    const std::string version_sep = value("version_path_separator").value_or(path_sep);
    for (const auto& [key, sep] : {std::pair{"path_separator", path_sep},
                                   std::pair{"version_path_separator", version_sep}}) {
      static const std::set<std::string> known = {"", "os", "space", "newline", ":", ";"};
      if (!known.contains(sep)) {
        problem(name + ": unknown " + key + " `" + sep +
                "` (expected os, space, newline, `:` or `;`)");
      }
    }
    std::vector<fs::path> sys_path;
    for (const auto& entry :
         split_locations(interpolate(value("prepend_sys_path").value_or(""), here), path_sep)) {
      sys_path.push_back(
          absolute_path(fs::path(entry).is_absolute() ? fs::path(entry) : here / entry));
    }
    Project project;
    project.config = ini.string();
    if (const auto location = value("script_location")) {
      const auto script_dir = resolve(interpolate(*location, here), here, sys_path);
      if (!script_dir) {
        problem(name + ": cannot find the package of script_location `" + *location +
                "` (looked in prepend_sys_path, " + display(shown(here)) +
                ", the directories above it and their src/)");
        return std::nullopt;
      }
      project.script_dir = *script_dir;
    } else if (is_file(here / "env.py")) {
      project.script_dir = here; // Flask-Migrate: the directory of alembic.ini and env.py
    } else {
      problem(name + " has no [alembic] script_location");
      return std::nullopt;
    }
    if (!is_dir(project.script_dir)) {
      problem(name + ": the script directory " + display(shown(project.script_dir)) +
              " does not exist");
    }
    if (const auto locations = value("version_locations")) {
      for (const auto& l : split_locations(interpolate(*locations, here), version_sep)) {
        if (auto dir = resolve(l, here, sys_path)) {
          project.locations.push_back(*dir);
        } else {
          problem(name + ": cannot find the package of version location `" + l + "`");
        }
      }
    } else {
      project.locations.push_back(project.script_dir / "versions");
    }
    project.recursive = truthy(value("recursive_version_locations").value_or(""));
    for (const auto& dir : project.locations) {
      if (!is_dir(dir)) {
        problem(name + ": the versions directory " + display(shown(dir)) + " does not exist");
      }
    }
    finish(project);
    return project;
  }

  // Narrows per-dialect version directories to PostgreSQL's, reads env.py, and turns the
  // directories into the form the user named the project in.
  void finish(Project& project) {
    for (const auto& loc : project.locations) {
      const auto dialects = dialect_dirs(loc);
      if (dialects.empty()) {
        project.version_dirs.push_back(loc);
        continue;
      }
      std::string list;
      for (const auto& d : dialects) {
        list += (list.empty() ? "" : ", ") + d + "/";
      }
      const bool postgres = dialects.front() == "postgresql" || dialects.front() == "postgres";
      for (size_t i = postgres ? 1 : 0; i < dialects.size(); ++i) {
        project.other_dialects.push_back(loc / dialects[i]);
      }
      if (postgres) {
        project.version_dirs.push_back(loc / dialects.front());
        project.notes.push_back(in_note(loc) + " has per-dialect version directories (" + list +
                                "): miglint reads " + dialects.front() + "/ only");
      } else {
        project.notes.push_back(in_note(loc) + " has per-dialect version directories (" + list +
                                ") and none for PostgreSQL: nothing to lint there");
      }
    }
    if (!project.script_dir.empty()) {
      if (auto text = core::read_file(project.script_dir / "env.py")) {
        project.env = read_env(*text);
        if (project.env.naming_convention.empty()) { // target_metadata from the application
          project.env.naming_convention =
              resolve_target_naming(python::parse(*text), project.script_dir);
        }
      }
    }
  }

  bool m_relative;
  fs::path m_cwd;
  std::vector<core::Finding>& m_findings;
  std::vector<std::string>* m_notes;
};

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

std::optional<Project> find_project(const fs::path& path, std::vector<core::Finding>& findings,
                                    std::vector<std::string>* notes) {
  Finder finder(path.is_relative(), findings, notes);
  return finder.find_shown(absolute_path(path));
}

Loaded load_project(const Project& project, const std::set<std::string>& selected) {
  Loaded out;
  std::vector<fs::path> files;
  for (const auto& dir : project.version_dirs) {
    std::error_code ec;
    std::vector<fs::path> in_dir;
    auto add = [&](const fs::directory_entry& entry) {
      if (entry.is_regular_file(ec) && entry.path().extension() == ".py") {
        in_dir.push_back(entry.path());
      }
    };
    if (project.recursive) { // recursive_version_locations: subdirectories too
      fs::recursive_directory_iterator it(dir, fs::directory_options::skip_permission_denied, ec);
      for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        const std::string name = it->path().filename().string();
        if (it->is_directory(ec) && (name == "__pycache__" || name.starts_with("."))) {
          it.disable_recursion_pending();
        } else {
          add(*it);
        }
      }
    } else {
      for (const auto& entry : fs::directory_iterator(dir, ec)) {
        add(entry);
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
  std::vector<char> asked(graph.order.size(), 0);
  core::parallel_for(graph.order.size(), [&](size_t i) {
    const Revision* rev = graph.order[i];
    source::Migration& m = out.migrations[i];
    m.id = rev->id;
    m.name = fs::path(rev->file->path()).stem().string();
    m.layout = "alembic";
    m.parents = rev->down;
    m.project = project.config;
    m.selected = selected.empty() || selected.contains(absolute_path(rev->file->path()).string());
    m.session_settings = project.env.session_settings;
    for (auto f : rev->findings) {
      f.migration = rev->id;
      m.findings.push_back(std::move(f));
    }
    for (const auto phase : {core::Phase::Upgrade, core::Phase::Downgrade}) {
      Translation t = translate(*rev, phase, nullptr, &project.env.naming_convention);
      asked[i] = static_cast<char>(asked[i] || t.asked_schema);
      (phase == core::Phase::Upgrade ? m.upgrade : m.downgrade) = std::move(t.script);
      m.findings.insert(m.findings.end(), t.findings.begin(), t.findings.end());
    }
  });
  answer_schema_questions(graph.order, asked, out.migrations, &project.env.naming_convention);
  return out;
}

} // namespace miglint::alembic
