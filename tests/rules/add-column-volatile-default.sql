-- case: volatile function
ALTER TABLE orders ADD COLUMN token uuid DEFAULT gen_random_uuid(); -- expect: add-column-volatile-default
-- case: volatile inside an expression
ALTER TABLE orders ADD COLUMN r int DEFAULT (random() * 100)::int; -- expect: add-column-volatile-default
-- case: clock_timestamp is volatile
ALTER TABLE orders ADD COLUMN t timestamptz DEFAULT clock_timestamp(); -- expect: add-column-volatile-default
-- case: unknown user function may be volatile
ALTER TABLE orders ADD COLUMN c text DEFAULT make_code(); -- expect: add-column-volatile-default
-- case: now() and CURRENT_TIMESTAMP are stable
ALTER TABLE orders ADD COLUMN a timestamptz DEFAULT now();
ALTER TABLE orders ADD COLUMN b timestamptz DEFAULT CURRENT_TIMESTAMP;
-- case: constants, casts and arrays
ALTER TABLE orders ADD COLUMN a int DEFAULT 0;
ALTER TABLE orders ADD COLUMN b text[] DEFAULT ARRAY[]::text[];
ALTER TABLE orders ADD COLUMN c jsonb DEFAULT '{}'::jsonb;
ALTER TABLE orders ADD COLUMN d boolean DEFAULT false;
-- case: PostgreSQL 10 rewrites for any default pg=10
ALTER TABLE orders ADD COLUMN d boolean DEFAULT false; -- expect: add-column-volatile-default
-- case: PostgreSQL 10 and DEFAULT NULL pg=10
ALTER TABLE orders ADD COLUMN d boolean DEFAULT NULL;
-- case: PostgreSQL 11 is the first without the rewrite pg=11
ALTER TABLE orders ADD COLUMN d boolean DEFAULT false;
-- case: new table
CREATE TABLE invoices (id bigint);
ALTER TABLE invoices ADD COLUMN token uuid DEFAULT gen_random_uuid();
