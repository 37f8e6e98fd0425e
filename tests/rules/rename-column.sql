-- case: rename a column
ALTER TABLE orders RENAME COLUMN note TO comment; -- expect: rename-column
-- case: rename without COLUMN keyword
ALTER TABLE orders RENAME note TO comment; -- expect: rename-column
-- case: new table
CREATE TABLE invoices (note text);
ALTER TABLE invoices RENAME COLUMN note TO comment;
-- case: renaming a table is another rule
ALTER TABLE orders RENAME TO purchases;
-- case: a column this migration added has no readers of its old name yet
ALTER TABLE orders ADD COLUMN notes text;
ALTER TABLE orders RENAME COLUMN notes TO note;
-- case: a column added by an earlier migration does
ALTER TABLE orders ADD COLUMN notes text;
-- next migration
ALTER TABLE orders RENAME COLUMN notes TO note; -- expect: rename-column
