-- case: table dropped, type left
CREATE TYPE status AS ENUM ('a', 'b');
CREATE TABLE users (id bigint, s status);
-- downgrade
DROP TABLE users; -- expect: enum-type-leak
-- case: column dropped, type left
CREATE TYPE status AS ENUM ('a', 'b');
ALTER TABLE users ADD COLUMN s status;
-- downgrade
ALTER TABLE users DROP COLUMN s; -- expect: enum-type-leak
-- case: type dropped too
CREATE TYPE status AS ENUM ('a', 'b');
CREATE TABLE users (id bigint, s status);
-- downgrade
DROP TABLE users;
DROP TYPE IF EXISTS status;
-- case: no statement uses it: reported on the downgrade as a whole
CREATE TYPE status AS ENUM ('a', 'b');
-- downgrade
SELECT 1; -- expect: enum-type-leak
-- case: no downgrade script at all
CREATE TYPE status AS ENUM ('a', 'b');
-- case: schema-qualified type dropped
CREATE TYPE app.status AS ENUM ('a');
-- downgrade
DROP TYPE app.status;
-- case: a type the upgrade replaces (renamed away, created anew) existed before it
CREATE TYPE status AS ENUM ('a', 'b');
CREATE TABLE users (id bigint, s status);
-- next migration
ALTER TYPE status RENAME TO status_old;
CREATE TYPE status AS ENUM ('a', 'b', 'c');
ALTER TABLE users ALTER COLUMN s TYPE status USING s::text::status;
DROP TYPE status_old;
-- downgrade
ALTER TYPE status RENAME TO status_old;
CREATE TYPE status AS ENUM ('a', 'b');
ALTER TABLE users ALTER COLUMN s TYPE status USING s::text::status;
DROP TYPE status_old;
-- case: a downgrade miglint cannot read in full may drop it
CREATE TYPE status AS ENUM ('a', 'b');
CREATE TABLE users (id bigint, s status);
-- downgrade
DROP TABLE users;
DO $$ BEGIN EXECUTE 'DROP TYPE ' || 'status'; END $$;
