#include "discover/discover.hpp"

#include "alembic/project.hpp"
#include "core/file.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

namespace miglint::discover {
namespace fs = std::filesystem;

namespace {

constexpr std::string_view k_input_error = "input-error";

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

std::string display(const fs::path& p) {
  auto s = p.lexically_normal().generic_string();
  return s.empty() ? std::string(".") : s;
}

core::Finding input_error(const core::SourceFilePtr& file, std::string path, std::string message) {
  core::Finding f;
  f.rule = std::string(k_input_error);
  f.message = std::move(message);
  f.location.file = file ? file : std::make_shared<core::SourceFile>(std::move(path), "");
  return f;
}

// Reads a file; on failure or binary content, records a finding and returns null.
core::SourceFilePtr read_source(const fs::path& path, std::vector<core::Finding>& findings) {
  auto content = core::read_file(path);
  if (!content) {
    findings.push_back(input_error(nullptr, display(path), "cannot read " + display(path)));
    return nullptr;
  }
  std::string text = std::move(*content);
  if (text.find('\0') != std::string::npos) {
    findings.push_back(input_error(nullptr, display(path),
                                   display(path) + " contains NUL bytes: not a SQL text file"));
    return nullptr;
  }
  return std::make_shared<core::SourceFile>(display(path), std::move(text));
}

bool first_line_says_no_transaction(const std::string& text) {
  auto eol = text.find_first_of("\r\n");
  std::string_view first = std::string_view(text).substr(0, eol);
  return first.find("-- no-transaction") != std::string_view::npos;
}

// The SQL of [offset, offset + length) of a file. A UTF-8 byte order mark becomes blanks, so the
// parser skips it and offsets into the file stay the same.
std::string sql_of(const core::SourceFile& file, size_t offset, size_t length) {
  std::string sql = file.text().substr(offset, length);
  if (offset == 0 && sql.compare(0, 3, "\xEF\xBB\xBF") == 0) {
    sql.replace(0, 3, "   ");
  }
  return sql;
}

source::Script whole_file_script(const core::SourceFilePtr& file, source::TxMode tx) {
  const auto size = static_cast<uint32_t>(file->text().size());
  std::string sql = sql_of(*file, 0, size);
  if (tx != source::TxMode::None && first_line_says_no_transaction(sql)) {
    tx = source::TxMode::None; // sqlx: `-- no-transaction` on the first line
  }
  return source::Script{
      std::move(sql), source::OriginMap::verbatim(file, 0, size), tx, {file, 0, 0}, {}, {}};
}

// A dbmate marker line: `-- migrate:up` / `-- migrate:down`, possibly with `transaction:false`.
struct DbmateMarker {
  size_t line_begin;
  size_t body_begin; // first byte after the marker line
  bool up;
  bool no_transaction;
};

std::vector<DbmateMarker> dbmate_markers(const std::string& text) {
  std::vector<DbmateMarker> markers;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t eol = text.find('\n', pos);
    size_t next = eol == std::string::npos ? text.size() : eol + 1;
    std::string_view line = std::string_view(text).substr(pos, next - pos);
    auto first = line.find_first_not_of(" \t");
    if (first != std::string_view::npos) {
      line.remove_prefix(first);
      for (bool up : {true, false}) {
        std::string_view tag = up ? "-- migrate:up" : "-- migrate:down";
        if (line.substr(0, tag.size()) == tag &&
            (line.size() == tag.size() ||
             std::string_view(" \t\r\n").find(line[tag.size()]) != std::string_view::npos)) {
          bool no_tx = line.find("transaction:false") != std::string_view::npos;
          markers.push_back({pos, next, up, no_tx});
        }
      }
    }
    pos = next;
  }
  return markers;
}

bool is_skipped_dir(const fs::path& p) {
  const std::string name = p.filename().string();
  return (!name.empty() && name[0] == '.') || name == "node_modules" || name == "__pycache__" ||
         name == "venv" || name == "site-packages";
}

struct Collector {
  Discovery& out;
  // Keyed by the path without the `.up.sql` / `.down.sql` suffix, or by the directory.
  std::map<std::string, fs::path> pair_up, pair_down, dir_up, dir_down;
  std::vector<fs::path> plain; // other .sql files: dbmate or versioned
  std::vector<fs::path> explicit_plain;
  std::set<std::string> context; // files read only as the history around a file named alone

