-- case: unknown current type
ALTER TABLE orders ALTER COLUMN quantity TYPE bigint; -- expect: change-column-type
-- case: known rewriting change
CREATE TABLE notes (id int, body varchar(200), amount numeric(10,2), at timestamp(3));
-- next migration
ALTER TABLE notes ALTER COLUMN id TYPE bigint; -- expect: change-column-type
ALTER TABLE notes ALTER COLUMN body TYPE varchar(100); -- expect: change-column-type
ALTER TABLE notes ALTER COLUMN amount TYPE numeric(12,4); -- expect: change-column-type
-- case: binary-coercible changes
CREATE TABLE notes (id int, body varchar(200), amount numeric(10,2), at timestamp(3), addr cidr);
-- next migration
ALTER TABLE notes ALTER COLUMN body TYPE varchar(300);
ALTER TABLE notes ALTER COLUMN body TYPE text;
ALTER TABLE notes ALTER COLUMN body TYPE varchar;
ALTER TABLE notes ALTER COLUMN amount TYPE numeric(14,2);
ALTER TABLE notes ALTER COLUMN amount TYPE numeric;
ALTER TABLE notes ALTER COLUMN at TYPE timestamp(6);
ALTER TABLE notes ALTER COLUMN addr TYPE inet;
ALTER TABLE notes ALTER COLUMN id TYPE integer;
-- case: USING always rewrites
CREATE TABLE notes (body varchar(200));
-- next migration
ALTER TABLE notes ALTER COLUMN body TYPE text USING trim(body); -- expect: change-column-type
-- case: the type learnt from an earlier change
CREATE TABLE notes (body varchar(200));
-- next migration
ALTER TABLE notes ALTER COLUMN body TYPE text;
-- next migration
ALTER TABLE notes ALTER COLUMN body TYPE varchar(50); -- expect: change-column-type
-- case: column added later is known too
ALTER TABLE orders ADD COLUMN code varchar(10);
-- next migration
ALTER TABLE orders ALTER COLUMN code TYPE varchar(20);
-- case: new table
CREATE TABLE notes (id int);
ALTER TABLE notes ALTER COLUMN id TYPE bigint;
