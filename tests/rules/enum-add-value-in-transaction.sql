-- case: new value used by an UPDATE in the same transaction
ALTER TYPE order_state ADD VALUE 'refunded';
UPDATE orders SET state = 'refunded' WHERE refund_id IS NOT NULL; -- expect: enum-add-value-in-transaction
-- case: new value as a column default on a table known to use the type
CREATE TYPE order_state AS ENUM ('new', 'paid');
CREATE TABLE orders (id bigint, state order_state);
-- next migration
ALTER TYPE order_state ADD VALUE 'refunded';
ALTER TABLE orders ALTER COLUMN state SET DEFAULT 'refunded'; -- expect: enum-add-value-in-transaction
-- case: new value cast explicitly
ALTER TYPE order_state ADD VALUE 'refunded' AFTER 'paid';
SELECT count(*) FROM orders WHERE state = 'refunded'::order_state; -- expect: enum-add-value-in-transaction
-- case: new value in an INSERT
ALTER TYPE order_state ADD VALUE IF NOT EXISTS 'refunded';
INSERT INTO orders (id, state) VALUES (1, 'refunded'); -- expect: enum-add-value-in-transaction
-- case: the same literal for a table whose columns do not use the type
CREATE TYPE order_state AS ENUM ('new', 'paid');
CREATE TABLE notes (id bigint, label text);
-- next migration
ALTER TYPE order_state ADD VALUE 'refunded';
UPDATE notes SET label = 'refunded' WHERE id = 3;
-- case: ADD VALUE ... AFTER the new value, and RENAME VALUE of it, are allowed
ALTER TYPE order_state ADD VALUE 'refunded';
ALTER TYPE order_state ADD VALUE 'disputed' AFTER 'refunded';
ALTER TYPE order_state RENAME VALUE 'refunded' TO 'returned';
-- case: an old value is fine
ALTER TYPE order_state ADD VALUE 'refunded';
UPDATE orders SET state = 'paid' WHERE id = 1;
-- case: used in the next migration
ALTER TYPE order_state ADD VALUE 'refunded';
-- next migration
UPDATE orders SET state = 'refunded' WHERE refund_id IS NOT NULL;
-- case: committed in between
ALTER TYPE order_state ADD VALUE 'refunded';
COMMIT;
UPDATE orders SET state = 'refunded' WHERE refund_id IS NOT NULL;
-- case: no transaction tx=none
ALTER TYPE order_state ADD VALUE 'refunded';
UPDATE orders SET state = 'refunded' WHERE refund_id IS NOT NULL;
-- case: ADD VALUE IF NOT EXISTS of a value the type already has adds nothing
CREATE TYPE order_state AS ENUM ('new', 'paid');
CREATE TABLE orders (id bigint, state order_state);
-- next migration
ALTER TYPE order_state ADD VALUE IF NOT EXISTS 'paid';
UPDATE orders SET state = 'paid' WHERE id = 1;
-- case: type created in the same transaction is still unsafe on 12 to 16 pg=16
CREATE TYPE order_state AS ENUM ('new');
ALTER TYPE order_state ADD VALUE 'paid';
CREATE TABLE orders (id bigint, state order_state DEFAULT 'paid'); -- expect: enum-add-value-in-transaction
-- case: type created in the same transaction is safe from 17 pg=17
CREATE TYPE order_state AS ENUM ('new');
ALTER TYPE order_state ADD VALUE 'paid';
CREATE TABLE orders (id bigint, state order_state DEFAULT 'paid');
-- case: before PostgreSQL 12 ADD VALUE itself fails in a transaction pg=11
ALTER TYPE order_state ADD VALUE 'refunded'; -- expect: enum-add-value-in-transaction
UPDATE orders SET state = 'refunded' WHERE refund_id IS NOT NULL;
-- case: IF NOT EXISTS does not help before 12 pg=11
ALTER TYPE order_state ADD VALUE IF NOT EXISTS 'refunded'; -- expect: enum-add-value-in-transaction
-- case: before 12, allowed for a type created in the same transaction pg=11
CREATE TYPE order_state AS ENUM ('new');
ALTER TYPE order_state ADD VALUE 'paid';
CREATE TABLE orders (id bigint, state order_state DEFAULT 'paid');
-- case: before 12, fine outside a transaction pg=11 tx=none
ALTER TYPE order_state ADD VALUE 'refunded';
-- case: before 12, RENAME VALUE is allowed in a transaction pg=11
ALTER TYPE order_state RENAME VALUE 'new' TO 'fresh';