  void add_file(const fs::path& p, bool is_explicit) {
    const std::string name = p.filename().string();
    if (is_explicit) {
      add_sibling(p, name);
    }
    if (name == "up.sql") {
      dir_up[display(p.parent_path())] = p;
    } else if (name == "down.sql") {
      dir_down[display(p.parent_path())] = p;
    } else if (ends_with(name, ".up.sql")) {
      pair_up[display(p).substr(0, display(p).size() - 7)] = p;
    } else if (ends_with(name, ".down.sql")) {
      pair_down[display(p).substr(0, display(p).size() - 9)] = p;
    } else if (ends_with(name, ".sql")) {
      (is_explicit ? explicit_plain : plain).push_back(p);
    } else if (is_explicit) {
      out.findings.push_back(
          input_error(nullptr, display(p),
                      display(p) + " is not a migration file miglint understands (expected .sql)"));
    }
  }

  // A script named on the command line brings its other half along (for --phase downgrade).
  void add_sibling(const fs::path& p, const std::string& name) {
    fs::path sibling;
    if (name == "up.sql" || name == "down.sql") {
      sibling = p.parent_path() / (name == "up.sql" ? "down.sql" : "up.sql");
    } else if (ends_with(name, ".up.sql")) {
      sibling = p.parent_path() / (name.substr(0, name.size() - 7) + ".down.sql");
    } else if (ends_with(name, ".down.sql")) {
      sibling = p.parent_path() / (name.substr(0, name.size() - 9) + ".up.sql");
    } else {
      return;
    }
    std::error_code ec;
    if (fs::is_regular_file(sibling, ec)) {
      add_file(sibling, false);
    }
  }

  void walk(const fs::path& dir) {
    std::error_code ec;
    fs::recursive_directory_iterator it(dir, fs::directory_options::skip_permission_denied, ec);
    if (ec) {
      out.findings.push_back(
          input_error(nullptr, display(dir), "cannot list " + display(dir) + ": " + ec.message()));
      return;
    }
    for (; it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (ec) {
        break;
      }
      if (it->is_directory() && is_skipped_dir(it->path())) {
        it.disable_recursion_pending();
      } else if (it->is_regular_file()) {
        add_file(it->path(), false);
      }
    }
  }

  void add_pairs(const std::map<std::string, fs::path>& ups,
                 const std::map<std::string, fs::path>& downs, bool per_directory) {
    for (const auto& [key, up_path] : ups) {
      source::Migration m;
      m.name = fs::path(key).filename().string();
      m.id = version_prefix(m.name);
      if (m.id.empty()) {
        m.id = m.name;
      }
      source::TxMode tx = per_directory ? source::TxMode::PerScript : source::TxMode::Implicit;
      m.layout = per_directory ? "directory" : "up-down-files";
      if (per_directory && fs::exists(fs::path(key) / "metadata.toml")) {
        try {
          auto meta = toml::parse_file((fs::path(key) / "metadata.toml").string());
          if (auto v = meta["run_in_transaction"].value<bool>(); v && !*v) {
            tx = source::TxMode::None;
          }
        } catch (const toml::parse_error& e) {
          auto path = display(fs::path(key) / "metadata.toml");
          out.findings.push_back(
              input_error(nullptr, path, path + ": " + std::string(e.description())));
        }
      }
      if (auto file = read_source(up_path, out.findings)) {
        m.upgrade = whole_file_script(file, tx);
      }
      if (auto it = downs.find(key); it != downs.end()) {
        if (auto file = read_source(it->second, out.findings)) {
          m.downgrade = whole_file_script(file, tx);
        }
      }
      if (m.upgrade || m.downgrade) {
        out.migrations.push_back(std::move(m));
      }
    }
    for (const auto& [key, down_path] : downs) {
      if (!ups.contains(key)) {
        out.findings.push_back(
            input_error(nullptr, display(down_path),
                        display(down_path) + " has no matching upgrade script; it is not linted"));
      }
    }
  }

