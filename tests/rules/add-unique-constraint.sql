-- case: unique constraint
ALTER TABLE orders ADD CONSTRAINT number_key UNIQUE (number); -- expect: add-unique-constraint
-- case: unique new column
ALTER TABLE orders ADD COLUMN code text UNIQUE; -- expect: add-unique-constraint
-- case: using an index built concurrently
ALTER TABLE orders ADD CONSTRAINT number_key UNIQUE USING INDEX number_idx;
-- case: new table
CREATE TABLE invoices (number text);
ALTER TABLE invoices ADD CONSTRAINT number_key UNIQUE (number);
