-- case: serial types
CREATE TABLE orders (id bigserial PRIMARY KEY); -- expect: prefer-identity
CREATE TABLE lines (id serial4 PRIMARY KEY, n smallserial); -- expect: prefer-identity, prefer-identity
-- case: identity and plain integers
CREATE TABLE orders (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, n integer);
-- case: PostgreSQL 9.6 has no identity columns pg=9
CREATE TABLE orders (id bigserial PRIMARY KEY);
-- case: ADD COLUMN is also add-column-serial on an existing table
ALTER TABLE orders ADD COLUMN n serial; -- expect: prefer-identity, add-column-serial
