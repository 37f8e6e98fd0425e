-- case: unknown current type
ALTER TABLE orders ALTER COLUMN quantity TYPE bigint; -- expect: change-column-type
-- case: known rewriting change
CREATE TABLE notes (id int, body varchar(200), amount numeric(10,2), at timestamp(3));
-- next migration
ALTER TABLE notes ALTER COLUMN id TYPE bigint; -- expect: change-column-type
ALTER TABLE notes ALTER COLUMN body TYPE varchar(100); -- expect: change-column-type
ALTER TABLE notes ALTER COLUMN amount TYPE numeric(12,4); -- expect: change-column-type
-- case: binary-coercible changes
CREATE TABLE notes (id int, body varchar(200), amount numeric(10,2), at timestamp(3), addr cidr);
-- next migration
ALTER TABLE notes ALTER COLUMN body TYPE varchar(300);
ALTER TABLE notes ALTER COLUMN body TYPE text;
ALTER TABLE notes ALTER COLUMN body TYPE varchar;
ALTER TABLE notes ALTER COLUMN amount TYPE numeric(14,2);
ALTER TABLE notes ALTER COLUMN amount TYPE numeric;
ALTER TABLE notes ALTER COLUMN at TYPE timestamp(6);
ALTER TABLE notes ALTER COLUMN addr TYPE inet;
ALTER TABLE notes ALTER COLUMN id TYPE integer;
-- case: USING an expression rewrites
CREATE TABLE notes (body varchar(200));
-- next migration
ALTER TABLE notes ALTER COLUMN body TYPE text USING trim(body); -- expect: change-column-type
-- case: USING the column itself converts as without USING
CREATE TABLE notes (body varchar(200), id int);
-- next migration
ALTER TABLE notes ALTER COLUMN body TYPE text USING body;
ALTER TABLE notes ALTER COLUMN id TYPE bigint USING id; -- expect: change-column-type
-- case: the type learnt from an earlier change
CREATE TABLE notes (body varchar(200));
-- next migration
ALTER TABLE notes ALTER COLUMN body TYPE text;
-- next migration
ALTER TABLE notes ALTER COLUMN body TYPE varchar(50); -- expect: change-column-type
-- case: column added later is known too
ALTER TABLE orders ADD COLUMN code varchar(10);
-- next migration
ALTER TABLE orders ALTER COLUMN code TYPE varchar(20);
-- case: new table
CREATE TABLE notes (id int);
ALTER TABLE notes ALTER COLUMN id TYPE bigint;
-- case: timestamp <-> timestamptz with the session timezone UTC keeps the table
CREATE TABLE events (at timestamp(3), done timestamptz);
-- next migration
SET timezone = 'UTC';
ALTER TABLE events ALTER COLUMN at TYPE timestamptz;
ALTER TABLE events ALTER COLUMN done TYPE timestamp;
-- case: other spellings of UTC
CREATE TABLE events (at timestamp, done timestamp);
-- next migration
SET TIME ZONE 'Etc/UTC';
ALTER TABLE events ALTER COLUMN at TYPE timestamptz;
SET timezone TO 'GMT';
ALTER TABLE events ALTER COLUMN done TYPE timestamptz(6);
-- case: timestamp -> timestamptz in the server's timezone rewrites
CREATE TABLE events (at timestamp);
-- next migration
ALTER TABLE events ALTER COLUMN at TYPE timestamptz; -- expect: change-column-type
-- case: another timezone, or UTC reset, rewrites
CREATE TABLE events (at timestamp, done timestamp);
-- next migration
SET timezone = 'Europe/Paris';
ALTER TABLE events ALTER COLUMN at TYPE timestamptz; -- expect: change-column-type
SET timezone = 'UTC';
RESET timezone;
ALTER TABLE events ALTER COLUMN done TYPE timestamptz; -- expect: change-column-type
-- case: SET LOCAL timezone lasts until the transaction ends tx=none
CREATE TABLE events (at timestamp, done timestamp);
-- next migration
BEGIN;
SET LOCAL timezone = 'UTC';
ALTER TABLE events ALTER COLUMN at TYPE timestamptz;
COMMIT;
ALTER TABLE events ALTER COLUMN done TYPE timestamptz; -- expect: change-column-type
-- case: UTC does not help before PostgreSQL 12 pg=11
CREATE TABLE events (at timestamp);
-- next migration
SET timezone = 'UTC';
ALTER TABLE events ALTER COLUMN at TYPE timestamptz; -- expect: change-column-type
-- case: a shorter precision in UTC still rewrites
CREATE TABLE events (at timestamp(6));
-- next migration
SET timezone = 'UTC';
ALTER TABLE events ALTER COLUMN at TYPE timestamptz(0); -- expect: change-column-type
-- case: USING an expression in UTC rewrites, USING the column does not
CREATE TABLE events (at timestamp, done timestamp);
-- next migration
SET timezone = 'UTC';
ALTER TABLE events ALTER COLUMN at TYPE timestamptz USING at AT TIME ZONE 'Europe/Paris'; -- expect: change-column-type
ALTER TABLE events ALTER COLUMN done TYPE timestamptz USING done;
-- case: the third subcommand of a long ALTER TABLE, with quoted names and a comment
CREATE TABLE notes (id int, body varchar(200), amount numeric(10,2));
-- next migration
ALTER TABLE notes ALTER COLUMN body TYPE varchar(300), /* widen, ok */ ALTER COLUMN "amount" SET DEFAULT 0,
  ALTER COLUMN id TYPE bigint; -- expect: change-column-type @3 "notes.id"
