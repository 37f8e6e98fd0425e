-- Risky: a NOT NULL column without a default fails on a table with rows, and the volatile
-- default rewrites the whole table under an ACCESS EXCLUSIVE lock.
ALTER TABLE orders ADD COLUMN status text NOT NULL;
ALTER TABLE orders ADD COLUMN public_id uuid DEFAULT gen_random_uuid();
CREATE INDEX orders_status_idx ON orders (status);
