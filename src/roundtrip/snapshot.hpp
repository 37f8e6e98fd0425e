#pragma once

#include "roundtrip/runner.hpp"

#include <pqxx/connection>
#include <pqxx/transaction_base>

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace miglint::roundtrip {

// A canonical description of the user schemas: (kind, qualified name) -> definition. What
// differs by nature between two applications (OIDs, sequence positions, the alembic_version
// table) is left out, so two snapshots of the same schema are equal.
//
// It is kept in parts, one per relation (with its columns, constraints, indexes, triggers and
// comments) and one for everything else, shared between snapshots: taking a snapshot after a
// step copies pointers, and comparing two only looks at the parts that differ.
class Snapshot {
public:
  using Key = std::pair<std::string, std::string>;       // (kind, name)
  using Part = std::vector<std::pair<Key, std::string>>; // sorted by key

  bool contains(const Key& key) const;
  bool empty() const;
  // The name of the table or materialized view with this OID, or nullptr.
  const std::string* table(const std::string& oid) const;
  // Every (kind, name) -> definition, in catalog order.
  std::map<Key, std::string> entries() const;
  bool operator==(const Snapshot& other) const { return entries() == other.entries(); }

private:
  friend class Snapshotter;
  friend struct DiffAccess;
  std::map<std::string, std::shared_ptr<const Part>> m_parts; // by owner oid ("" = the rest)
};

// A full snapshot, read from scratch.
Snapshot take_snapshot(pqxx::connection& connection);

// Takes snapshots of one database again and again, re-reading only what changed since the last
// one. With the trace of the step that ran since then, when every transaction since the last
// snapshot is in it, that is the relations the step locked: any change to a relation's catalog
// rows is made under a lock on it. Otherwise (a statement outside a transaction, a transaction
// not seen, no trace) a cheap catalog signature per relation says which changed. Either way the
// relations whose description names a changed one (a view over it, a foreign key to it, a
// default using a sequence, a column of its row type) are read again too, and everything is
// when an object outside relations was renamed (a type, a function, a schema...).
class Snapshotter {
public:
  Snapshot take(pqxx::connection& connection, const StepTrace* trace = nullptr);
  // Whether the last take() went by the trace alone.
  bool guided() const { return m_guided; }

private:
  std::map<std::string, std::string> m_signatures; // per relation oid; absent = read it again
  std::map<std::string, std::pair<std::string, std::string>> m_globals; // oid -> (name, definition)
  std::string m_globals_signature;
  uint64_t m_next_xid = 0; // the first transaction id not assigned at the last snapshot
  bool m_guided = false;
  Snapshot m_current;
  const pqxx::connection* m_prepared_on = nullptr; // its queries are prepared once per connection
};

struct Difference {
  enum class Kind { Added, Removed, Changed } change;
  std::string kind;   // "table", "column", "index", "enum type", ...
  std::string name;   // "public.orders.note"
  std::string before; // definitions (empty when absent)
  std::string after;
};

// What `after` has that `before` lacks, and the reverse, in catalog order.
std::vector<Difference> diff(const Snapshot& before, const Snapshot& after);

// The differences in words, from the point of view of `after` (e.g. after a downgrade, against
// the schema before the upgrade): "type public.audit_action still exists", "index
// public.ix_a missing", "column public.orders.note changed: text -> character varying(20)".
std::string describe(const std::vector<Difference>& differences, size_t limit = 8);

} // namespace miglint::roundtrip
