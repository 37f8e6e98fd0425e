-- case: copy, drop, rename: reported on the drop
CREATE TABLE account (id bigint PRIMARY KEY, name varchar(50));
-- next migration
CREATE TABLE account_new (id bigint PRIMARY KEY, name text);
INSERT INTO account_new (id, name) SELECT id, name FROM account;
DROP TABLE account; -- expect: copy-swap-table @1 "rows written to `account` after the copy's snapshot are lost"
ALTER TABLE account_new RENAME TO account;
-- case: Alembic's batch copy says where it comes from
CREATE TABLE account (id bigint PRIMARY KEY, name varchar(50));
-- next migration
CREATE TABLE _alembic_tmp_account (id bigint PRIMARY KEY, name text);
INSERT INTO _alembic_tmp_account (id, name) SELECT account.id, account.name FROM account;
DROP TABLE account; -- expect: copy-swap-table "batch_alter_table(recreate="
ALTER TABLE _alembic_tmp_account RENAME TO account;
-- case: in a schema
CREATE SCHEMA app;
CREATE TABLE app.account (id bigint, name text);
-- next migration
CREATE TABLE app.account_v2 (id bigint, name text);
INSERT INTO app.account_v2 SELECT * FROM app.account;
DROP TABLE app.account; -- expect: copy-swap-table
ALTER TABLE app.account_v2 RENAME TO account;
-- case: a table created in this migration has no one else's rows
CREATE TABLE account (id bigint, name varchar(50));
CREATE TABLE account_new (id bigint, name text);
INSERT INTO account_new SELECT * FROM account;
DROP TABLE account;
ALTER TABLE account_new RENAME TO account;
-- case: the copy is kept beside the old table: no swap
CREATE TABLE account (id bigint, name text);
-- next migration
CREATE TABLE account_archive (id bigint, name text);
INSERT INTO account_archive SELECT * FROM account;
ALTER TABLE account_archive RENAME TO account_backup;
-- case: a table renamed into the place of a dropped one, with no copy between them
CREATE TABLE account (id bigint, name text);
CREATE TABLE account_staging (id bigint, name text);
-- next migration
DROP TABLE account;
ALTER TABLE account_staging RENAME TO account;
-- case: rows copied from another table than the one replaced
CREATE TABLE account (id bigint, name text);
CREATE TABLE legacy (id bigint, name text);
-- next migration
CREATE TABLE account_new (id bigint, name text);
INSERT INTO account_new SELECT * FROM legacy;
DROP TABLE account;
ALTER TABLE account_new RENAME TO account;
-- case: an ALTER TABLE before the copy already holds ACCESS EXCLUSIVE
CREATE TABLE account (id bigint, name text);
-- next migration
ALTER TABLE account ADD COLUMN note text;
CREATE TABLE account_new (id bigint, name text, note text);
INSERT INTO account_new SELECT * FROM account;
DROP TABLE account; -- expect: copy-swap-table "blocks reads and writes of `account`"
ALTER TABLE account_new RENAME TO account;
-- case: writes stopped before the copy (the safe alternative's lock): nothing is lost, the table is blocked
CREATE TABLE account (id bigint, name text);
-- next migration
LOCK TABLE account IN EXCLUSIVE MODE;
CREATE TABLE account_new (id bigint, name text);
INSERT INTO account_new SELECT * FROM account;
DROP TABLE account; -- expect: copy-swap-table "keeps the copy complete, and blocks writes of `account`"
ALTER TABLE account_new RENAME TO account;
