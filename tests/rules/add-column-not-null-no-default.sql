-- case: not null without default on an existing table
ALTER TABLE orders ADD COLUMN status text NOT NULL; -- expect: add-column-not-null-no-default
-- case: explicit DEFAULT NULL is no default
ALTER TABLE orders ADD COLUMN status text NOT NULL DEFAULT NULL; -- expect: add-column-not-null-no-default
-- case: multi-line statement reports on the column line
ALTER TABLE orders
  ADD COLUMN note text,
  ADD COLUMN status text NOT NULL; -- expect: add-column-not-null-no-default
-- case: constant default is fine
ALTER TABLE orders ADD COLUMN status text NOT NULL DEFAULT 'new';
-- case: nullable column is fine
ALTER TABLE orders ADD COLUMN status text;
-- case: serial and identity columns fill themselves
ALTER TABLE orders ADD COLUMN n serial NOT NULL;
ALTER TABLE orders ADD COLUMN m bigint GENERATED ALWAYS AS IDENTITY;
-- case: table created in the same migration
CREATE TABLE invoices (id bigint);
ALTER TABLE invoices ADD COLUMN status text NOT NULL;
-- case: table created in an earlier migration is an existing table
CREATE TABLE invoices (id bigint);
-- next migration
ALTER TABLE invoices ADD COLUMN status text NOT NULL; -- expect: add-column-not-null-no-default
-- case: several columns of one statement fail together: one finding
ALTER TABLE orders ADD COLUMN a text NOT NULL, ADD COLUMN b text NOT NULL; -- expect: add-column-not-null-no-default
-- case: a later statement on the table the first one needs empty adds no risk
ALTER TABLE orders ADD COLUMN a text NOT NULL; -- expect: add-column-not-null-no-default
ALTER TABLE orders ADD COLUMN b text NOT NULL;
-- case: ADD COLUMN IF NOT EXISTS of a column the table has is a no-op
CREATE TABLE invoices (id bigint, status text NOT NULL);
-- next migration
ALTER TABLE invoices ADD COLUMN IF NOT EXISTS status text NOT NULL;
