-- case: plain SET NOT NULL
ALTER TABLE orders ALTER COLUMN customer_id SET NOT NULL; -- expect: set-not-null
-- case: validated CHECK in the same migration, PostgreSQL 12+
ALTER TABLE orders ADD CONSTRAINT c_nn CHECK (customer_id IS NOT NULL) NOT VALID;
ALTER TABLE orders VALIDATE CONSTRAINT c_nn;
ALTER TABLE orders ALTER COLUMN customer_id SET NOT NULL;
-- case: validated CHECK in an earlier migration
ALTER TABLE orders ADD CONSTRAINT c_nn CHECK (customer_id IS NOT NULL) NOT VALID;
-- next migration
ALTER TABLE orders VALIDATE CONSTRAINT c_nn;
-- next migration
ALTER TABLE orders ALTER COLUMN customer_id SET NOT NULL;
-- case: CHECK with AND still proves it
ALTER TABLE orders ADD CONSTRAINT c_nn CHECK (customer_id IS NOT NULL AND customer_id > 0);
ALTER TABLE orders ALTER COLUMN customer_id SET NOT NULL;
-- case: a NOT VALID check that was never validated does not help
ALTER TABLE orders ADD CONSTRAINT c_nn CHECK (customer_id IS NOT NULL) NOT VALID;
ALTER TABLE orders ALTER COLUMN customer_id SET NOT NULL; -- expect: set-not-null
-- case: a check on another column does not help
ALTER TABLE orders ADD CONSTRAINT c_nn CHECK (other_id IS NOT NULL);
ALTER TABLE orders ALTER COLUMN customer_id SET NOT NULL; -- expect: set-not-null
-- case: a dropped check does not help
ALTER TABLE orders ADD CONSTRAINT c_nn CHECK (customer_id IS NOT NULL);
ALTER TABLE orders DROP CONSTRAINT c_nn;
ALTER TABLE orders ALTER COLUMN customer_id SET NOT NULL; -- expect: set-not-null
-- case: PostgreSQL 11 always scans pg=11
ALTER TABLE orders ADD CONSTRAINT c_nn CHECK (customer_id IS NOT NULL);
ALTER TABLE orders ALTER COLUMN customer_id SET NOT NULL; -- expect: set-not-null
-- case: new table
CREATE TABLE invoices (customer_id bigint);
ALTER TABLE invoices ALTER COLUMN customer_id SET NOT NULL;
-- case: the column already is NOT NULL: PostgreSQL does nothing
CREATE TABLE invoices (customer_id bigint NOT NULL);
-- next migration
ALTER TABLE invoices ALTER COLUMN customer_id SET NOT NULL;
-- case: a table that must be empty (same statement adds a NOT NULL column without default)
ALTER TABLE orders ADD COLUMN status text NOT NULL, ALTER COLUMN customer_id SET NOT NULL; -- expect: add-column-not-null-no-default
-- case: the finding points at its subcommand of a longer ALTER TABLE
ALTER TABLE orders ADD COLUMN note text, ALTER COLUMN customer_id SET NOT NULL; -- expect: set-not-null @42 "SET NOT NULL on `orders.customer_id`"
-- case: a subcommand on a line of its own, after a comma inside parentheses
ALTER TABLE "public"."orders"
  ADD CONSTRAINT c_amount CHECK (amount IN (1, 2)) NOT VALID,
  ALTER COLUMN customer_id SET NOT NULL; -- expect: set-not-null @3 "scans the whole table"
-- case: commas inside string literals (with a backslash escape) do not end a subcommand
ALTER TABLE orders ALTER COLUMN note SET DEFAULT E'a\', b', ALTER COLUMN customer_id SET NOT NULL; -- expect: set-not-null @61
