-- case: a column of a type the history dropped
CREATE TYPE order_state AS ENUM ('new', 'paid');
-- next migration
DROP TYPE order_state;
-- next migration
ALTER TABLE orders ADD COLUMN state order_state; -- expect: enum-type-not-created
-- case: a new table with a dropped type, schema-qualified
CREATE TYPE app.order_state AS ENUM ('new', 'paid');
DROP TYPE IF EXISTS app.order_state CASCADE;
CREATE TABLE app.orders (id bigint, state app.order_state); -- expect: enum-type-not-created
-- case: the type's schema dropped with CASCADE
CREATE TYPE app.order_state AS ENUM ('new', 'paid');
-- next migration
DROP SCHEMA app CASCADE;
-- next migration
ALTER TABLE orders ALTER COLUMN state TYPE app.order_state USING state::text::app.order_state; -- expect: enum-type-not-created
-- case: dropped inside a DO block
CREATE TYPE order_state AS ENUM ('new', 'paid');
DO $$ BEGIN DROP TYPE IF EXISTS order_state; END $$;
ALTER TABLE orders ADD COLUMN state order_state; -- expect: enum-type-not-created
-- case: dropped and created again
CREATE TYPE order_state AS ENUM ('new', 'paid');
DROP TYPE order_state;
CREATE TYPE order_state AS ENUM ('new', 'paid', 'refunded');
ALTER TABLE orders ADD COLUMN state order_state;
-- case: dropped and created again as a composite type
CREATE TYPE semver AS (major int, minor int);
-- next migration
DROP TYPE semver;
CREATE TYPE semver AS (major bigint, minor bigint);
-- next migration
ALTER TABLE versions ADD COLUMN v semver;
-- case: created again in a DO block that guards against duplicates
DROP TYPE IF EXISTS order_state;
DO $$ BEGIN
  CREATE TYPE order_state AS ENUM ('new', 'paid');
EXCEPTION WHEN duplicate_object THEN null;
END $$;
ALTER TABLE orders ADD COLUMN state order_state;
-- case: renamed to the name
DROP TYPE IF EXISTS order_state;
CREATE TYPE order_state_v2 AS ENUM ('new', 'paid');
ALTER TYPE order_state_v2 RENAME TO order_state;
ALTER TABLE orders ADD COLUMN state order_state;
-- case: a type the history never mentions may come from an extension or an older schema
ALTER TABLE orders ADD COLUMN email citext;
ALTER TABLE orders ADD COLUMN state order_state;
-- case: a dropped type of another schema
DROP TYPE app.order_state;
ALTER TABLE orders ADD COLUMN state order_state;
