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
