#include "roundtrip/observer.hpp"

#include <pqxx/pqxx>

namespace miglint::roundtrip {

std::string lock_mode_name(const std::string& pg_mode) {
  std::string out;
  std::string m = pg_mode;
  if (m.size() > 4 && m.substr(m.size() - 4) == "Lock") {
    m.resize(m.size() - 4);
  }
  for (char c : m) {
    if (std::isupper(static_cast<unsigned char>(c)) && !out.empty()) {
      out += ' ';
    }
    out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return out;
}

int lock_strength(const std::string& mode) {
  static const char* const order[] = {
      "ACCESS SHARE", "ROW SHARE",           "ROW EXCLUSIVE", "SHARE UPDATE EXCLUSIVE",
      "SHARE",        "SHARE ROW EXCLUSIVE", "EXCLUSIVE",     "ACCESS EXCLUSIVE"};
  for (int i = 0; i < 8; ++i) {
    if (mode == order[i]) {
      return i + 1;
    }
  }
  return 0;
}

bool is_dangerous(const std::string& mode) {
  // SHARE and stronger block INSERT/UPDATE/DELETE; ACCESS EXCLUSIVE also blocks SELECT.
  return mode == "SHARE" || mode == "SHARE ROW EXCLUSIVE" || mode == "EXCLUSIVE" ||
         mode == "ACCESS EXCLUSIVE";
}

namespace {

// User relations only (OIDs from 16384 on, read through pg_class's index), as begin_step lists.
constexpr const char* k_filenodes = "SELECT 'f', '', oid::text, relfilenode::text FROM pg_class "
                                    "WHERE oid >= 16384 AND relkind IN ('r', 'p', 'm', 'i')";
// After each statement: the locks the backend holds (with its transaction id, to tell a new
// transaction) and the relations' files, in one round trip.
constexpr const char* k_locks =
    "SELECT 'l', coalesce(txid_current_if_assigned()::text, ''), l.relation::oid::text, l.mode "
    "FROM pg_locks l WHERE l.pid = pg_backend_pid() AND l.locktype = 'relation' AND l.granted";

// The user's relations when a step begins: their names, kinds and files.
constexpr const char* k_relations_now =
    "SELECT c.oid::text, c.relkind, n.nspname || '.' || c.relname, c.relfilenode::text "
    "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
    "WHERE c.oid >= 16384 AND c.relkind IN ('r', 'p', 'm', 'i') "
    "AND n.nspname NOT IN ('pg_catalog', 'information_schema') "
    "AND n.nspname NOT LIKE 'pg_toast%' AND c.relname <> 'alembic_version'";

// Prepares the observer's queries once per connection: they run at every step and statement.
void prepare(pqxx::transaction_base& n) {
  auto& c = n.conn();
  c.prepare("miglint_relations_now", k_relations_now);
  static const std::string observe = std::string(k_locks) + " UNION ALL " + k_filenodes;
  c.prepare("miglint_observe", observe);
  c.prepare("miglint_filenodes", k_filenodes);
}

} // namespace

void Observer::begin_step(pqxx::transaction_base& n) {
  prepare(n);
  m_relations.clear();
  for (const auto& row : n.exec_prepared("miglint_relations_now")) {
    m_relations[row[0].c_str()] = {row[2].c_str(), row[1].c_str()[0], row[3].c_str()};
  }
  m_held.clear();
  m_txid.clear();
}

void Observer::check_rewrites(const pqxx::result& rows, Observation& out) {
  for (const auto& row : rows) {
    if (row[0].c_str()[0] != 'f') {
      continue;
    }
    auto it = m_relations.find(row[2].c_str());
    if (it != m_relations.end() && it->second.filenode != row[3].c_str() &&
        std::string(row[3].c_str()) != "0") {
      it->second.filenode = row[3].c_str();
      if (it->second.kind != 'i') { // an index rebuilt with its table is part of the rewrite
        out.rewritten.push_back(it->second.name);
      }
    }
  }
}

Observation Observer::observe(pqxx::transaction_base& n) {
  Observation out;
  const auto rows = n.exec_prepared("miglint_observe");
  std::string txid; // the same on every lock row; none when no lock is held
  for (const auto& row : rows) {
    if (row[0].c_str()[0] == 'l') {
      txid = row[1].c_str();
      break;
    }
  }
  if (txid != m_txid) {
    m_held.clear(); // a new transaction: what the last one held is gone
    m_txid = txid;
  }
  for (const auto& row : rows) {
    if (row[0].c_str()[0] != 'l') {
      continue;
    }
    const std::string oid = row[2].c_str();
    const std::string mode = row[3].c_str();
    if (!m_held.emplace(oid, mode).second) {
      continue;
    }
    auto it = m_relations.find(oid);
    if (it != m_relations.end() && it->second.kind != 'i') {
      out.locks.emplace_back(it->second.name, lock_mode_name(mode));
    }
  }
  check_rewrites(rows, out);
  return out;
}

Observation Observer::rewrites(pqxx::transaction_base& n) {
  Observation out;
  out.observed = false;
  m_held.clear();
  check_rewrites(n.exec_prepared("miglint_filenodes"), out);
  return out;
}

} // namespace miglint::roundtrip
