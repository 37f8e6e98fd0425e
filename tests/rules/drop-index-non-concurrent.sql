-- case: drop index
DROP INDEX orders_created_idx; -- expect: drop-index-non-concurrent
-- case: several indexes in one statement
DROP INDEX IF EXISTS a_idx, b_idx; -- expect: drop-index-non-concurrent, drop-index-non-concurrent
-- case: concurrently tx=none
DROP INDEX CONCURRENTLY orders_created_idx;
-- case: index created in this migration
CREATE INDEX CONCURRENTLY tmp_idx ON orders (id);
DROP INDEX tmp_idx;
-- case: index on a table created in this migration, dropped in the next one
CREATE TABLE invoices (id bigint);
CREATE INDEX invoices_id_idx ON invoices (id);
-- next migration
DROP INDEX invoices_id_idx; -- expect: drop-index-non-concurrent
-- case: an index of a table the same migration drops right after
CREATE TABLE openids (id bigint, sub text);
CREATE INDEX openids_subkey ON openids (sub);
-- next migration
DROP INDEX openids_subkey;
DROP TABLE openids; -- expect: drop-table
-- case: an index dropped and built again under its name is still a drop
CREATE TABLE entitlements (id bigint);
CREATE INDEX entitlement_id ON entitlements (id);
-- next migration
DROP INDEX entitlement_id; -- expect: drop-index-non-concurrent
CREATE UNIQUE INDEX entitlement_id ON entitlements (id); -- expect: create-index-non-concurrent
-- case: DROP ... IF EXISTS of what a history that built every table never had changes nothing
CREATE TABLE users (id int PRIMARY KEY, login text);
-- next migration
DROP INDEX IF EXISTS never_created_idx;
ALTER TABLE users DROP CONSTRAINT IF EXISTS never_created_key;
-- case: a name PostgreSQL may have generated for a known table is not assumed absent
CREATE TABLE users (id int PRIMARY KEY, login text);
-- next migration
DROP INDEX IF EXISTS users_login_idx; -- expect: drop-index-non-concurrent
-- case: after a DO block anything may exist
CREATE TABLE users (id int PRIMARY KEY, login text);
DO $$ BEGIN EXECUTE 'CREATE INDEX legacy_login ON users (login)'; END $$;
-- next migration
DROP INDEX IF EXISTS legacy_login; -- expect: drop-index-non-concurrent
-- case: a history that alters a table it never created started after that table was built
CREATE TABLE users (id int PRIMARY KEY, login text);
ALTER TABLE orders ADD COLUMN note text;
-- next migration
DROP INDEX IF EXISTS legacy_login; -- expect: drop-index-non-concurrent
-- case: the index an unnamed CREATE INDEX got is known under PostgreSQL's name
CREATE TABLE names (id int PRIMARY KEY, name text);
CREATE UNIQUE INDEX ON names (lower(name));
-- next migration
DROP INDEX IF EXISTS names_lower_idx; -- expect: drop-index-non-concurrent
