-- case: schema change with an empty downgrade (reported where the downgrade is)
ALTER TABLE users ADD COLUMN age integer;
-- downgrade
-- (empty) -- expect: empty-downgrade
-- case: a downgrade with only comments is empty
CREATE INDEX CONCURRENTLY users_age_idx ON users (age);
-- downgrade
-- nothing to do -- expect: empty-downgrade
-- case: data migration with an empty downgrade
UPDATE users SET age = 0 WHERE age IS NULL;
-- downgrade
-- case: downgrade that undoes it
ALTER TABLE users ADD COLUMN age integer;
-- downgrade
ALTER TABLE users DROP COLUMN age;
-- case: no downgrade script at all
ALTER TABLE users ADD COLUMN age integer;
-- case: a data migration with a DO block and temporary helpers
CREATE TEMPORARY TABLE todo ON COMMIT DROP AS SELECT id FROM users WHERE age IS NULL;
CREATE OR REPLACE FUNCTION pg_temp.fix(n integer) RETURNS integer LANGUAGE sql AS 'SELECT n';
UPDATE users SET age = pg_temp.fix(0) WHERE id IN (SELECT id FROM todo);
DO $$ BEGIN IF EXISTS (SELECT 1 FROM users WHERE age IS NULL) THEN RAISE 'left over'; END IF; END $$;
-- downgrade
-- case: privileges and roles are not schema
GRANT SELECT ON users TO reporting;
ALTER ROLE reporting SET statement_timeout = '8s';
-- downgrade
-- case: a value added to an enum type cannot be removed: nothing to undo
ALTER TYPE state ADD VALUE IF NOT EXISTS 'crashed';
-- downgrade
-- case: an extension installed if missing
CREATE EXTENSION IF NOT EXISTS pg_trgm;
-- downgrade
-- case: IF NOT EXISTS of what the history already has changes nothing
CREATE TABLE users (id bigint, age integer);
CREATE INDEX users_age_idx ON users (age);
-- downgrade
DROP TABLE users;
-- next migration
ALTER TABLE users ADD COLUMN IF NOT EXISTS age integer;
CREATE INDEX IF NOT EXISTS users_age_idx ON users (age);
-- downgrade
-- case: a schema change among the data still counts
CREATE TEMPORARY TABLE todo (id bigint);
ALTER TABLE users ADD COLUMN age integer;
-- downgrade
-- nothing -- expect: empty-downgrade
-- case: an index on a temporary table, and dropping it, change no schema
DROP TABLE IF EXISTS dedup;
CREATE TEMP TABLE dedup AS SELECT id FROM users;
CREATE INDEX ON dedup (id);
DELETE FROM users WHERE id IN (SELECT id FROM dedup);
DROP TABLE dedup;
-- downgrade
-- case: DROP ... IF EXISTS of objects the history never had changes nothing
CREATE TABLE users (id int PRIMARY KEY, login text);
-- next migration
DROP INDEX IF EXISTS never_created_idx;
ALTER TABLE users DROP CONSTRAINT IF EXISTS never_created_key;
-- downgrade
-- case: DROP CONSTRAINT IF EXISTS of a constraint the table has is a change
CREATE TABLE users (id int PRIMARY KEY, login text CONSTRAINT login_unique UNIQUE);
-- next migration
ALTER TABLE users DROP CONSTRAINT IF EXISTS login_unique;
-- downgrade
-- nothing -- expect: empty-downgrade
