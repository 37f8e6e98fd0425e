-- case: drop a table
DROP TABLE legacy_orders; -- expect: drop-table
-- case: several tables
DROP TABLE IF EXISTS a, b CASCADE; -- expect: drop-table, drop-table
-- case: table created in this migration
CREATE TABLE scratch (id bigint);
DROP TABLE scratch;
-- case: dropping a view is not dropping a table
DROP VIEW orders_view;
-- case: DROP TABLE IF EXISTS of a table the history never named may drop a real one
CREATE TABLE users (id int PRIMARY KEY);
-- next migration
DROP TABLE IF EXISTS schema_migrations; -- expect: drop-table
-- case: DROP TABLE IF EXISTS of a table the history dropped changes nothing
CREATE TABLE users (id int PRIMARY KEY);
CREATE TABLE scratch (id int);
-- next migration
DROP TABLE scratch; -- expect: drop-table
-- next migration
DROP TABLE IF EXISTS scratch;
-- case: a table made by CREATE TABLE AS exists
CREATE TABLE users (id int PRIMARY KEY);
CREATE TABLE users_copy AS SELECT * FROM users;
-- next migration
DROP TABLE IF EXISTS users_copy; -- expect: drop-table
-- case: a table renamed away is gone, its new name is not
CREATE TABLE users (id int PRIMARY KEY);
ALTER TABLE users RENAME TO members;
-- next migration
DROP TABLE IF EXISTS users;
DROP TABLE IF EXISTS members; -- expect: drop-table
