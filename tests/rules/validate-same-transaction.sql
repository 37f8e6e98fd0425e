-- case: NOT VALID check then VALIDATE in one migration
ALTER TABLE orders ADD CONSTRAINT qty_positive CHECK (qty > 0) NOT VALID;
ALTER TABLE orders VALIDATE CONSTRAINT qty_positive; -- expect: validate-same-transaction
-- case: NOT VALID foreign key then VALIDATE in one migration
ALTER TABLE orders ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id) NOT VALID;
ALTER TABLE orders VALIDATE CONSTRAINT orders_customer_fk; -- expect: validate-same-transaction
-- case: another ALTER of the table earlier in the transaction
ALTER TABLE orders ADD COLUMN note text;
ALTER TABLE orders VALIDATE CONSTRAINT qty_positive; -- expect: validate-same-transaction
-- case: an index build (SHARE) earlier in the transaction
CREATE INDEX orders_note_idx ON orders (note);
ALTER TABLE orders VALIDATE CONSTRAINT qty_positive; -- expect: validate-same-transaction
-- case: VALIDATE alone on a busy table is the safe form
ALTER TABLE orders VALIDATE CONSTRAINT qty_positive;
-- case: VALIDATE in the next migration
ALTER TABLE orders ADD CONSTRAINT qty_positive CHECK (qty > 0) NOT VALID;
-- next migration
ALTER TABLE orders VALIDATE CONSTRAINT qty_positive;
-- case: a COMMIT in between
ALTER TABLE orders ADD CONSTRAINT qty_positive CHECK (qty > 0) NOT VALID;
COMMIT;
ALTER TABLE orders VALIDATE CONSTRAINT qty_positive;
-- case: statements outside a transaction hold nothing tx=none
ALTER TABLE orders ADD CONSTRAINT qty_positive CHECK (qty > 0) NOT VALID;
ALTER TABLE orders VALIDATE CONSTRAINT qty_positive;
-- case: explicit BEGIN and COMMIT around both tx=none
BEGIN;
ALTER TABLE orders ADD CONSTRAINT qty_positive CHECK (qty > 0) NOT VALID;
ALTER TABLE orders VALIDATE CONSTRAINT qty_positive; -- expect: validate-same-transaction
COMMIT;
-- case: a lock on another table does not count
ALTER TABLE customers ADD COLUMN note text;
ALTER TABLE orders VALIDATE CONSTRAINT qty_positive;
-- case: a table created in the migration
CREATE TABLE invoices (qty int);
ALTER TABLE invoices ADD CONSTRAINT qty_positive CHECK (qty > 0) NOT VALID;
ALTER TABLE invoices VALIDATE CONSTRAINT qty_positive;
-- case: golang-migrate runs a multi-statement file as one transaction tx=implicit
ALTER TABLE orders ADD CONSTRAINT qty_positive CHECK (qty > 0) NOT VALID;
ALTER TABLE orders VALIDATE CONSTRAINT qty_positive; -- expect: validate-same-transaction
