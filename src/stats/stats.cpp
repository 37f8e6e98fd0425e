#include "stats/stats.hpp"

#include "lint/catalog.hpp"
#include "lint/effects.hpp"
#include "sql/parser.hpp"

#include <pqxx/pqxx>

#include <cmath>
#include <cstdio>
#include <libpq-fe.h>
#include <map>
#include <memory>
#include <regex>

namespace miglint::stats {
namespace {

std::string thousands(double value) {
  auto n = static_cast<long long>(std::llround(value));
  std::string digits = std::to_string(n < 0 ? -n : n);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) {
      out += ',';
    }
    out += digits[i];
  }
  return n < 0 ? "-" + out : out;
}

std::string bytes(int64_t n) {
  const char* units[] = {"bytes", "kB", "MB", "GB", "TB"};
  double v = static_cast<double>(n);
  size_t u = 0;
  while (v >= 1024 && u + 1 < std::size(units)) {
    v /= 1024;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, u == 0 ? "%.0f %s" : (v < 10 ? "%.1f %s" : "%.0f %s"), v,
                units[u]);
  return buf;
}

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

} // namespace

std::string describe(const core::RelationSize& size) {
  if (!size.exists) {
    return "`" + size.relation + "` is not on the statistics server";
  }
  std::string rows =
      size.rows < 0 ? "rows unknown (never analyzed)" : "≈" + thousands(size.rows) + " rows";
  return "`" + size.relation + "` has " + rows + ", " + bytes(size.total_bytes);
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
      if (std::any_of(f.sizes.begin(), f.sizes.end(),
                      [&](const auto& s) { return s.relation == size.relation; })) {
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
  }
  return outcome;
}

} // namespace miglint::stats
