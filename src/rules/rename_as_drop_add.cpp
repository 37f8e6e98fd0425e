#include "lint/rule.hpp"
#include "lint/rule_support.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

namespace miglint::rules {
namespace {

// Types autogenerate keeps when it writes a rename as a drop and an add.
std::string family(const sql::TypeName& t) {
  const std::string c = t.canonical();
  std::string f = c;
  // Fixed-width char(n) stays apart: it holds codes and ids (`character(26)`), and text turned
  // into one, or one into text, is a change of what the column holds, not a rename.
  if (c == "varchar" || c == "text" || c == "citext") {
    f = "string";
  } else if (c == "int2" || c == "int4" || c == "int8" || c == "serial" || c == "bigserial" ||
             c == "smallserial") {
    f = "integer";
  } else if (c == "float4" || c == "float8" || c == "numeric") {
    f = "number";
  } else if (c == "timestamp" || c == "timestamptz") {
    f = "timestamp";
  } else if (c == "json" || c == "jsonb") {
    f = "json";
  }
  return t.array ? f + "[]" : f;
}

// The words of an identifier: split at `_`, `-`, digits/letters and camelCase, lower-case.
std::vector<std::string> words(const std::string& name) {
  std::vector<std::string> out;
  std::string word;
  auto flush = [&] {
    if (!word.empty()) {
      out.push_back(word);
      word.clear();
    }
  };
  for (size_t i = 0; i < name.size(); ++i) {
    const auto c = static_cast<unsigned char>(name[i]);
    if (!std::isalnum(c)) {
      flush();
      continue;
    }
    if (std::isupper(c) && i > 0 && std::islower(static_cast<unsigned char>(name[i - 1]))) {
      flush();
    }
    word += static_cast<char>(std::tolower(c));
  }
  flush();
  return out;
}

size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) {
    row[j] = j;
  }
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = up;
    }
  }
  return row[b.size()];
}

// How alike two names are, 0..1: the shared words (Dice coefficient), or, when close to a
// respelling, the characters they share once separators are gone (1 - edit distance / longer
// length; `lastname` and `last_name`).
double similarity(const std::string& a, const std::string& b) {
  const auto wa = words(a);
  const auto wb = words(b);
  if (wa.empty() || wb.empty()) {
    return 0;
  }
  size_t shared = 0;
  std::multiset<std::string> rest(wb.begin(), wb.end());
  for (const auto& w : wa) {
    if (auto it = rest.find(w); it != rest.end()) {
      ++shared;
      rest.erase(it);
    }
  }
  const double dice =
      2.0 * static_cast<double>(shared) / static_cast<double>(wa.size() + wb.size());
  std::string ja;
  std::string jb;
  for (const auto& w : wa) {
    ja += w;
  }
  for (const auto& w : wb) {
    jb += w;
  }
  const double chars = 1.0 - static_cast<double>(edit_distance(ja, jb)) /
                                 static_cast<double>(std::max(ja.size(), jb.size()));
  // A shared prefix alone (`invoicing_provider`, `invoicing_app_id`) is not a respelling.
  return std::max(dice, chars >= 0.75 ? chars : 0.0);
}

// Names alike enough to be one renamed into the other.
bool alike(double score) {
  return score >= 0.5;
}

bool same_columns(const std::vector<lint::ColumnInfo>& a, const std::vector<lint::ColumnInfo>& b) {
  if (a.empty() || a.size() != b.size()) {
    return false;
  }
  for (const auto& col : a) {
    auto it = std::find_if(b.begin(), b.end(), [&](const lint::ColumnInfo& other) {
      return other.name == col.name && family(other.type) == family(col.type);
    });
    if (it == b.end()) {
      return false;
    }
  }
  return true;
}

struct Candidate {
  size_t dropped; // index into the dropped list
  size_t added;   // index into the added list
  double score;
};

// Pairs each dropped item with at most one added item and each added item with at most one
// dropped item: the best-scoring plausible pairs first.
std::vector<Candidate> match(std::vector<Candidate> candidates) {
  std::stable_sort(candidates.begin(), candidates.end(),
                   [](const Candidate& a, const Candidate& b) { return a.score > b.score; });
  std::set<size_t> used_dropped;
  std::set<size_t> used_added;
  std::vector<Candidate> out;
  for (const auto& c : candidates) {
    if (used_dropped.contains(c.dropped) || used_added.contains(c.added)) {
      continue;
    }
    used_dropped.insert(c.dropped);
    used_added.insert(c.added);
    out.push_back(c);
  }
  return out;
}

// A column dropped and another added on the same table with a compatible type (or a table
// dropped and one created with the same columns) in one migration: how autogenerate writes a
// rename, which loses the data. Each dropped column is paired with at most one added column,
// the most plausible one (alike names; or the table's only drop and only add, as autogenerate
// writes a rename), and nothing is said when no pair is plausible.
class RenameAsDropAdd final : public lint::Rule {
public:
  std::string_view id() const override { return "rename-as-drop-add"; }

