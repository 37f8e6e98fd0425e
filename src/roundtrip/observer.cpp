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

// The highest relation OID or file number when a step begins.
constexpr const char* k_last_number =
    "SELECT coalesce(max(greatest(oid::int8, relfilenode::int8)), 0)::text FROM pg_class "
    "WHERE oid >= 16384";
// Relations that existed when the step began (OID up to $1) whose file is newer than that: only
// the ones rewritten since, so the answer stays small on any schema.
constexpr const char* k_files =
    "SELECT 'f', '', oid::text, relfilenode::text, '' FROM pg_class WHERE oid >= 16384 "
    "AND oid::int8 <= $1::int8 AND relfilenode::int8 > $1::int8 AND relkind IN ('r', 'p', 'm')";
// After each statement: the locks the backend holds (with its transaction id for the trace, and
// its virtual transaction id, which every transaction has, to tell a new transaction), the
// session's lock_timeout and the rewritten relations, in one round trip. pg_locks shows one row
// per lock and mode held, the fast-path ones included (PostgreSQL docs, "pg_locks").
constexpr const char* k_locks =
    "SELECT 'l', coalesce(txid_current_if_assigned()::text, ''), l.relation::oid::text, l.mode, "
    "l.virtualtransaction FROM pg_locks l WHERE l.pid = pg_backend_pid() "
    "AND l.locktype = 'relation' AND l.granted "
    "UNION ALL SELECT 's', current_setting('lock_timeout'), '', '', ''";

} // namespace

void Observer::begin_step(pqxx::transaction_base& n, bool begin) {
  if (m_prepared_on != &n.conn()) {
    // They run at every step and statement: prepared once per connection.
    static const std::string observe = std::string(k_locks) + " UNION ALL " + k_files;
    n.conn().prepare("miglint_last_number", k_last_number);
    n.conn().prepare("miglint_observe", observe);
    n.conn().prepare_now("miglint_observe"); // also run by name from SQL: it must exist now
    n.conn().prepare("miglint_files", k_files);
    m_prepared_on = &n.conn();
  }
  m_last_number = begin ? n.exec(std::string("BEGIN; ") + k_last_number)[0][0].c_str()
                        : n.exec_prepared1("miglint_last_number")[0].c_str();
  m_files.clear();
  m_held.clear();
  m_vxid.clear();
  m_trace = {};
}

void Observer::check_rewrites(const pqxx::result& rows, Observation& out) {
  for (const auto& row : rows) {
    if (row[0].c_str()[0] != 'f') {
      continue;
    }
    std::string& file = m_files[row[2].c_str()];
    if (file != row[3].c_str()) {
      file = row[3].c_str();
      out.rewritten.push_back(row[2].c_str());
    }
  }
}

Observation Observer::observe(pqxx::transaction_base& n) {
  return read(n.exec_prepared("miglint_observe", m_last_number));
}

Observation Observer::observe(pqxx::transaction_base& n, const std::string& statement) {
  // A new line ends a trailing comment; the observation's result is the one returned. (Only in a
  // transaction: outside one, several statements in one query would make an implicit one.)
  return read(n.exec(statement + "\n;\nEXECUTE miglint_observe(" + m_last_number + ")"));
}

Observation Observer::read(const pqxx::result& rows) {
  Observation out;
  std::string txid; // the same on every lock row; none when no lock is held
  std::string vxid;
  for (const auto& row : rows) {
    if (row[0].c_str()[0] == 'l') {
      txid = row[1].c_str();
      vxid = row[4].c_str();
      break;
    }
  }
  for (const auto& row : rows) {
    if (row[0].c_str()[0] == 's') {
      out.lock_timeout = row[1].c_str();
    }
  }
  if (vxid != m_vxid) {
    m_held.clear(); // a new transaction: what the last one held is gone
    m_vxid = vxid;
  }
  if (!txid.empty()) {
    m_trace.xids.insert(std::stoull(txid));
  }
  for (const auto& row : rows) {
    if (row[0].c_str()[0] != 'l') {
      continue;
    }
    const std::string oid = row[2].c_str();
    const std::string mode = lock_mode_name(row[3].c_str());
    // Reading and writing rows (ACCESS SHARE to ROW EXCLUSIVE) never changes a relation's
    // definition: every DDL on a relation takes SHARE UPDATE EXCLUSIVE or stronger.
    if (lock_strength(mode) >= lock_strength("SHARE UPDATE EXCLUSIVE")) {
      m_trace.relations.insert(oid);
    }
    out.locks.push_back({oid, mode, m_held.emplace(oid, mode).second});
  }
  check_rewrites(rows, out);
  return out;
}

Observation Observer::rewrites(pqxx::transaction_base& n) {
  Observation out;
  out.observed = false;
  m_held.clear();
  check_rewrites(n.exec_prepared("miglint_files", m_last_number), out);
  return out;
}

} // namespace miglint::roundtrip
