-- case: truncate
TRUNCATE orders; -- expect: truncate
-- case: truncate several with cascade
TRUNCATE TABLE orders, order_lines CASCADE; -- expect: truncate, truncate
-- case: new table
CREATE TABLE staging (id bigint);
TRUNCATE staging;
