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

// One finding per dropped column: a rename-as-drop-add finding replaces drop-column's on the
// same subcommand (and drop-table's on the same statement), and only there.
TEST(Precision, RenameAsDropAddStandsInForTheDropFinding) {
  auto f = lint_sql("CREATE TABLE invoices (id bigint, due_date timestamptz, notes text);\n"
                    "CREATE TABLE people (id bigint, name text);\n"
                    "-- next migration\n"
                    "SET lock_timeout = '1s';\n"
                    "ALTER TABLE invoices DROP COLUMN due_date, DROP COLUMN notes,\n"
                    "  ADD COLUMN due_at timestamptz;\n"
                    "DROP TABLE people;\n"
                    "CREATE TABLE persons (id bigint, name text);\n");
  EXPECT_EQ(count_rule(f, "rename-as-drop-add"), 2u);
  EXPECT_EQ(count_rule(f, "drop-table"), 0u);
  const auto* drop = only(f, "drop-column");
  ASSERT_NE(drop, nullptr);
  EXPECT_TRUE(contains(drop->message, "`invoices.notes`")) << drop->message;
  for (const auto& finding : f) {
    if (finding.rule == "rename-as-drop-add") {
      EXPECT_TRUE(contains(finding.message, "running instances of the application"))
          << finding.message;
    }
  }
  // Ignored, the rename finding replaces nothing.
  f = lint_sql("CREATE TABLE invoices (id bigint, due_date timestamptz);\n"
               "-- next migration\n"
               "SET lock_timeout = '1s';\n"
               "ALTER TABLE invoices ADD COLUMN due_at timestamptz;\n"
               "-- miglint: ignore rename-as-drop-add\n"
               "ALTER TABLE invoices DROP COLUMN due_date;\n");
  EXPECT_EQ(count_rule(f, "rename-as-drop-add"), 0u);
  EXPECT_EQ(count_rule(f, "drop-column"), 1u);
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

namespace miglint {
namespace {

using test::lint_sql;

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

const core::Finding* first_of(const std::vector<core::Finding>& findings, const std::string& rule) {
  for (const auto& f : findings) {
    if (f.rule == rule) {
      return &f;
    }
  }
  return nullptr;
}

TEST(Precision, DroppingAnUnnamedIndexNamesItsTable) {
  const auto f = lint_sql("CREATE TABLE names (id int PRIMARY KEY, name text);\n"
                          "CREATE UNIQUE INDEX ON names (lower(name));\n"
                          "-- next migration\n"
                          "DROP INDEX names_lower_idx;\n");
  const auto* drop = first_of(f, "drop-index-non-concurrent");
  ASSERT_NE(drop, nullptr);
  EXPECT_TRUE(has(drop->message, "its table `names`")) << drop->message;
  const auto* lock = first_of(f, "missing-lock-timeout");
  ASSERT_NE(lock, nullptr);
  EXPECT_TRUE(has(lock->message, "lock on `names`")) << lock->message;
}

TEST(Precision, DroppingAnIndexOfAnUnknownTableSaysSo) {
  const auto f = lint_sql("DROP INDEX legacy_idx;\n");
  const auto* drop = first_of(f, "drop-index-non-concurrent");
  ASSERT_NE(drop, nullptr);
  EXPECT_TRUE(has(drop->message, "miglint does not know")) << drop->message;
  const auto* lock = first_of(f, "missing-lock-timeout");
  ASSERT_NE(lock, nullptr);
  EXPECT_TRUE(has(lock->message, "the table of index `legacy_idx`")) << lock->message;
  EXPECT_FALSE(has(lock->message, "lock on `legacy_idx`")) << lock->message;
}

TEST(Precision, AnEnumRecreatedWithMoreLabelsFollowsTheRenameAndAdvisesAddValue) {
  const auto f = lint_sql("CREATE TYPE e AS ENUM ('a', 'c');\n"
                          "CREATE TABLE t (id int, c e);\n"
                          "-- next migration\n"
                          "ALTER TYPE e RENAME TO e_old;\n"
                          "CREATE TYPE e AS ENUM ('0', 'a', 'b', 'c', 'd');\n"
                          "ALTER TABLE t ALTER COLUMN c TYPE e USING c::text::e;\n"
                          "DROP TYPE e_old;\n");
  const auto* change = first_of(f, "change-column-type");
  ASSERT_NE(change, nullptr);
  EXPECT_TRUE(has(change->message, "from e_old to e")) << change->message;
  EXPECT_TRUE(has(change->help, "ALTER TYPE e ADD VALUE '0' BEFORE 'a'; "
                                "ALTER TYPE e ADD VALUE 'b' AFTER 'a'; "
                                "ALTER TYPE e ADD VALUE 'd' AFTER 'c';"))
      << change->help;
  EXPECT_TRUE(has(change->help, "cannot be used until the transaction commits")) << change->help;
}

TEST(Precision, AnEnumRecreatedWithoutALabelKeepsTheCatalogAdvice) {
  const auto f = lint_sql("CREATE TYPE e AS ENUM ('a', 'b');\n"
                          "CREATE TABLE t (id int, c e);\n"
                          "-- next migration\n"
                          "ALTER TYPE e RENAME TO e_old;\n"
                          "CREATE TYPE e AS ENUM ('b', 'a', 'c');\n"
                          "ALTER TABLE t ALTER COLUMN c TYPE e USING c::text::e;\n");
  const auto* change = first_of(f, "change-column-type");
  ASSERT_NE(change, nullptr);
  EXPECT_TRUE(has(change->message, "from e_old to e")) << change->message;
  EXPECT_FALSE(has(change->help, "ADD VALUE")) << change->help;
}

TEST(Precision, AForeignKeyInAnAlterThatTakesAccessExclusiveSaysSo) {
  const auto f =
      lint_sql("CREATE TABLE a (id int PRIMARY KEY);\n"
               "CREATE TABLE b (id int PRIMARY KEY, a_id int, parent_id int);\n"
               "-- next migration\n"
               "ALTER TABLE b ADD COLUMN note text,\n"
               "  ADD CONSTRAINT b_a_fk FOREIGN KEY (a_id) REFERENCES a;\n"
               "-- next migration\n"
               "ALTER TABLE b ADD CONSTRAINT b_parent_fk FOREIGN KEY (parent_id) "
               "REFERENCES b;\n"
               "-- next migration\n"
               "ALTER TABLE b ADD CONSTRAINT b_a_fk2 FOREIGN KEY (a_id) REFERENCES a;\n");
  std::vector<const core::Finding*> fks;
  for (const auto& finding : f) {
    if (finding.rule == "add-foreign-key") {
      fks.push_back(&finding);
    }
  }
  ASSERT_EQ(fks.size(), 3u);
  EXPECT_TRUE(has(fks[0]->message, "ACCESS EXCLUSIVE lock on `b`")) << fks[0]->message;
  EXPECT_TRUE(has(fks[0]->message, "SHARE ROW EXCLUSIVE lock on `a`")) << fks[0]->message;
  EXPECT_FALSE(has(fks[0]->message, "both tables")) << fks[0]->message;
  EXPECT_TRUE(has(fks[1]->message, "references its own table")) << fks[1]->message;
  EXPECT_FALSE(has(fks[1]->message, "both tables")) << fks[1]->message;
  EXPECT_TRUE(has(fks[2]->message, "SHARE ROW EXCLUSIVE locks on both tables")) << fks[2]->message;
}

TEST(Precision, AnIndexBuiltUnderAnEarlierAccessExclusiveLockSaysReadsAreBlocked) {
  const auto f = lint_sql("CREATE TABLE b (id int PRIMARY KEY);\n"
                          "-- next migration\n"
                          "ALTER TABLE b ADD COLUMN x int;\n"
                          "CREATE INDEX b_x ON b (x);\n");
  const auto* index = first_of(f, "create-index-non-concurrent");
  ASSERT_NE(index, nullptr);
  EXPECT_TRUE(has(index->message, "reads and writes of the table are already blocked by the "
                                  "ACCESS EXCLUSIVE lock the statement on line 3"))
      << index->message;
  EXPECT_FALSE(has(index->message, "SHARE lock that blocks every write")) << index->message;
}

} // namespace
} // namespace miglint
