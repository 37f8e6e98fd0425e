-- case: misspelt rule id
-- miglint: ignore drop-colum -- expect: invalid-ignore-comment
ALTER TABLE orders DROP COLUMN note; -- expect: drop-column
-- case: no rule named
/* miglint: ignore */ ALTER TABLE orders ADD COLUMN a int; -- expect: invalid-ignore-comment
-- case: unknown directive
-- miglint: disable drop-column -- expect: invalid-ignore-comment
SELECT 1;
-- case: valid ignore, trailing form
ALTER TABLE orders DROP COLUMN note; -- miglint: ignore drop-column
-- case: valid ignore-file
-- miglint: ignore-file drop-column, drop-table
ALTER TABLE orders DROP COLUMN note;
DROP TABLE legacy;
