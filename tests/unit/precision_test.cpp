// What a finding says must fit the object and what miglint knows: advice for partitioned tables,
// for constraints that are already NOT VALID, softened claims after data was copied or after
// code miglint could not read. (Which findings appear at all is tested by tests/rules/*.sql.)

#include "test_support.hpp"

#include <gtest/gtest.h>

namespace miglint {
namespace {

using test::count_rule;
using test::lint_sql;

const core::Finding* only(const std::vector<core::Finding>& findings, const std::string& rule) {
  const core::Finding* found = nullptr;
  for (const auto& f : findings) {
    if (f.rule == rule) {
      EXPECT_EQ(found, nullptr) << "more than one " << rule;
      found = &f;
    }
  }
  return found;
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(Precision, IndexOnAPartitionedTableGetsTheOnOnlyRecipe) {
  const auto f = lint_sql("CREATE TABLE events (id bigint, kind text, at timestamptz)\n"
                          "  PARTITION BY RANGE (at);\n"
                          "-- next migration\n"
                          "CREATE INDEX ON events (kind);\n");
  const auto* index = only(f, "create-index-non-concurrent");
  ASSERT_NE(index, nullptr);
  EXPECT_TRUE(contains(index->message, "partitioned table `events`")) << index->message;
  EXPECT_TRUE(contains(index->message, "CONCURRENTLY is not allowed")) << index->message;
  EXPECT_TRUE(contains(index->help, "ON ONLY")) << index->help;
  EXPECT_TRUE(contains(index->help, "ATTACH PARTITION")) << index->help;
  EXPECT_FALSE(contains(index->help, "Use CREATE INDEX CONCURRENTLY")) << index->help;
}

TEST(Precision, IndexOnAPlainTableKeepsTheConcurrentlyAdvice) {
  const auto f = lint_sql("CREATE TABLE events (id bigint, kind text);\n"
                          "-- next migration\n"
                          "CREATE INDEX ON events (kind);\n");
  const auto* index = only(f, "create-index-non-concurrent");
  ASSERT_NE(index, nullptr);
  EXPECT_EQ(index->help, "Use CREATE INDEX CONCURRENTLY, outside a transaction block.");
}

TEST(Precision, DroppingAnIndexOfAPartitionedTableDoesNotAdviseConcurrently) {
  const auto f = lint_sql("CREATE TABLE events (id bigint, kind text, at timestamptz)\n"
                          "  PARTITION BY RANGE (at);\n"
                          "CREATE INDEX events_kind_idx ON events (kind);\n"
                          "-- next migration\n"
                          "DROP INDEX events_kind_idx;\n");
  const auto* drop = only(f, "drop-index-non-concurrent");
  ASSERT_NE(drop, nullptr);
  EXPECT_TRUE(contains(drop->message, "cannot drop the index of a partitioned table"))
      << drop->message;
  EXPECT_FALSE(contains(drop->help, "CONCURRENTLY")) << drop->help;
}

TEST(Precision, SetNotNullWithANotValidCheckAdvisesValidatingIt) {
  const auto f = lint_sql("ALTER TABLE orders ADD CONSTRAINT c_nn CHECK (customer_id IS NOT NULL) "
                          "NOT VALID;\n"
                          "-- next migration\n"
                          "ALTER TABLE orders ALTER COLUMN customer_id SET NOT NULL;\n");
  const auto* set = only(f, "set-not-null");
  ASSERT_NE(set, nullptr);
  EXPECT_TRUE(contains(set->help, "VALIDATE CONSTRAINT c_nn")) << set->help;
  EXPECT_FALSE(contains(set->help, "NOT VALID,")) << set->help;
}

TEST(Precision, SetNotNullWithoutACheckKeepsTheCatalogAdvice) {
  const auto f = lint_sql("ALTER TABLE orders ALTER COLUMN customer_id SET NOT NULL;\n");
  const auto* set = only(f, "set-not-null");
  ASSERT_NE(set, nullptr);
  EXPECT_TRUE(contains(set->help, "Add CHECK (col IS NOT NULL) NOT VALID")) << set->help;
}

TEST(Precision, DropColumnAfterItsDataWasCopiedDoesNotSayForGood) {
  const auto f = lint_sql("CREATE TABLE invoices (id bigint, note text, memo text);\n"
                          "-- next migration\n"
                          "UPDATE invoices SET memo = note;\n"
                          "ALTER TABLE invoices DROP COLUMN note;\n");
  const auto* drop = only(f, "drop-column");
  ASSERT_NE(drop, nullptr);
  EXPECT_FALSE(contains(drop->message, "for good")) << drop->message;
  EXPECT_TRUE(contains(drop->message, "line 3")) << drop->message;
  EXPECT_TRUE(contains(drop->message, "breaks every running instance")) << drop->message;
}

TEST(Precision, DropColumnAfterCodeMiglintCannotReadSoftens) {
  const auto f = lint_sql("CREATE TABLE invoices (id bigint, note text);\n"
                          "-- next migration\n"
                          "DO $$ BEGIN PERFORM 1; END $$;\n"
                          "ALTER TABLE invoices DROP COLUMN note;\n");
  const auto* drop = only(f, "drop-column");
  ASSERT_NE(drop, nullptr);
  EXPECT_FALSE(contains(drop->message, "for good")) << drop->message;
  EXPECT_TRUE(contains(drop->message, "the DO block on line 3")) << drop->message;
}

TEST(Precision, DropColumnOfAnUntouchedColumnSaysForGood) {
  const auto f = lint_sql("CREATE TABLE invoices (id bigint, note text);\n"
                          "-- next migration\n"
                          "ALTER TABLE invoices DROP COLUMN note;\n");
  const auto* drop = only(f, "drop-column");
  ASSERT_NE(drop, nullptr);
  EXPECT_TRUE(contains(drop->message, "deletes its data for good")) << drop->message;
}

TEST(Precision, RenameAsDropAddIsOneFindingOnTheDropNamingTheAdd) {
  const auto f = lint_sql("CREATE TABLE users (id bigint, name text);\n"
                          "-- next migration\n"
                          "ALTER TABLE users ADD COLUMN full_name text;\n"
                          "ALTER TABLE users DROP COLUMN name;\n");
  const auto* pair = only(f, "rename-as-drop-add");
  ASSERT_NE(pair, nullptr);
  EXPECT_EQ(pair->location.start().line, 4u);
  EXPECT_TRUE(contains(pair->message, "`users.full_name` added with a compatible type (added on "
                                      "line 3)"))
      << pair->message;
}

TEST(Precision, ManyColumnsAddedBesideOneDroppedAreNotEachARename) {
  std::string sql = "CREATE TABLE invoices (id bigint, series text);\n-- next migration\n"
                    "ALTER TABLE invoices DROP COLUMN series";
  for (const char* column : {"supplier_name", "customer_name", "supplier_address_city",
                             "customer_address_city", "description", "type", "tax_app_id"}) {
    sql += std::string(", ADD COLUMN ") + column + " text";
  }
  sql += ";\n";
  EXPECT_EQ(count_rule(lint_sql(sql), "rename-as-drop-add"), 0u);
}

TEST(Precision, NotNullColumnsOfOneStatementAreOneFinding) {
  const auto f = lint_sql("ALTER TABLE lines ADD COLUMN amount numeric NOT NULL,\n"
                          "  ADD COLUMN total numeric NOT NULL, ADD COLUMN note text;\n");
  const auto* add = only(f, "add-column-not-null-no-default");
  ASSERT_NE(add, nullptr);
  EXPECT_TRUE(contains(add->message, "columns `lines.amount` and `lines.total` are added"))
      << add->message;
}

} // namespace
} // namespace miglint
