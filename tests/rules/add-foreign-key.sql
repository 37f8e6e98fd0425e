-- case: validating foreign key
ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (customer_id) REFERENCES customers (id); -- expect: add-foreign-key
-- case: inline REFERENCES on a new column: every value NULL, nothing to validate
ALTER TABLE orders ADD COLUMN customer_id bigint REFERENCES customers (id);
-- case: inline REFERENCES on a new column with DEFAULT NULL
ALTER TABLE orders ADD COLUMN customer_id bigint DEFAULT NULL REFERENCES customers (id);
-- case: inline REFERENCES on a new column with a default: every row is checked
ALTER TABLE orders ADD COLUMN customer_id bigint DEFAULT 1 REFERENCES customers (id); -- expect: add-foreign-key
-- case: NOT VALID
ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (customer_id) REFERENCES customers (id) NOT VALID;
ALTER TABLE orders VALIDATE CONSTRAINT fk;
-- case: new table referencing an existing one
CREATE TABLE invoices (id bigint, customer_id bigint REFERENCES customers (id));
ALTER TABLE invoices ADD CONSTRAINT fk2 FOREIGN KEY (id) REFERENCES orders (id);
