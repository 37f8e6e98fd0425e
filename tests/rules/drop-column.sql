-- case: drop a column
ALTER TABLE orders DROP COLUMN note; -- expect: drop-column
-- case: drop with IF EXISTS and CASCADE
ALTER TABLE orders DROP COLUMN IF EXISTS note CASCADE; -- expect: drop-column
-- case: two drops in one statement
ALTER TABLE orders DROP COLUMN a, DROP COLUMN b; -- expect: drop-column, drop-column
-- case: new table
CREATE TABLE invoices (note text);
ALTER TABLE invoices DROP COLUMN note;
-- case: suppressed with a reason
-- miglint: ignore drop-column -- unused since 4.2
ALTER TABLE orders DROP COLUMN note;
-- case: a column this migration added has no data and no readers yet
ALTER TABLE orders ADD COLUMN draft text;
ALTER TABLE orders DROP COLUMN draft;
-- case: DROP COLUMN IF EXISTS of a column a fully known table lacks is a no-op
CREATE TABLE invoices (id bigint);
-- next migration
ALTER TABLE invoices DROP COLUMN IF EXISTS note;
-- case: data copied first still breaks running code
CREATE TABLE invoices (id bigint, note text, memo text);
-- next migration
UPDATE invoices SET memo = note;
ALTER TABLE invoices DROP COLUMN note; -- expect: drop-column
