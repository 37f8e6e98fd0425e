#include "stats/stats.hpp"

#include "core/units.hpp"
#include "lint/catalog.hpp"
#include "lint/effects.hpp"
#include "roundtrip/observer.hpp"
#include "sql/parser.hpp"

#include <pqxx/pqxx>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <libpq-fe.h>
#include <map>
#include <memory>
#include <regex>

namespace miglint::stats {
namespace {

using core::thousands;

// A libpq keyword/value string from a URL or keyword string, with our settings added. Empty with
// `error` set when libpq cannot parse it.
std::string conninfo_of(const Options& options, std::string& error) {
  char* err = nullptr;
  PQconninfoOption* parsed = PQconninfoParse(options.url.c_str(), &err);
  if (parsed == nullptr) {
    error = err != nullptr ? std::string(err) : "cannot parse the statistics URL";
    PQfreemem(err);
    return {};
  }
  auto quote = [](std::string_view v) {
    std::string out = "'";
    for (char c : v) {
      if (c == '\'' || c == '\\') {
        out += '\\';
      }
      out += c;
    }
    return out + "'";
  };
  std::string out;
  bool has_timeout = false;
  for (PQconninfoOption* o = parsed; o->keyword != nullptr; ++o) {
    if (o->val == nullptr || std::string_view(o->keyword) == "options") {
      continue;
    }
    has_timeout |= std::string_view(o->keyword) == "connect_timeout";
    out += std::string(o->keyword) + "=" + quote(o->val) + " ";
  }
  PQconninfoFree(parsed);
  if (!has_timeout) {
    out += "connect_timeout=" + std::to_string(options.connect_timeout_s) + " ";
  }
  // Read-only before the first statement, whatever the role's defaults say.
  out += "options=" +
         quote("-c default_transaction_read_only=on -c statement_timeout=" +
               std::to_string(options.statement_timeout_ms) + " -c lock_timeout=1000") +
         " application_name='miglint --stats-url'";
  return out;
}

std::string quote_ident(const std::string& name) {
  std::string out = "\"";
  for (char c : name) {
    out += c == '"' ? "\"\"" : std::string(1, c);
  }
  return out + "\"";
}

// One relation's size, or nullopt when the query failed (the connection is then unusable).
core::RelationSize read_size(pqxx::connection& conn, const sql::QualifiedName& name) {
  core::RelationSize size;
  size.relation = name.schema.empty() ? name.name : name.schema + "." + name.name;
  const std::string regclass =
      (name.schema.empty() ? "" : quote_ident(name.schema) + ".") + quote_ident(name.name);
  pqxx::read_transaction tx(conn);
  // An index stands for its table; a partitioned table for the sum of its leaf partitions.
  auto r = tx.exec_params(
      "WITH rel AS ("
      "  SELECT COALESCE(i.indrelid, c.oid) AS oid FROM pg_class c"
      "  LEFT JOIN pg_index i ON i.indexrelid = c.oid WHERE c.oid = to_regclass($1)),"
      " parts AS ("
      "  SELECT p.relid AS oid FROM rel, pg_partition_tree(rel.oid) p WHERE p.isleaf"
      "  UNION SELECT oid FROM rel)"
      " SELECT n.nspname, c.relname,"
      "  (SELECT sum(CASE WHEN pc.reltuples >= 0 AND (pc.reltuples > 0 OR pc.relpages > 0)"
      "                   THEN pc.reltuples ELSE COALESCE(s.n_live_tup, -1) END)"
      "     FROM parts JOIN pg_class pc ON pc.oid = parts.oid AND pc.relkind IN ('r', 'm', 't')"
      "     LEFT JOIN pg_stat_all_tables s ON s.relid = pc.oid),"
      "  (SELECT sum(pg_total_relation_size(oid)) FROM parts)::bigint"
      " FROM rel JOIN pg_class c ON c.oid = rel.oid JOIN pg_namespace n ON n.oid = c.relnamespace",
      regclass);
  if (r.empty()) {
    return size;
  }
  size.exists = true;
  size.relation = r[0][0].as<std::string>() + "." + r[0][1].as<std::string>();
  size.rows = r[0][2].is_null() ? -1 : r[0][2].as<double>();
  size.total_bytes = r[0][3].is_null() ? 0 : r[0][3].as<int64_t>();
  return size;
}

std::string key_of(const sql::QualifiedName& name) {
  return name.schema + "." + name.name;
}

// "public.orders" (as the round-trip names a relation) -> {public, orders}.
sql::QualifiedName name_of(const std::string& relation) {
  const size_t dot = relation.find('.');
  if (dot == std::string::npos) {
    return {"", relation};
  }
  return {relation.substr(0, dot), relation.substr(dot + 1)};
}

// Whether a size read for one name is about `relation` (schema.name): the same name, or an
// unqualified name of a table the server did not have.
bool same_relation(const core::RelationSize& size, const std::string& relation) {
  if (size.relation == relation) {
    return true;
  }
  return !size.exists && size.relation.find('.') == std::string::npos &&
         relation.substr(relation.find('.') + 1) == size.relation;
}

// The estimate at production size of an observation, from the sizes its finding carries
// (enrich()); nullopt when the statement's time does not grow with rows, or no rows were counted
// (the round-trip ran without data).
std::optional<core::Estimate> estimate_of(const core::Observed& o,
                                          const std::vector<core::RelationSize>& sizes) {
  if (o.grows.empty() || o.rows.empty()) {
    return std::nullopt;
  }
  std::optional<core::Estimate> best;
  std::string why;
  for (const auto& row : o.rows) {
    const auto& [relation, seeded] = row;
    const std::string& name = relation; // lambdas capture names, not bindings (clang 14)
    const auto size = std::find_if(sizes.begin(), sizes.end(), [&](const core::RelationSize& s) {
      return same_relation(s, name);
    });
    std::string none;
    if (size == sizes.end()) {
      none = "`" + relation + "` was not read on the statistics server";
    } else if (!size->exists) {
      none = "`" + relation + "` is not on the statistics server";
    } else if (size->rows < 0) {
      none = "`" + relation + "` has no row estimate on the statistics server (never analyzed)";
    } else if (seeded == 0) {
      none = "the round-trip counted no rows of `" + relation + "`";
    }
    if (!none.empty()) {
      why += (why.empty() ? "" : "; ") + none;
      continue;
    }
    const double ratio = size->rows / static_cast<double>(seeded);
    if (best && ratio <= best->production_rows / best->seeded_rows) {
      continue;
    }
    core::Estimate e;
    e.relation = relation;
    e.seeded_rows = static_cast<double>(seeded);
    e.production_rows = size->rows;
    e.duration_ms = o.duration_ms < 0 ? -1 : o.duration_ms * ratio;
    e.held_ms = o.held_ms < 0 ? -1 : o.held_ms * ratio;
    best = e;
  }
  if (!best) {
    core::Estimate e;
    e.relation = o.rows.front().first;
    e.none = why;
    return e;
  }
  return best;
}

// Below this many seeded rows the statement's fixed cost outweighs its work on the rows, and
// scaling both errs high: 1.2 to 30 times the real time from 300 rows, 0.3 to 3.3 times from
// 10,000 (bench/README.md, "Lock times at production size").
constexpr double k_few_rows = 5000;

// "; held ≈ 4.1 s at production size (≈2,000,000 rows in public.orders against 300 in the
// round-trip, scaled linearly; from so few rows it errs high)"
std::string describe(const core::Estimate& e, bool locked) {
  if (!e.none.empty()) {
    return "; no estimate at production size: " + e.none;
  }
  const bool held = locked && e.held_ms >= 0;
  const double ms = held ? e.held_ms : e.duration_ms;
  if (ms < 0) {
    return "; no estimate at production size: the statement was not timed";
  }
  return std::string("; ") + (held ? "held" : "takes") + " ≈ " + core::rough_duration(ms) +
         " at production size (≈" + thousands(e.production_rows) + " rows in " + e.relation +
         " against " + thousands(e.seeded_rows) + " in the round-trip, scaled linearly" +
         (e.seeded_rows < k_few_rows ? "; from so few rows it errs high" : "") + ")";
}

} // namespace

std::string describe(const core::RelationSize& size) {
  if (!size.exists) {
    return "`" + size.relation + "` is not on the statistics server";
  }
  std::string rows =
      size.rows < 0 ? "rows unknown (never analyzed)" : "≈" + thousands(size.rows) + " rows";
  return "`" + size.relation + "` has " + rows + ", " + core::size_text(size.total_bytes);
}

std::string redact(std::string_view url) {
  std::string s(url);
  // postgresql://user:secret@host -> postgresql://user:***@host
  s = std::regex_replace(s, std::regex(R"(^([a-zA-Z]+://[^/:@]*:)[^@]*@)"), "$1***@");
  // password=secret / password='se cret' (keyword form) and ?password=secret (URL parameter)
  s = std::regex_replace(s, std::regex(R"((password\s*=\s*)('([^'\\]|\\.)*'|[^\s&]*))"), "$1***");
  return s;
}

Outcome enrich(std::vector<core::Finding>& findings, const Options& options) {
  Outcome outcome;
  if (options.url.empty()) {
    return outcome;
  }
  // Only which tables are locked matters here, not how strongly; every major names the same ones.
  constexpr int k_any_major = 15;
  // The tables each finding names: those its statement locks.
  std::vector<std::vector<sql::QualifiedName>> named(findings.size());
  std::map<std::string, sql::QualifiedName> wanted;
  const lint::SchemaState no_schema;
  const lint::SessionFacts no_session;
  for (size_t i = 0; i < findings.size(); ++i) {
    if (findings[i].statement.empty()) {
      continue;
    }
    const auto parsed = sql::parse(findings[i].statement);
    for (const auto& statement : parsed.statements) {
      for (const auto& lock : lint::locks_taken(statement, no_schema, no_session, k_any_major)) {
        named[i].push_back(lock.table);
        wanted.emplace(key_of(lock.table), lock.table);
      }
    }
    // And the tables the round-trip saw it lock or rewrite (a function's LOCK TABLE, a CASCADE).
    if (const auto& o = findings[i].observed) {
      std::vector<std::string> seen;
      for (const auto& l : o->locks) {
        seen.push_back(l.relation);
      }
      seen.insert(seen.end(), o->rewrites.begin(), o->rewrites.end());
      for (const auto& relation : seen) {
        const sql::QualifiedName name = name_of(relation);
        named[i].push_back(name);
        wanted.emplace(key_of(name), name);
      }
    }
  }
  if (wanted.empty()) {
    return outcome;
  }
  std::string error;
  const std::string conninfo = conninfo_of(options, error);
  if (conninfo.empty()) {
    outcome.error = redact(error);
    return outcome;
  }
  std::map<std::string, core::RelationSize> sizes;
  try {
    pqxx::connection conn(conninfo);
    for (const auto& [key, name] : wanted) {
      sizes[key] = read_size(conn, name);
      ++outcome.tables_read;
    }
  } catch (const std::exception& e) {
    outcome.error = redact(e.what());
    while (!outcome.error.empty() &&
           (outcome.error.back() == '\n' || outcome.error.back() == ' ')) {
      outcome.error.pop_back();
    }
    return outcome;
  }
  for (size_t i = 0; i < findings.size(); ++i) {
    auto& f = findings[i];
    if (named[i].empty()) {
      continue;
    }
    std::string text;
    bool all_small = options.small_table_rows >= 0;
    for (const auto& name : named[i]) {
      const auto& size = sizes[key_of(name)];
      // Once per table: `orders` in the statement and public.orders observed are one.
      if (std::any_of(f.sizes.begin(), f.sizes.end(), [&](const auto& s) {
            return same_relation(s, size.relation) || same_relation(size, s.relation);
          })) {
        continue;
      }
      f.sizes.push_back(size);
      text += (text.empty() ? "" : "; ") + describe(size);
      all_small = all_small && size.exists && size.rows >= 0 &&
                  size.rows < static_cast<double>(options.small_table_rows);
    }
    if (text.empty()) {
      continue;
    }
    f.message += " (production statistics: " + text + ")";
    ++outcome.findings_enriched;
    const auto* doc = lint::find_rule_doc(f.rule);
    if (all_small && doc != nullptr && doc->has_tag("locks") &&
        f.severity != core::Severity::Info) {
      f.severity = core::Severity::Info;
      f.message += "; lowered to info: every table is under " +
                   thousands(static_cast<double>(options.small_table_rows)) + " rows";
      ++outcome.lowered;
    }
    if (!f.observed) {
      continue;
    }
    auto& o = *f.observed;
    o.estimate = estimate_of(o, f.sizes);
    if (!o.estimate) {
      continue;
    }
    const bool blocking = std::any_of(o.locks.begin(), o.locks.end(), [](const auto& l) {
      return roundtrip::is_dangerous(l.mode);
    });
    f.message += describe(*o.estimate, !o.locks.empty());
    if (!o.estimate->none.empty()) {
      continue;
    }
    ++outcome.estimated;
    const double held = o.estimate->held_ms >= 0 ? o.estimate->held_ms : o.estimate->duration_ms;
    if (options.estimated_lock_error_ms >= 0 && blocking &&
        held >= options.estimated_lock_error_ms && doc != nullptr && doc->has_tag("locks") &&
        f.severity != core::Severity::Error) {
      f.severity = core::Severity::Error;
      f.message += "; an error: at production size that reaches the estimated-lock-error "
                   "threshold of " +
                   core::rough_duration(options.estimated_lock_error_ms);
      ++outcome.raised;
    }
  }
  return outcome;
}

} // namespace miglint::stats
