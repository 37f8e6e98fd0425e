#pragma once

// The SQLAlchemy vocabulary a revision uses, as data: column types and how PostgreSQL's
// dialect renders them, SQL expression constructs usable as server defaults, and the libraries
// whose calls are constructs to read (not code with effects). The translator asks these tables;
// adding a type is one row.

#include <optional>
#include <string>
#include <string_view>

namespace miglint::alembic {

// How a type's arguments shape its SQL.
enum class TypeArgs {
  None,      // INTEGER
  Length,    // VARCHAR(n): first argument or length=
  Timezone,  // TIMESTAMP(p) WITH[OUT] TIME ZONE: timezone=, precision=
  Numeric,   // NUMERIC(p, s): precision, scale
  Precision, // FLOAT(p): first argument or precision=
  Array,     // ARRAY(item_type, dimensions=)
  Enum,      // Enum(labels..., name=, schema=, create_type=, native_enum=)
};

struct TypeEntry {
  std::string_view name; // SQLAlchemy's class name: "String", "VARCHAR", "Uuid", "CITEXT"
  std::string_view sql;  // PostgreSQL's name for it: "VARCHAR", "UUID"
  TypeArgs args = TypeArgs::None;
  std::string_view integer; // "INTEGER"/"BIGINT"/"SMALLINT" for SERIAL candidates, else ""
};

// The entry for a SQLAlchemy / sqlmodel / dialect type class name, or null.
const TypeEntry* find_type(std::string_view name);

// SQL for a no-argument SQLAlchemy expression construct used as a value or server default
// (`sa.true()`, `sa.sql.expression.false()`, `sa.null()`), by its last name; nullopt otherwise.
std::optional<std::string_view> constant_construct(std::string_view name);

// Whether a qualified name belongs to a library whose calls build values (SQLAlchemy and its
// dialects, sqlmodel, Alembic, geoalchemy2, sqlalchemy_utils, the standard library's value
// types) rather than code with effects on the database.
bool is_library_name(std::string_view qualified);

} // namespace miglint::alembic
