-- case: created again in a later migration
CREATE TYPE order_state AS ENUM ('new', 'paid');
CREATE TABLE orders (id bigint, state order_state);
-- next migration
CREATE TYPE order_state AS ENUM ('new', 'paid'); -- expect: enum-type-created-twice
-- case: twice in one migration
CREATE TYPE order_state AS ENUM ('new', 'paid');
CREATE TABLE orders (id bigint, state order_state);
CREATE TYPE order_state AS ENUM ('new', 'paid'); -- expect: enum-type-created-twice
-- case: after a DO block created it
DO $$ BEGIN
  CREATE TYPE order_state AS ENUM ('new', 'paid');
EXCEPTION WHEN duplicate_object THEN null;
END $$;
-- next migration
CREATE TYPE public.order_state AS ENUM ('new', 'paid'); -- expect: enum-type-created-twice
-- case: dropped in between
CREATE TYPE order_state AS ENUM ('new', 'paid');
-- next migration
DROP TYPE order_state;
CREATE TYPE order_state AS ENUM ('new', 'paid', 'refunded');
-- case: renamed away in between
CREATE TYPE order_state AS ENUM ('new', 'paid');
-- next migration
ALTER TYPE order_state RENAME TO order_state_old;
CREATE TYPE order_state AS ENUM ('new', 'paid', 'refunded');
-- case: same name in another schema
CREATE TYPE order_state AS ENUM ('new', 'paid');
CREATE TYPE billing.order_state AS ENUM ('new', 'paid');
-- case: the downgrade drops it, the next upgrade creates it again
CREATE TYPE order_state AS ENUM ('new', 'paid');
-- downgrade
DROP TYPE order_state;
-- next migration
CREATE TABLE orders (id bigint);
