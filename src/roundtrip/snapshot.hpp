#pragma once

#include <pqxx/connection>

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace miglint::roundtrip {

// A canonical description of the user schemas: (kind, qualified name) -> definition. What
// differs by nature between two applications (OIDs, sequence positions, the alembic_version
// table) is left out, so two snapshots of the same schema are equal.
using Snapshot = std::map<std::pair<std::string, std::string>, std::string>;

Snapshot take_snapshot(pqxx::connection& connection);

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
