SET lock_timeout = '5s';
ALTER TABLE orders DROP COLUMN referrer_id; -- miglint: ignore drop-column -- added in 0004
ALTER TABLE orders DROP COLUMN placed_at; -- miglint: ignore drop-column -- added in 0004
