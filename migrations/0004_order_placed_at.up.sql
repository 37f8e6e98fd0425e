-- Safe: a lock timeout, a stable default (no rewrite since PostgreSQL 11), a foreign key added
-- NOT VALID and validated without blocking writes.
SET lock_timeout = '5s';
ALTER TABLE orders ADD COLUMN placed_at timestamptz DEFAULT now();
ALTER TABLE orders ADD COLUMN referrer_id bigint;
ALTER TABLE orders ADD CONSTRAINT orders_referrer_fk
    FOREIGN KEY (referrer_id) REFERENCES customers (id) NOT VALID;
ALTER TABLE orders VALIDATE CONSTRAINT orders_referrer_fk;
