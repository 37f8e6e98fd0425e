// The names PostgreSQL gives indexes and constraints nobody named, and what DROP ... IF EXISTS of
// a missing object does, checked on a real PostgreSQL the test starts (the newest local one;
// MIGLINT_CLAIMS_PG_BIN=DIR picks another): the schema model (lint/schema_state) must know every
// index the server built under the name the server chose, with its table; and a DROP INDEX /
// DROP TABLE IF EXISTS of a missing name must lock nothing, while ALTER TABLE ... DROP
// CONSTRAINT IF EXISTS of a missing constraint still locks its table (lint/context:
// Context::locks_nothing).

#include "lint/schema_state.hpp"
#include "roundtrip/server.hpp"
#include "sql/parser.hpp"

#include <gtest/gtest.h>
#include <pqxx/pqxx>

#include <cstdlib>
#include <map>
#include <string>

namespace miglint {
namespace {

class SchemaNames : public ::testing::Test {
protected:
  static void SetUpTestSuite() {
    roundtrip::ServerOptions o;
    o.provider = "local";
    if (const char* bin = std::getenv("MIGLINT_CLAIMS_PG_BIN"); bin != nullptr && *bin != '\0') {
      o.pg_bin = {bin};
    }
    auto started = roundtrip::start_server(o);
    ASSERT_NE(started.server, nullptr) << started.error;
    s_server = started.server.release();
  }
  static void TearDownTestSuite() {
    delete s_server;
    s_server = nullptr;
  }
  void SetUp() override { ASSERT_NE(s_server, nullptr); }

  static void exec(const std::string& sql) {
    pqxx::connection c(s_server->conninfo());
    pqxx::nontransaction n(c);
    n.exec("DROP SCHEMA public CASCADE; CREATE SCHEMA public");
    n.exec(sql);
  }

  // index name -> its table, as the server has them in schema public.
  static std::map<std::string, std::string> server_indexes() {
    pqxx::connection c(s_server->conninfo());
    pqxx::nontransaction n(c);
    std::map<std::string, std::string> out;
    for (const auto& row :
         n.exec("SELECT i.relname, t.relname FROM pg_index x JOIN pg_class i ON i.oid = "
                "x.indexrelid JOIN pg_class t ON t.oid = x.indrelid JOIN pg_namespace ns ON "
                "ns.oid = t.relnamespace WHERE ns.nspname = 'public'")) {
      out[row[0].c_str()] = row[1].c_str();
    }
    return out;
  }

  // The relations `statement` locks in its own transaction (rolled back), with the mode.
  static std::map<std::string, std::string> locks_of(const std::string& setup,
                                                     const std::string& statement) {
    exec(setup);
    pqxx::connection c(s_server->conninfo());
    pqxx::nontransaction n(c);
    n.exec("BEGIN");
    n.exec(statement);
    std::map<std::string, std::string> out;
    for (const auto& row :
         n.exec("SELECT c.relname, l.mode FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
                "JOIN pg_namespace ns ON ns.oid = c.relnamespace WHERE l.pid = pg_backend_pid() "
                "AND l.locktype = 'relation' AND ns.nspname = 'public'")) {
      out[row[0].c_str()] = row[1].c_str();
    }
    n.exec("ROLLBACK");
    return out;
  }

  static roundtrip::Server* s_server;
};

roundtrip::Server* SchemaNames::s_server = nullptr;

// Every index the server built for `setup` is in the model under the server's name and table.
void expect_model_knows_server_names(const std::string& setup,
                                     const std::map<std::string, std::string>& server) {
  lint::SchemaState model;
  const auto parsed = sql::parse(setup);
  ASSERT_TRUE(parsed.errors.empty()) << setup;
  for (const auto& s : parsed.statements) {
    model.apply(s);
  }
  for (const auto& [index, table] : server) {
    const lint::IndexInfo* known = model.index({"", index});
    ASSERT_NE(known, nullptr) << "the model does not know index " << index << " of " << table
                              << " after:\n"
                              << setup;
    EXPECT_EQ(known->table.name, table) << index;
  }
}

TEST_F(SchemaNames, UnnamedIndexesAndConstraintsGetPostgresNames) {
  const std::string long_table(50, 't');
  const std::string cases[] = {
      "CREATE TABLE names (id int PRIMARY KEY, name text);"
      "CREATE UNIQUE INDEX ON names (lower(name));",
      "CREATE TABLE t (a int, b int, c text UNIQUE, UNIQUE (a, b));"
      "CREATE INDEX ON t (a, b); CREATE INDEX ON t (a, b); CREATE INDEX ON t ((a + b));"
      "CREATE INDEX ON t (lower(c), upper(c)) INCLUDE (a); CREATE INDEX ON t (lower(c), lower(c));"
      "CREATE INDEX ON t ((c::varchar)); CREATE INDEX ON t (coalesce(a, b));",
      "CREATE TABLE " + long_table +
          " (id int PRIMARY KEY, a_rather_long_column_name int, another_long_column_name int);"
          "CREATE INDEX ON " +
          long_table +
          " (a_rather_long_column_name, another_long_column_name);"
          "CREATE INDEX ON " +
          long_table + " (a_rather_long_column_name, another_long_column_name);",
      "CREATE TABLE r (id int, during int4range, EXCLUDE USING gist (during WITH &&));"
      "ALTER TABLE r ADD PRIMARY KEY (id); ALTER TABLE r ADD UNIQUE (id, during);",
  };
  for (const auto& setup : cases) {
    exec(setup);
    const auto server = server_indexes();
    ASSERT_FALSE(server.empty()) << setup;
    expect_model_knows_server_names(setup, server);
  }
}

TEST_F(SchemaNames, DropIfExistsOfAMissingNameLocksNothing) {
  const std::string setup = "CREATE TABLE users (id int PRIMARY KEY, login text)";
  EXPECT_TRUE(locks_of(setup, "DROP INDEX IF EXISTS never_created_idx").empty());
  EXPECT_TRUE(locks_of(setup, "DROP TABLE IF EXISTS never_created").empty());
  EXPECT_TRUE(locks_of(setup, "ALTER TABLE IF EXISTS never_created ADD COLUMN c int").empty());
  // ALTER TABLE locks its table before it looks for the constraint.
  const auto alter = locks_of(setup, "ALTER TABLE users DROP CONSTRAINT IF EXISTS never_key");
  ASSERT_TRUE(alter.contains("users"));
  EXPECT_EQ(alter.at("users"), "AccessExclusiveLock");
}

} // namespace
} // namespace miglint
