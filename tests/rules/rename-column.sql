-- case: rename a column
ALTER TABLE orders RENAME COLUMN note TO comment; -- expect: rename-column
-- case: rename without COLUMN keyword
ALTER TABLE orders RENAME note TO comment; -- expect: rename-column
-- case: new table
CREATE TABLE invoices (note text);
ALTER TABLE invoices RENAME COLUMN note TO comment;
-- case: renaming a table is another rule
ALTER TABLE orders RENAME TO purchases;
