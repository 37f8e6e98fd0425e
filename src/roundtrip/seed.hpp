#pragma once

// Rows for the round-trip's tables (`--with-data`): generated on the server from the catalog, so
// that a migration meets data of the shape production has before it is stepped.

#include <pqxx/connection>

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace miglint::roundtrip {

struct SeedOptions {
  size_t rows = 300; // rows per empty table
  uint64_t seed = 0; // mixed into every generated value: the same seed gives the same rows
};

// A table that could not be given rows, and why ("no value generator for type geometry (column
// location)", "every generated row failed CHECK constraint orders_qty_check", PostgreSQL's error).
struct SeedProblem {
  std::string table; // "public.orders"
  std::string reason;
};

struct SeedReport {
  std::vector<std::string> tables; // tables that received rows ("public.orders")
  size_t rows = 0;                 // rows inserted
  double ms = 0;                   // wall time of the pass, catalog reads included
  // Tables that got no rows, each said once for a given reason (a table that still cannot be
  // seeded at the next step is not said again; one whose definition did not change is not even
  // tried again).
  std::vector<SeedProblem> problems;
  // The transactions that inserted rows (64-bit transaction ids, as txid_current() gives them):
  // they change no catalog row, so a snapshot guided by a step's trace may take them as seen.
  std::set<uint64_t> xids;
};

// Fills tables with generated rows, one INSERT ... SELECT ... FROM generate_series per table and
// round, on the server (never row by row from the client):
//
// - Values fit each column's type and length (varchar(n), numeric(p,s), bit(n), enum labels,
//   arrays of 0 to 3 elements, jsonb objects, ranges, composite types, domains over any of
//   these), NOT NULL, and the table's CHECK constraints: CHECKs are not solved, they filter the
//   generated rows (each CHECK, domain CHECK and partition bound is a WHERE condition of the
//   INSERT's SELECT, so no row that violates one is ever inserted), and the literals a CHECK
//   compares a column with (`status IN ('a', 'b')`, `qty > 0`, `char_length(code) = 3`) are
//   offered as that column's values in half of the rows. Rows lost to the filter are made up by
//   further rounds (at most 6).
// - Foreign keys: parents are seeded first (tables in dependency order; the columns of a
//   composite key are taken from one parent row); a nullable foreign key is NULL in some rows,
//   a NOT NULL one that refers to its own table points at the row itself.
// - Unique keys and primary keys are distinct by construction: one column of the key takes the
//   row number (sequences and identity columns count), or, when every column is bounded (enum,
//   boolean, foreign key), the key enumerates their combinations; ON CONFLICT DO NOTHING drops
//   what remains (expression and partial unique indexes, exclusion constraints).
// - The shape of real data: nullable columns are NULL in about a tenth of the rows, other
//   columns repeat values (about half as many distinct values as rows), varchar(n) holds some
//   values of exactly n characters, constant defaults appear in some rows; serial and identity
//   columns take their sequence's next values; generated columns are left to PostgreSQL.
// - Deterministic: values are arithmetic on the row number and a salt per column (no random(),
//   no defaults that call functions), so the same history and seed give the same rows.
//
// A table is skipped, and reported once, when a NOT NULL column has a type with no generator
// and no default, when the INSERT fails twice (PostgreSQL's error; the second attempt uses no
// CHECK literals and no defaults), or when no generated row passes the filter. Seeding never
// throws for a table's sake; it throws pqxx errors only when the connection itself fails.
class Seeder {
public:
  explicit Seeder(SeedOptions options) : m_options(options) {}

  // Gives every user table that has no rows `rows` rows (a table whose file is empty: never
  // written, truncated or rewritten empty, or one clear() emptied; a table whose rows a
  // migration deleted keeps its pages and is not seeded again), and every table in `grow`
  // (OIDs) that has rows `rows / 10` more (at least 1): rows written under a new schema. Leaf
  // partitions are seeded, not their partitioned parents; alembic_version and extension tables are
  // left alone.
  SeedReport seed(pqxx::connection& connection, const std::set<std::string>& grow = {});

  // Deletes the rows this seeder inserted (identified by the inserting transactions, or, in a
  // table a migration rewrote since, by the rewriting one: the oldest xmin left) from the
  // seeded tables whose name `text` (lower-cased SQL) names as a word, or all when `all`, and
  // from the seeded tables that refer to those by foreign key, transitively; children before
  // parents. Where that fails (a row inserted since refers to one), truncates them with
  // CASCADE. Returns false when no seeded table was concerned (or nothing could be deleted);
  // adds the transactions it ran to `xids` (for the snapshot's trace).
  bool clear(pqxx::connection& connection, const std::string& text, bool all,
             std::set<uint64_t>& xids);

  // Whether any table holds rows this seeder inserted.
  bool seeded_any() const { return !m_seeded.empty(); }

  // A new database: nothing seeded, nothing known.
  void reset();

  const SeedOptions& options() const { return m_options; }

private:
  SeedOptions m_options;
  std::map<std::string, uint64_t> m_next_row; // per table OID: the next row number
  // Per table name (a table dropped by a downgrade and created again is the same table):
  std::map<std::string, std::string> m_failed;    // the definition that failed
  std::map<std::string, std::string> m_said;      // the reason said last
  std::vector<std::string> m_seeded;              // table OIDs in the order they were seeded
  std::set<uint64_t> m_xids;                      // transactions that inserted rows
  std::set<std::string> m_emptied;                // tables clear() deleted rows from
  const pqxx::connection* m_configured = nullptr; // its session settings are made
};

// A number with thousands separators: 10000 -> "10,000".
std::string with_separators(uint64_t n);

} // namespace miglint::roundtrip
