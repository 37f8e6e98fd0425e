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