  void check_script(lint::Context& ctx) const override {
    check_columns(ctx);
    check_tables(ctx);
  }

private:
  static void check_columns(lint::Context& ctx) {
    std::map<std::string, std::vector<const lint::ColumnChange*>> dropped;
    std::map<std::string, std::vector<const lint::ColumnChange*>> added;
    std::set<std::string> dropped_names; // table key + column: also re-added columns
    std::set<std::string> added_names;
    for (const auto& d : ctx.columns_dropped()) {
      dropped_names.insert(d.table.key() + "." + d.column);
    }
    for (const auto& a : ctx.columns_added()) {
      added_names.insert(a.table.key() + "." + a.column);
    }
    for (const auto& d : ctx.columns_dropped()) {
      // Columns this script added itself, and columns dropped and re-added under the same name
      // (a type change), are not renames.
      if (d.type && !ctx.is_new_table(d.table) && !ctx.is_new_column(d.table, d.column) &&
          !added_names.contains(d.table.key() + "." + d.column)) {
        dropped[d.table.key()].push_back(&d);
      }
    }
    for (const auto& a : ctx.columns_added()) {
      if (a.type && !ctx.is_new_table(a.table) &&
          !dropped_names.contains(a.table.key() + "." + a.column)) {
        added[a.table.key()].push_back(&a);
      }
    }
    for (const auto& [table, drops] : dropped) {
      const auto it = added.find(table);
      if (it == added.end()) {
        continue;
      }
      const auto& adds = it->second;
      const bool one_for_one = drops.size() == 1 && adds.size() == 1;
      std::vector<Candidate> candidates;
      for (size_t i = 0; i < drops.size(); ++i) {
        for (size_t j = 0; j < adds.size(); ++j) {
          if (family(*drops[i]->type) != family(*adds[j]->type)) {
            continue;
          }
          double score = similarity(drops[i]->column, adds[j]->column);
          if (!alike(score) && !one_for_one) {
            continue;
          }
          if (drops[i]->type->display() == adds[j]->type->display()) {
            score += 0.01; // the same type, not only the same family
          }
          candidates.push_back({i, j, score});
        }
      }
      for (const auto& c : match(std::move(candidates))) {
        report_columns(ctx, *drops[c.dropped], *adds[c.added]);
      }
    }
  }

  static void check_tables(lint::Context& ctx) {
    std::vector<Candidate> candidates;
    const auto& dropped = ctx.tables_dropped();
    const auto& created = ctx.tables_created();
    for (size_t i = 0; i < dropped.size(); ++i) {
      if (ctx.is_new_table(dropped[i].table) || ctx.copied_by(dropped[i].table, "")) {
        continue; // created by this script, or read by a data statement: its rows may have moved
      }
      for (size_t j = 0; j < created.size(); ++j) {
        if (dropped[i].table.key() != created[j].table.key() &&
            same_columns(dropped[i].columns, created[j].columns)) {
          candidates.push_back({i, j, similarity(dropped[i].table.name, created[j].table.name)});
        }
      }
    }
    for (const auto& c : match(std::move(candidates))) {
      report_tables(ctx, dropped[c.dropped], created[c.added]);
    }
  }

  static void report_columns(lint::Context& ctx, const lint::ColumnChange& dropped,
                             const lint::ColumnChange& added) {
    if (ctx.copied_by(dropped.table, dropped.column)) {
      return; // a data statement read the old column: its values may have moved
    }
    const bool same_statement = dropped.statement.begin == added.statement.begin;
    std::string loss = "every value of " + lint::quoted(dropped.column) + " is lost";
    if (const auto* part = ctx.unanalysed_before(dropped.statement.begin)) {
      loss = "every value of " + lint::quoted(dropped.column) + " is lost (unless " + part->what +
             " copies it first: miglint cannot tell)";
    }
    ctx.report_on(
        dropped.statement, dropped.at,
        "column " + lint::column_ref(dropped.table, dropped.column) + " is dropped and " +
            lint::column_ref(added.table, added.column) + " added with a compatible type" +
            (same_statement
                 ? std::string()
                 : " (added on line " + std::to_string(ctx.line_of(added.statement)) + ")") +
            ": if this is a rename, as autogenerate writes one, " + loss +
            "; either way, running instances of the application that still use " +
            lint::quoted(dropped.column) + " break");
  }

  static void report_tables(lint::Context& ctx, const lint::TableChange& dropped,
                            const lint::TableChange& created) {
    ctx.report_on(dropped.statement, "table " + lint::quoted(dropped.table.display()) +
                                         " is dropped and " +
                                         lint::quoted(created.table.display()) +
                                         " created with the same columns (created on line " +
                                         std::to_string(ctx.line_of(created.statement)) +
                                         "): if this is a rename, every row of " +
                                         lint::quoted(dropped.table.display()) +
                                         " is lost; either way, running instances of the "
                                         "application that still use it break");
  }
};

} // namespace

std::unique_ptr<lint::Rule> make_rename_as_drop_add() {
  return std::make_unique<RenameAsDropAdd>();
}

} // namespace miglint::rules
