-- case: add then drop, as autogenerate writes it
CREATE TABLE users (id bigint, name varchar(50));
-- next migration
ALTER TABLE users ADD COLUMN full_name text; -- expect: rename-as-drop-add
ALTER TABLE users DROP COLUMN name; -- expect: rename-as-drop-add
-- case: drop then add
CREATE TABLE users (id bigint, n integer);
-- next migration
ALTER TABLE users DROP COLUMN n; -- expect: rename-as-drop-add
ALTER TABLE users ADD COLUMN total bigint; -- expect: rename-as-drop-add
-- case: both in one statement
CREATE TABLE users (id bigint, name text);
-- next migration
ALTER TABLE users DROP COLUMN name, ADD COLUMN full_name text; -- expect: rename-as-drop-add
-- case: incompatible types are not a rename
CREATE TABLE users (id bigint, name text);
-- next migration
ALTER TABLE users ADD COLUMN born date;
ALTER TABLE users DROP COLUMN name;
-- case: unknown type of the dropped column: no guess
ALTER TABLE users ADD COLUMN full_name text;
ALTER TABLE users DROP COLUMN name;
-- case: different tables
CREATE TABLE users (id bigint, name text);
CREATE TABLE teams (id bigint);
-- next migration
ALTER TABLE teams ADD COLUMN full_name text;
ALTER TABLE users DROP COLUMN name;
-- case: a real rename
CREATE TABLE users (id bigint, name text);
-- next migration
ALTER TABLE users RENAME COLUMN name TO full_name;
-- case: a table dropped and recreated with the same columns
CREATE TABLE members (id bigint, name text);
-- next migration
CREATE TABLE users (id bigint, name text); -- expect: rename-as-drop-add
DROP TABLE members; -- expect: rename-as-drop-add
-- case: a different table is not a rename
CREATE TABLE members (id bigint, name text);
-- next migration
CREATE TABLE users (id bigint, email text);
DROP TABLE members;
