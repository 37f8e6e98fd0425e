-- case: a domain miglint has not seen created
ALTER DOMAIN positive_amount ADD CONSTRAINT positive_amount_check CHECK (VALUE > 0); -- expect: domain-check
-- case: NOT VALID is instant
ALTER DOMAIN positive_amount ADD CONSTRAINT positive_amount_check CHECK (VALUE > 0) NOT VALID;
-- case: VALIDATE, DROP and DEFAULT are not reported
ALTER DOMAIN positive_amount VALIDATE CONSTRAINT positive_amount_check;
ALTER DOMAIN positive_amount DROP CONSTRAINT positive_amount_check;
ALTER DOMAIN positive_amount SET DEFAULT 1;
ALTER DOMAIN positive_amount DROP NOT NULL;
-- case: SET NOT NULL on a domain used by an existing table
CREATE DOMAIN positive_amount AS numeric;
CREATE TABLE orders (id bigint PRIMARY KEY, amount positive_amount);
-- next migration
ALTER DOMAIN positive_amount SET NOT NULL; -- expect: domain-check
-- case: a domain created in the same migration
CREATE DOMAIN code AS text;
ALTER DOMAIN code ADD CONSTRAINT code_check CHECK (VALUE ~ '^[A-Z]+$');
-- case: a domain the history created and no table uses
CREATE DOMAIN code AS text;
-- next migration
ALTER DOMAIN code ADD CONSTRAINT code_check CHECK (VALUE ~ '^[A-Z]+$');
-- case: a domain only a table of the same migration uses
CREATE DOMAIN code AS text;
-- next migration
CREATE TABLE products (id bigint PRIMARY KEY, sku code);
ALTER DOMAIN code ADD CONSTRAINT code_check CHECK (VALUE ~ '^[A-Z]+$');
-- case: a domain a table uses, schema-qualified
CREATE DOMAIN billing.code AS text;
CREATE TABLE billing.products (id bigint PRIMARY KEY, sku billing.code);
-- next migration
ALTER DOMAIN billing.code ADD CHECK (VALUE <> ''); -- expect: domain-check
