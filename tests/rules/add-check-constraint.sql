-- case: validating check
ALTER TABLE orders ADD CONSTRAINT qty_positive CHECK (qty > 0); -- expect: add-check-constraint
-- case: unnamed check
ALTER TABLE orders ADD CHECK (qty > 0); -- expect: add-check-constraint
-- case: check on a new column
ALTER TABLE orders ADD COLUMN qty2 int CHECK (qty2 > 0); -- expect: add-check-constraint
-- case: NOT VALID then VALIDATE
ALTER TABLE orders ADD CONSTRAINT qty_positive CHECK (qty > 0) NOT VALID;
ALTER TABLE orders VALIDATE CONSTRAINT qty_positive;
-- case: new table
CREATE TABLE invoices (qty int);
ALTER TABLE invoices ADD CONSTRAINT qty_positive CHECK (qty > 0);
