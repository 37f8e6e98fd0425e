#pragma once

// What the data of a step's tables was before it, to tell afterwards which values the step lost
// (`--with-data`): a column that no longer exists, whose values no column holds now.

#include <pqxx/connection>

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

namespace miglint::roundtrip {

// The non-NULL values of each column of a table, each with how many rows hold it (as 64-bit
// hashes of their text, by hashtextextended: the same value reads the same in a column of
// another type that prints it alike, varchar -> text, integer -> bigint), and its row count.
struct TableValues {
  std::string oid;
  std::string name; // "public.users"
  uint64_t rows = 0;
  struct Column {
    int num = 0; // attnum: a column dropped and added again under its name is another column
    std::string name;
    std::unordered_map<int64_t, uint64_t> values; // hash -> rows
    uint64_t count = 0;                           // rows with a value
  };
  std::vector<Column> columns;
};

// Values that vanished: the columns of one table (all of them when the table itself is gone)
// whose values no column holds now.
struct LostValues {
  std::string table; // "public.users", as before the step
  bool table_gone = false;
  uint64_t rows = 0;                // rows the table had before
  std::vector<std::string> columns; // the columns whose values are gone
  std::vector<size_t> values;       // per column: how many distinct values it had
};

// Reads the values of the tables the scripts of a migration name, before it is stepped, and
// compares after each phase. Reads go over the caller's connection, outside any transaction;
// they write nothing.
class ValueTracker {
public:
  // Before the step: the user tables (with rows, partitioned tables whole) whose name appears as
  // a word in `text` (the lower-cased SQL of the migration's scripts), or every table when `all`
  // (the migration's SQL is not fully known, or it names CASCADE). Replaces the last capture.
  void capture(pqxx::connection& connection, const std::string& text, bool all);

  // The captured columns that no longer exist and whose values no column of a table `text`
  // names holds now (a column an UPDATE copied them into, a table an INSERT ... SELECT moved
  // them to): a column holds them when it has each value in as many rows, for nine rows in ten
  // at least (counting rows, not only distinct values, keeps a column of small numbers from
  // being "held" by an id column that has every number once). Columns that survive are not
  // compared: an UPDATE that changes values, or a type change, is not a loss. Each (table OID,
  // column) is said once per capture: `lost` skips what an earlier call of the same capture
  // returned. `touched`, when given, is every relation the phase locked (all its statements
  // observed): a column or table is only dropped under a lock on its table, so nothing is read when
  // no captured table is among them.
  std::vector<LostValues> lost(pqxx::connection& connection, const std::string& text, bool all,
                               const std::set<std::string>* touched = nullptr);

  // Rows of a captured table ("public.orders"), or nullopt.
  const TableValues* table(const std::string& name) const;
  bool empty() const { return m_before.empty(); }

private:
  std::vector<TableValues> m_before;
  std::set<std::pair<std::string, int>> m_said; // (oid, attnum) reported for this capture
};

} // namespace miglint::roundtrip
