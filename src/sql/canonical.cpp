#include "sql/canonical.hpp"

#include "sql/pg_query_owner.hpp"

#include <pg_query/pg_query.pb-c.h>

namespace miglint::sql {
namespace {

using ProtobufResult =
    detail::PgQueryOwner<PgQueryProtobufParseResult, &pg_query_free_protobuf_parse_result>;
using DeparseResult = detail::PgQueryOwner<PgQueryDeparseResult, &pg_query_free_deparse_result>;

// The unpacked protobuf tree (protobuf-c allocates it separately from libpg_query).
class Unpacked {
public:
  explicit Unpacked(const PgQueryProtobuf& pb)
      : m_tree(pg_query__parse_result__unpack(nullptr, pb.len,
                                              reinterpret_cast<const uint8_t*>(pb.data))) {}
  Unpacked(const Unpacked&) = delete;
  Unpacked& operator=(const Unpacked&) = delete;
  ~Unpacked() {
    if (m_tree != nullptr) {
      protobuf_c_message_free_unpacked(&m_tree->base, nullptr);
    }
  }
  PgQuery__ParseResult* get() const { return m_tree; }

private:
  PgQuery__ParseResult* m_tree;
};

} // namespace

std::optional<std::vector<std::string>> canonical_statements(std::string_view script) {
  const std::string text(script);
  ProtobufResult parsed(pg_query_parse_protobuf(text.c_str()));
  if (parsed->error != nullptr) {
    return std::nullopt;
  }
  Unpacked tree(parsed->parse_tree);
  if (tree.get() == nullptr) {
    return std::nullopt;
  }
  std::vector<std::string> out;
  for (size_t i = 0; i < tree.get()->n_stmts; ++i) {
    // Deparse one statement at a time: re-pack a parse result holding just it.
    PgQuery__ParseResult one = PG_QUERY__PARSE_RESULT__INIT;
    one.version = tree.get()->version;
    one.n_stmts = 1;
    PgQuery__RawStmt raw = *tree.get()->stmts[i];
    raw.stmt_location = 0;
    raw.stmt_len = 0;
    PgQuery__RawStmt* stmts[] = {&raw};
    one.stmts = stmts;
    std::string buffer(pg_query__parse_result__get_packed_size(&one), '\0');
    pg_query__parse_result__pack(&one, reinterpret_cast<uint8_t*>(buffer.data()));
    DeparseResult deparsed(pg_query_deparse_protobuf({buffer.size(), buffer.data()}));
    if (deparsed->error != nullptr) {
      return std::nullopt;
    }
    out.emplace_back(deparsed->query);
  }
  return out;
}

} // namespace miglint::sql
