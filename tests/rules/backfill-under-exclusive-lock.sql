-- case: add a column, then fill it
ALTER TABLE orders ADD COLUMN total_cents bigint;
UPDATE orders SET total_cents = total * 100; -- expect: backfill-under-exclusive-lock
-- case: add, fill where NULL, set NOT NULL
ALTER TABLE orders ADD COLUMN archived boolean;
UPDATE orders SET archived = false WHERE archived IS NULL; -- expect: backfill-under-exclusive-lock
ALTER TABLE orders ALTER COLUMN archived SET NOT NULL; -- expect: set-not-null
-- case: DELETE after an index build (SHARE blocks writes)
CREATE INDEX orders_state_idx ON orders (state); -- expect: create-index-non-concurrent
DELETE FROM orders WHERE state = 'draft' OR state IS NULL; -- expect: backfill-under-exclusive-lock
-- case: UPDATE ... FROM a join
ALTER TABLE orders ADD COLUMN customer_name text;
UPDATE orders o SET customer_name = c.name FROM customers c WHERE o.customer_id = c.id; -- expect: backfill-under-exclusive-lock
-- case: explicit BEGIN tx=none
BEGIN;
ALTER TABLE orders ADD COLUMN total_cents bigint;
UPDATE orders SET total_cents = total * 100; -- expect: backfill-under-exclusive-lock
COMMIT;
-- case: a row picked by key
ALTER TABLE orders ADD COLUMN total_cents bigint;
UPDATE orders SET total_cents = 0 WHERE id = 42;
DELETE FROM orders WHERE id IN (1, 2, 3);
-- case: backfill in the next migration
ALTER TABLE orders ADD COLUMN total_cents bigint;
-- next migration
UPDATE orders SET total_cents = total * 100; -- expect: dml-in-migration
-- case: committed in between
ALTER TABLE orders ADD COLUMN total_cents bigint;
COMMIT;
UPDATE orders SET total_cents = total * 100; -- expect: dml-in-migration
-- case: no transaction tx=none
ALTER TABLE orders ADD COLUMN total_cents bigint;
UPDATE orders SET total_cents = total * 100; -- expect: dml-in-migration
-- case: another table was locked
ALTER TABLE customers ADD COLUMN note text;
UPDATE orders SET total_cents = total * 100; -- expect: dml-in-migration
-- case: a table created in the migration
CREATE TABLE invoices (id bigint, total int);
ALTER TABLE invoices ADD COLUMN total_cents bigint;
UPDATE invoices SET total_cents = total * 100;
