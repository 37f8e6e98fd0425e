-- case: plain index
CREATE INDEX orders_created_idx ON orders (created_at); -- expect: create-index-non-concurrent
-- case: unique, schema-qualified, unnamed
CREATE UNIQUE INDEX ON billing.orders (number); -- expect: create-index-non-concurrent
-- case: concurrently outside a transaction tx=none
CREATE INDEX CONCURRENTLY orders_created_idx ON orders (created_at);
-- case: new table
CREATE TABLE invoices (created_at timestamptz);
CREATE INDEX invoices_created_idx ON invoices (created_at);
-- case: a table with the same name in another schema is not new
CREATE TABLE archive.orders (created_at timestamptz);
CREATE INDEX orders_created_idx ON orders (created_at); -- expect: create-index-non-concurrent
-- case: new table is only new in its own migration
CREATE TABLE invoices (created_at timestamptz);
-- next migration
CREATE INDEX invoices_created_idx ON invoices (created_at); -- expect: create-index-non-concurrent
-- case: IF NOT EXISTS on an index the history already built is a no-op
CREATE TABLE invoices (created_at timestamptz);
CREATE INDEX invoices_created_idx ON invoices (created_at);
-- next migration
CREATE INDEX IF NOT EXISTS invoices_created_idx ON invoices (created_at);
-- case: IF NOT EXISTS on an index the history dropped again builds it
CREATE TABLE invoices (created_at timestamptz);
CREATE INDEX invoices_created_idx ON invoices (created_at);
DROP INDEX invoices_created_idx;
-- next migration
CREATE INDEX IF NOT EXISTS invoices_created_idx ON invoices (created_at); -- expect: create-index-non-concurrent
-- case: IF NOT EXISTS on a constraint's index the history has
CREATE TABLE invoices (number text, CONSTRAINT invoices_number_key UNIQUE (number));
-- next migration
CREATE UNIQUE INDEX IF NOT EXISTS invoices_number_key ON invoices (number);
-- case: a table that must be empty: the migration adds a NOT NULL column without a default first
ALTER TABLE orders ADD COLUMN status text NOT NULL; -- expect: add-column-not-null-no-default
CREATE INDEX orders_status_idx ON orders (status);
-- case: outside a transaction the table may fill up in between tx=none
ALTER TABLE orders ADD COLUMN status text NOT NULL; -- expect: add-column-not-null-no-default
CREATE INDEX orders_status_idx ON orders (status); -- expect: create-index-non-concurrent
-- case: the migration writes rows into the empty table before the index
ALTER TABLE orders ADD COLUMN status text NOT NULL; -- expect: add-column-not-null-no-default
INSERT INTO orders (status) SELECT 'new' FROM generate_series(1, 10);
CREATE INDEX orders_status_idx ON orders (status); -- expect: create-index-non-concurrent
-- case: a partitioned table: the advice changes, the finding stays
CREATE TABLE events (id bigint, kind text, at timestamptz) PARTITION BY RANGE (at);
-- next migration
CREATE INDEX ON events (kind); -- expect: create-index-non-concurrent
-- case: ON ONLY a partitioned table reads no data
CREATE TABLE events (id bigint, kind text, at timestamptz) PARTITION BY RANGE (at);
-- next migration
CREATE INDEX events_kind_idx ON ONLY events (kind);