  void add_plain(const fs::path& p, bool is_explicit) {
    auto file = read_source(p, out.findings);
    if (!file) {
      return;
    }
    source::Migration m;
    m.name = p.stem().string();
    m.id = version_prefix(m.name);
    auto markers = dbmate_markers(file->text());
    if (!markers.empty()) {
      m.layout = "dbmate";
      for (size_t i = 0; i < markers.size(); ++i) {
        const auto& mk = markers[i];
        size_t end = i + 1 < markers.size() ? markers[i + 1].line_begin : file->text().size();
        source::Script s{
            sql_of(*file, mk.body_begin, end - mk.body_begin),
            source::OriginMap::verbatim(file, static_cast<uint32_t>(mk.body_begin),
                                        static_cast<uint32_t>(end - mk.body_begin)),
            mk.no_transaction ? source::TxMode::None : source::TxMode::PerScript,
            {file, static_cast<uint32_t>(mk.line_begin), static_cast<uint32_t>(mk.body_begin)},
            {},
            {}};
        auto& slot = mk.up ? m.upgrade : m.downgrade;
        if (slot) {
          out.findings.push_back(input_error(file, file->path(),
                                             std::string("more than one `-- migrate:") +
                                                 (mk.up ? "up" : "down") + "` section"));
          continue;
        }
        slot = std::move(s);
      }
      if (!m.upgrade) {
        out.findings.push_back(
            input_error(file, file->path(), file->path() + " has no `-- migrate:up` section"));
      }
    } else if (!m.id.empty() || is_explicit) {
      // A versioned file in a directory, or a file named on the command line: one upgrade script.
      // The tool that runs it is unknown, so no transaction is assumed (explicit BEGIN counts).
      m.layout = "sql-file";
      m.upgrade = whole_file_script(file, source::TxMode::None);
    } else {
      return; // a seed or helper .sql beside the migrations: not a migration
    }
    if (m.id.empty()) {
      m.id = m.name;
    }
    out.migrations.push_back(std::move(m));
  }
};

// The migration files of the directories around files named alone, not named themselves.
void add_context(Collector& c, const std::vector<fs::path>& dirs) {
  std::set<std::string> known;
  for (const auto* map : {&c.pair_up, &c.pair_down, &c.dir_up, &c.dir_down}) {
    for (const auto& [key, path] : *map) {
      known.insert(display(path));
    }
  }
  for (const auto* list : {&c.plain, &c.explicit_plain}) {
    for (const auto& path : *list) {
      known.insert(display(path));
    }
  }
  auto add = [&](const fs::path& file) {
    if (known.insert(display(file)).second && ends_with(file.filename().string(), ".sql")) {
      c.context.insert(display(file));
      c.add_file(file, false);
    }
  };
  std::error_code ec;
  for (const auto& dir : dirs) {
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
      if (entry.is_regular_file(ec)) {
        add(entry.path());
      } else if (entry.is_directory(ec) && !is_skipped_dir(entry.path())) {
        for (const char* name : {"up.sql", "down.sql"}) {
          if (fs::is_regular_file(entry.path() / name, ec)) {
            add(entry.path() / name);
          }
        }
      }
    }
  }
}

std::string version_digits(std::string_view v) {
  std::string digits;
  for (char c : v) {
    if (c >= '0' && c <= '9') {
      digits += c;
    }
  }
  auto nz = digits.find_first_not_of('0');
  return nz == std::string::npos ? std::string("0") : digits.substr(nz);
}

} // namespace

std::string version_prefix(std::string_view name) {
  size_t i = 0;
  if (name.size() > 1 && (name[0] == 'V' || name[0] == 'v') && name[1] >= '0' && name[1] <= '9') {
    i = 1; // Flyway: V2__name, V1_2__name
  }
  if (i >= name.size() || name[i] < '0' || name[i] > '9') {
    return {};
  }
  size_t end = i;
  while (end < name.size() && ((name[end] >= '0' && name[end] <= '9') || name[end] == '-' ||
                               name[end] == '_' || name[end] == '.')) {
    ++end;
  }
  while (end > i && (name[end - 1] == '-' || name[end - 1] == '_' || name[end - 1] == '.')) {
    --end;
  }
  return std::string(name.substr(0, end));
}

bool version_less(std::string_view a, std::string_view b) {
  const std::string da = version_digits(a);
  const std::string db = version_digits(b);
  if (da.size() != db.size()) {
    return da.size() < db.size();
  }
  return da < db;
}

