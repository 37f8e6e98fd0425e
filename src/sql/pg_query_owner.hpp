#pragma once

// Move-only owners of libpg_query results. Private to src/sql/: nothing else sees libpg_query.
// The C API returns its results by value and frees them by value, so each result type gets its
// own small owner instead of a unique_ptr with a deleter.

#include <pg_query.h>

#include <string_view>
#include <utility>

namespace miglint::sql::detail {

template <typename Result, void (*Free)(Result)>
class PgQueryOwner {
public:
  explicit PgQueryOwner(Result result) : m_result(result), m_owned(true) {}
  PgQueryOwner(const PgQueryOwner&) = delete;
  PgQueryOwner& operator=(const PgQueryOwner&) = delete;
  PgQueryOwner(PgQueryOwner&& other) noexcept
      : m_result(other.m_result), m_owned(std::exchange(other.m_owned, false)) {}
  PgQueryOwner& operator=(PgQueryOwner&& other) noexcept {
    if (this != &other) {
      reset();
      m_result = other.m_result;
      m_owned = std::exchange(other.m_owned, false);
    }
    return *this;
  }
  ~PgQueryOwner() { reset(); }

  const Result& operator*() const { return m_result; }
  const Result* operator->() const { return &m_result; }

private:
  void reset() {
    if (m_owned) {
      Free(m_result);
      m_owned = false;
    }
  }

  Result m_result;
  bool m_owned;
};

using SplitResult = PgQueryOwner<PgQuerySplitResult, &pg_query_free_split_result>;

} // namespace miglint::sql::detail
