-- case: varchar with a limit
CREATE TABLE customers (id bigint PRIMARY KEY, name varchar(200)); -- expect: prefer-text-field
ALTER TABLE customers ADD COLUMN email character varying(320); -- expect: prefer-text-field
-- case: varchar without a limit, text, char
CREATE TABLE customers (id bigint PRIMARY KEY, name varchar, bio text, code char(2));
-- case: a type change to varchar(n)
ALTER TABLE customers ALTER COLUMN name TYPE varchar(100); -- expect: prefer-text-field, change-column-type
