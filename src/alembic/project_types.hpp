#pragma once

// Column types a project defines itself — a SQLAlchemy TypeDecorator (`impl = ...`,
// `load_dialect_impl()`) or a subclass of a SQLAlchemy type — read from their module in the
// tree, statically, the way the translator reads revisions. The answer is the type expression
// SQLAlchemy's PostgreSQL dialect ends up with (`sa.TIMESTAMP(timezone=True)`), for the
// translator to render.

#include "python/ast.hpp"
#include "python/eval.hpp"

#include <filesystem>
#include <map>
#include <string>

namespace miglint::alembic {

// The type `qualified` ("warehouse.utils.db.types.TZDateTime") stands for, found by looking for
// its module file (`warehouse/utils/db/types.py`, a package `__init__.py`, also under `src/`)
// in `from` and the directories above it; null when the module or class is not in the tree or
// the class is not a type miglint can read. Thread-safe; answers are cached per process.
python::ValuePtr resolve_project_type(const std::string& qualified,
                                      const std::filesystem::path& from);

// The same for a class defined in an already parsed module (a revision that defines its type).
python::ValuePtr resolve_class_type(const python::Module& module, const std::string& class_name,
                                    const std::filesystem::path& from);

// The naming_convention of the MetaData env.py hands Alembic as `target_metadata`, when it
// comes from the application: `target_metadata = Base.metadata` (or a function returning it,
// or `context.configure(target_metadata=...)`) followed through the project's modules on disk
// from `from` upwards (like resolve_project_type; never imported) to
// `MetaData(naming_convention={...})` — in a declarative class body (`metadata = ...`,
// `registry(metadata=...)`), `declarative_base(metadata=...)`, a module variable, a base class,
// or a `X.metadata.naming_convention = {...}` assignment (SQLModel). The dict may be a literal
// or a constant of a module. When target_metadata comes through code this does not follow (a
// function's return value), the one distinct convention written in the package holding `from`
// is used (none or several: nothing). Key ("ix", "uq", "ck", "fk", "pk") -> template with
// string values only; empty when nothing literal is found. Thread-safe.
std::map<std::string, std::string> resolve_target_naming(const python::Module& env,
                                                         const std::filesystem::path& from);

} // namespace miglint::alembic