Discovery discover(const std::vector<std::string>& given) {
  Discovery out;
  std::vector<std::string> paths = given;
  if (paths.empty()) {
    // Like alembic itself: alembic.ini here, else the usual directory names.
    for (const char* candidate : {"alembic.ini", "migrations", "alembic"}) {
      std::error_code ec;
      if (fs::exists(candidate, ec)) {
        paths.emplace_back(candidate);
        break;
      }
    }
    if (paths.empty()) {
      out.usage_errors.push_back("no PATH given, and no alembic.ini, migrations/ or alembic/ here");
      return out;
    }
  }
  Collector c{out, {}, {}, {}, {}, {}, {}, {}};
  std::vector<fs::path> context_dirs;
  // Alembic projects found, by their versions directories; an empty selection means all files.
  std::map<std::string, std::pair<alembic::Project, std::set<std::string>>> projects;
  std::set<std::string> whole_projects;
  for (const auto& raw : paths) {
    fs::path p(raw);
    std::error_code ec;
    auto status = fs::status(p, ec);
    if (ec || !fs::exists(status)) {
      out.usage_errors.push_back("path does not exist: " + raw);
      continue;
    }
    if (auto project = alembic::find_project(p, out.findings, &out.notes)) {
      std::string key;
      for (const auto& d : project->version_dirs) {
        key += alembic::absolute_path(d).string() + "\n";
      }
      auto [it, added] = projects.try_emplace(key, *project, std::set<std::string>{});
      if (added) {
        for (const auto& note : project->notes) {
          if (std::find(out.notes.begin(), out.notes.end(), note) == out.notes.end()) {
            out.notes.push_back(note);
          }
        }
      }
      auto& entry = it->second;
      if (fs::is_regular_file(status) && p.extension() == ".py") {
        // the rest of the history is read for the graph
        entry.second.insert(alembic::absolute_path(p).string());
      } else {
        whole_projects.insert(key);
      }
      continue;
    }
    if (fs::is_directory(status)) {
      c.walk(p);
    } else if (p.extension() != ".py" && p.extension() != ".ini") { // an ini said why already
      c.add_file(p, true);
      // The history before a file named alone is read as context (as the rest of an Alembic
      // versions directory is): its schema for the rules, and for --round-trip the migrations
      // applied before the one stepped.
      // Only for a versioned file: an unversioned one has no place in a history.
      const bool per_directory = p.filename() == "up.sql" || p.filename() == "down.sql";
      const fs::path dir = per_directory ? p.parent_path().parent_path() : p.parent_path();
      if (per_directory || !version_prefix(p.stem().string()).empty()) {
        context_dirs.push_back(dir.empty() ? fs::path(".") : dir);
      }
    } // other .py files (env.py, helpers, application code) are not migrations
  }
  add_context(c, context_dirs);
  c.add_pairs(c.dir_up, c.dir_down, true);
  c.add_pairs(c.pair_up, c.pair_down, false);
  for (const auto& p : c.plain) {
    c.add_plain(p, false);
  }
  for (const auto& p : c.explicit_plain) {
    c.add_plain(p, true);
  }
  std::stable_sort(out.migrations.begin(), out.migrations.end(),
                   [](const source::Migration& a, const source::Migration& b) {
                     if (version_less(a.id, b.id)) {
                       return true;
                     }
                     if (version_less(b.id, a.id)) {
                       return false;
                     }
                     return a.name < b.name;
                   });
  if (!c.context.empty()) {
    for (auto& m : out.migrations) {
      const auto files = m.files();
      m.selected = !std::all_of(files.begin(), files.end(),
                                [&](const std::string& f) { return c.context.contains(f); });
    }
  }
  // Alembic migrations keep the order of their revision graph.
  for (const auto& [key, entry] : projects) {
    const auto selected = whole_projects.contains(key) ? std::set<std::string>{} : entry.second;
    alembic::Loaded loaded = alembic::load_project(entry.first, selected);
    for (auto& m : loaded.migrations) {
      out.migrations.push_back(std::move(m));
    }
    out.findings.insert(out.findings.end(), loaded.findings.begin(), loaded.findings.end());
  }
  return out;
}

void narrow(Discovery& discovery,
            const std::function<bool(const std::vector<std::string>& files)>& keep) {
  for (auto& m : discovery.migrations) {
    m.selected = m.selected && keep(m.files());
  }
  std::erase_if(discovery.findings, [&](const core::Finding& f) {
    return f.location.file && !keep({f.location.file->path()});
  });
}

} // namespace miglint::discover
