#pragma once

#include "core/finding.hpp"
#include "core/source_file.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace miglint::source {

// How the migration tool runs a script.
enum class TxMode {
  PerScript, // the tool wraps the whole script in one transaction (Alembic, Diesel, dbmate, sqlx)
  Implicit,  // sent as one multi-statement query: a transaction if it has more than one statement
  None,      // each statement commits on its own (psql-style); explicit BEGIN/COMMIT still count
};

// Where the bytes of a script's SQL came from. SQL files map one-to-one onto a range of their
// file; SQL derived from code (Alembic) maps each piece onto the code that produced it.
struct OriginSegment {
  uint32_t sql_begin = 0;
  uint32_t sql_end = 0;
  uint32_t file_begin = 0;
  uint32_t file_end = 0;
  bool exact = true; // byte-for-byte copy of the file; otherwise the whole piece maps to the range
};

class OriginMap {
public:
  OriginMap() = default;
  OriginMap(core::SourceFilePtr file, std::vector<OriginSegment> segments);
  // A script that is the byte range [offset, offset + length) of `file`.
  static OriginMap verbatim(core::SourceFilePtr file, uint32_t offset, uint32_t length);

  const core::SourceFilePtr& file() const { return m_file; }
  core::Location locate(uint32_t sql_begin, uint32_t sql_end) const;
  uint32_t to_file(uint32_t sql_offset) const;
  // Whether the SQL byte at `sql_offset` is copied byte for byte from the file: SQL the user
  // wrote (a .sql file, the string of an `op.execute("...")`), not SQL miglint derived from code
  // (an `op.add_column(...)`, the COMMIT/BEGIN Alembic wraps an autocommit_block() in).
  bool copied_from_file(uint32_t sql_offset) const;

private:
  const OriginSegment* segment_for(uint32_t sql_offset) const;

  core::SourceFilePtr m_file;
  std::vector<OriginSegment> m_segments; // sorted by sql_begin, non-overlapping
};

// The body note of a script whose code ran but derived no SQL (every operation behind a guard
// that was false for the history as miglint read it).
inline constexpr const char* k_runs_no_sql = "runs no SQL miglint can see";

struct Script {
  std::string sql;
  OriginMap origin;
  TxMode tx = TxMode::PerScript;
  core::Location anchor; // the script as a whole: its file's start, or Alembic's `def downgrade`
  std::string body_note; // why a script has no SQL: "is `pass`", "raises NotImplementedError",
                         // k_runs_no_sql
  // Types the code that derived the SQL declared as native enum types (Alembic: sa.Enum and
  // postgresql.ENUM), as "schema.name" ("public" when unqualified). The SQL names a type the same
  // way whatever it is; this says which names are enums the code expects to exist.
  std::set<std::string> enum_types;
};

struct Migration {
  std::string id;     // the version ("0003", "2017-09-23-123456", an Alembic revision)
  std::string name;   // human name ("0003_add_orders")
  std::string layout; // "golang-migrate", "diesel", "dbmate", "sql-file", ...
  std::optional<Script> upgrade;
  std::optional<Script> downgrade;
  std::vector<std::string> parents; // Alembic down_revision(s); empty for SQL layouts
  std::string project;              // Alembic: the alembic.ini (or script directory) that runs it
  // Session settings in force before its scripts run, name -> value ("lock_timeout" -> "4s"):
  // those the project's env.py sets on the migration connection.
  std::map<std::string, std::string> session_settings;
  // Problems found while reading it (Alembic code miglint cannot analyse, ...), by phase.
  std::vector<core::Finding> findings;
  // False for migrations read only as context (the rest of the history around the files named
  // on the command line): their schema is learnt, their findings are not reported.
  bool selected = true;
  // Deployed together with the migration before it in the history (both in the change under
  // review, or added by one commit of the main line): what that one created is still new when
  // this one runs (no running release uses it), as if created earlier in this migration.
  bool deployed_with_previous = false;

  const std::optional<Script>& script(core::Phase phase) const {
    return phase == core::Phase::Upgrade ? upgrade : downgrade;
  }
  // The files it is read from: its scripts' files (one for Alembic and dbmate, two for pairs).
  std::vector<std::string> files() const;
};

} // namespace miglint::source
