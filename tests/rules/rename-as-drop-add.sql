-- case: add then drop, as autogenerate writes it
CREATE TABLE users (id bigint, name varchar(50));
-- next migration
ALTER TABLE users ADD COLUMN full_name text;
ALTER TABLE users DROP COLUMN name; -- expect: rename-as-drop-add
-- case: drop then add, the table's only drop and only add
CREATE TABLE users (id bigint, n integer);
-- next migration
ALTER TABLE users DROP COLUMN n; -- expect: rename-as-drop-add
ALTER TABLE users ADD COLUMN total bigint;
-- case: both in one statement
CREATE TABLE users (id bigint, name text);
-- next migration
ALTER TABLE users DROP COLUMN name, ADD COLUMN full_name text; -- expect: rename-as-drop-add
-- case: one dropped column and unrelated added ones: no plausible pair
CREATE TABLE t (id bigint, series text);
-- next migration
ALTER TABLE t DROP COLUMN series;
ALTER TABLE t ADD COLUMN supplier_name text;
ALTER TABLE t ADD COLUMN customer_name text;
-- case: a dropped column pairs with the one added column whose name is alike, once
CREATE TABLE macaroons (id bigint, oidc_provider_id uuid);
-- next migration
ALTER TABLE macaroons DROP COLUMN oidc_provider_id; -- expect: rename-as-drop-add
ALTER TABLE macaroons ADD COLUMN caveats uuid;
ALTER TABLE macaroons ADD COLUMN oidc_publisher_id uuid;
ALTER TABLE macaroons ADD COLUMN oidc_publisher uuid;
-- case: two drops, two adds: each pairs with its best match only
CREATE TABLE invoices (id bigint, due_date timestamptz, issue_date timestamptz);
-- next migration
ALTER TABLE invoices DROP COLUMN due_date, DROP COLUMN issue_date, ADD COLUMN issued_at timestamptz, ADD COLUMN due_at timestamptz; -- expect: rename-as-drop-add, rename-as-drop-add
-- case: the old column's data is copied before the drop
CREATE TABLE runs (id bigint, collection_end timestamptz);
-- next migration
ALTER TABLE runs ADD COLUMN service_period_to timestamptz;
UPDATE runs SET service_period_to = collection_end;
ALTER TABLE runs DROP COLUMN collection_end;
-- case: a column dropped and re-added under its name is a type change, not a rename
CREATE TABLE users (id bigint, name text, nick text);
-- next migration
ALTER TABLE users DROP COLUMN name;
ALTER TABLE users ADD COLUMN name varchar(80);
-- case: incompatible types are not a rename
CREATE TABLE users (id bigint, name text);
-- next migration
ALTER TABLE users ADD COLUMN born date;
ALTER TABLE users DROP COLUMN name;
-- case: unknown type of the dropped column: no guess
ALTER TABLE users ADD COLUMN full_name text;
ALTER TABLE users DROP COLUMN name;
-- case: different tables
CREATE TABLE users (id bigint, name text);
CREATE TABLE teams (id bigint);
-- next migration
ALTER TABLE teams ADD COLUMN full_name text;
ALTER TABLE users DROP COLUMN name;
-- case: a real rename
CREATE TABLE users (id bigint, name text);
-- next migration
ALTER TABLE users RENAME COLUMN name TO full_name;
-- case: a table dropped and recreated with the same columns
CREATE TABLE members (id bigint, name text);
-- next migration
CREATE TABLE users (id bigint, name text);
DROP TABLE members; -- expect: rename-as-drop-add
-- case: each dropped table pairs with one created table, the most alike by name
CREATE TABLE oidc_providers (id bigint, name text);
CREATE TABLE pending_oidc_providers (id bigint, name text);
-- next migration
DROP TABLE oidc_providers; -- expect: rename-as-drop-add
DROP TABLE pending_oidc_providers; -- expect: rename-as-drop-add
CREATE TABLE oidc_publishers (id bigint, name text);
CREATE TABLE pending_oidc_publishers (id bigint, name text);
-- case: a different table is not a rename
CREATE TABLE members (id bigint, name text);
-- next migration
CREATE TABLE users (id bigint, email text);
DROP TABLE members;
