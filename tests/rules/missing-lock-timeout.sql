-- case: no timeout, reported once per migration
ALTER TABLE orders ADD COLUMN note text; -- expect: missing-lock-timeout
ALTER TABLE orders ADD COLUMN note2 text;
-- case: timeout set first
SET lock_timeout = '5s';
ALTER TABLE orders ADD COLUMN note text;
-- case: timeout set too late
ALTER TABLE orders ADD COLUMN note text; -- expect: missing-lock-timeout
SET lock_timeout = '5s';
-- case: timeout disabled with 0
SET lock_timeout = 0;
ALTER TABLE orders ADD COLUMN note text; -- expect: missing-lock-timeout
-- case: timeout reset
SET lock_timeout = '5s';
RESET lock_timeout;
DROP TABLE orders; -- expect: missing-lock-timeout
-- case: SET LOCAL ends with the transaction
SET LOCAL lock_timeout = '5s';
ALTER TABLE orders ADD COLUMN note text;
COMMIT;
ALTER TABLE orders ADD COLUMN note2 text; -- expect: missing-lock-timeout
-- case: SET LOCAL outside a transaction does nothing tx=none
SET LOCAL lock_timeout = '5s';
ALTER TABLE orders ADD COLUMN note text; -- expect: missing-lock-timeout
-- case: a new table referencing an existing one locks it SHARE ROW EXCLUSIVE
CREATE TABLE invoices (order_id bigint REFERENCES orders (id)); -- expect: missing-lock-timeout
-- case: each migration needs its own timeout
SET lock_timeout = '5s';
ALTER TABLE orders ADD COLUMN note text;
-- next migration
ALTER TABLE orders ADD COLUMN note2 text; -- expect: missing-lock-timeout
-- case: weaker locks do not need it
CREATE INDEX CONCURRENTLY a_idx ON orders (a);
ALTER TABLE orders VALIDATE CONSTRAINT fk;
CREATE TABLE invoices (id bigint);
ALTER TABLE invoices ADD COLUMN note text;
-- case: CREATE INDEX takes SHARE, which does not need it
CREATE INDEX a_idx ON orders (a);
-- case: DROP INDEX / TABLE IF EXISTS of what the history never had or dropped locks nothing
CREATE TABLE users (id int PRIMARY KEY, login text);
CREATE TABLE scratch (id int);
DROP TABLE scratch;
-- next migration
DROP INDEX IF EXISTS never_created_idx;
DROP TABLE IF EXISTS scratch;
ALTER TABLE IF EXISTS scratch ADD COLUMN note text;
-- case: DROP TABLE IF EXISTS of a table the history never named may lock a real one
CREATE TABLE users (id int PRIMARY KEY, login text);
-- next migration
DROP TABLE IF EXISTS schema_migrations; -- expect: missing-lock-timeout
-- case: DROP CONSTRAINT IF EXISTS of a missing constraint still locks the table
CREATE TABLE users (id int PRIMARY KEY, login text);
-- next migration
ALTER TABLE users DROP CONSTRAINT IF EXISTS never_created_key; -- expect: missing-lock-timeout
-- case: the index of an unknown table
DROP INDEX IF EXISTS legacy_login; -- expect: missing-lock-timeout
