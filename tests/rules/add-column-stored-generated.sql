-- case: stored generated column on an existing table
ALTER TABLE orders ADD COLUMN total numeric GENERATED ALWAYS AS (price * qty) STORED; -- expect: add-column-stored-generated
-- case: plain column
ALTER TABLE orders ADD COLUMN total numeric;
-- case: generated column in a new table
CREATE TABLE lines (price numeric, qty int, total numeric GENERATED ALWAYS AS (price * qty) STORED);
