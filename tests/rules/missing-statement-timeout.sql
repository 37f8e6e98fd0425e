-- case: an index build blocks writes for as long as it runs, reported once per migration
CREATE INDEX orders_a_idx ON orders (a); -- expect: missing-statement-timeout
CREATE INDEX orders_b_idx ON orders (b);
-- case: instant statements do not need it
ALTER TABLE orders ADD COLUMN note text;
ALTER TABLE orders DROP COLUMN legacy;
ALTER TABLE orders ADD CONSTRAINT orders_amount_check CHECK (amount > 0) NOT VALID;
ALTER TABLE orders VALIDATE CONSTRAINT orders_amount_check;
-- case: a validated CHECK scans under ACCESS EXCLUSIVE
ALTER TABLE orders ADD CONSTRAINT orders_amount_check CHECK (amount > 0); -- expect: missing-statement-timeout
-- case: statement_timeout set first
SET statement_timeout = '15min';
CREATE INDEX orders_a_idx ON orders (a);
-- case: set too late
ALTER TABLE orders ALTER COLUMN note SET NOT NULL; -- expect: missing-statement-timeout
SET statement_timeout = '15min';
-- case: disabled with 0
SET statement_timeout = 0;
ALTER TABLE orders ALTER COLUMN note TYPE bigint; -- expect: missing-statement-timeout
-- case: SET LOCAL lasts until the end of the transaction
SET LOCAL statement_timeout = '15min';
CREATE INDEX orders_a_idx ON orders (a);
COMMIT;
CREATE INDEX orders_b_idx ON orders (b); -- expect: missing-statement-timeout
-- case: transaction_timeout bounds statements in a transaction on PostgreSQL 17 pg=17
SET transaction_timeout = '15min';
CREATE INDEX orders_a_idx ON orders (a);
-- case: transaction_timeout does not exist before PostgreSQL 17 pg=16
SET transaction_timeout = '15min';
CREATE INDEX orders_a_idx ON orders (a); -- expect: missing-statement-timeout
-- case: concurrent builds block nothing tx=none
CREATE INDEX CONCURRENTLY orders_a_idx ON orders (a);
-- case: tables created in the same migration
CREATE TABLE invoices (id bigint PRIMARY KEY, note text);
CREATE INDEX invoices_note_idx ON invoices (note);
-- case: a new column with a volatile default rewrites
ALTER TABLE orders ADD COLUMN token uuid DEFAULT gen_random_uuid(); -- expect: missing-statement-timeout
-- case: a new column referencing another table without a default does not scan
ALTER TABLE orders ADD COLUMN customer_id bigint REFERENCES customers (id);
