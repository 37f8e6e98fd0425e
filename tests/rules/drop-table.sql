-- case: drop a table
DROP TABLE legacy_orders; -- expect: drop-table
-- case: several tables
DROP TABLE IF EXISTS a, b CASCADE; -- expect: drop-table, drop-table
-- case: table created in this migration
CREATE TABLE scratch (id bigint);
DROP TABLE scratch;
-- case: dropping a view is not dropping a table
DROP VIEW orders_view;
