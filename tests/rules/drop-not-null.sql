-- case: existing table
ALTER TABLE orders ALTER COLUMN shipped_at DROP NOT NULL; -- expect: drop-not-null
-- case: several subcommands, one report each
ALTER TABLE orders ALTER COLUMN a DROP NOT NULL, ALTER COLUMN b DROP NOT NULL; -- expect: drop-not-null, drop-not-null
-- case: table created in the same migration
CREATE TABLE invoices (id bigint PRIMARY KEY, note text NOT NULL);
ALTER TABLE invoices ALTER COLUMN note DROP NOT NULL;
-- case: column added earlier in the same migration
ALTER TABLE orders ADD COLUMN note text NOT NULL DEFAULT '';
ALTER TABLE orders ALTER COLUMN note DROP NOT NULL;
-- case: column the history knows as nullable: a no-op
CREATE TABLE orders (id bigint PRIMARY KEY, note text);
-- next migration
ALTER TABLE orders ALTER COLUMN note DROP NOT NULL;
-- case: column the history knows as NOT NULL
CREATE TABLE orders (id bigint PRIMARY KEY, note text NOT NULL);
-- next migration
ALTER TABLE orders ALTER COLUMN note DROP NOT NULL; -- expect: drop-not-null
-- case: SET NOT NULL in an earlier migration
CREATE TABLE orders (id bigint PRIMARY KEY, note text);
-- next migration
ALTER TABLE orders ALTER COLUMN note SET NOT NULL; -- expect: set-not-null
-- next migration
ALTER TABLE orders ALTER COLUMN note DROP NOT NULL; -- expect: drop-not-null
-- case: SET NOT NULL is not reported
ALTER TABLE orders ALTER COLUMN note SET NOT NULL; -- expect: set-not-null
-- case: a downgrade undoes the upgrade's NOT NULL
CREATE TABLE orders (id bigint PRIMARY KEY, note text);
-- next migration
ALTER TABLE orders ALTER COLUMN note SET NOT NULL; -- expect: set-not-null
-- downgrade
ALTER TABLE orders ALTER COLUMN note DROP NOT NULL;
