SET lock_timeout = '5s';
-- Safe: varchar(200) -> text is binary-coercible, no rewrite.
ALTER TABLE orders ALTER COLUMN note TYPE text;
-- Risky: numeric(12,2) -> numeric(12,4) changes the scale and rewrites the table.
ALTER TABLE orders ALTER COLUMN total TYPE numeric(12, 4);
