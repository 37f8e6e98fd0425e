-- Risky: CONCURRENTLY in a multi-statement file, which golang-migrate sends as one implicit
-- transaction: PostgreSQL refuses it.
SET lock_timeout = '5s';
CREATE UNIQUE INDEX CONCURRENTLY orders_number_key ON orders (number);
ALTER TABLE orders ADD CONSTRAINT orders_number_key UNIQUE USING INDEX orders_number_key;
