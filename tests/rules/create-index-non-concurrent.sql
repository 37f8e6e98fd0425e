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
