-- case: rename a table
ALTER TABLE orders RENAME TO purchases; -- expect: rename-table
-- case: schema-qualified
ALTER TABLE billing.orders RENAME TO purchases; -- expect: rename-table
-- case: new table
CREATE TABLE invoices_tmp (id bigint);
ALTER TABLE invoices_tmp RENAME TO invoices;
ALTER TABLE invoices ADD COLUMN note text;
-- case: renaming an index is not a table rename
ALTER INDEX orders_idx RENAME TO orders_created_idx;
