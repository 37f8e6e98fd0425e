-- case: a typo, and the statements around it are still linted
ALTER TABLE orders ADD COLUMN a int;
ALTER TABEL orders ADD COLUMN b int; -- expect: sql-syntax-error
ALTER TABLE orders DROP COLUMN c; -- expect: drop-column
-- case: error at the end of the input
SELECT 1 FROM; -- expect: sql-syntax-error
-- case: dollar quoting and semicolons in strings are fine
CREATE FUNCTION f() RETURNS trigger AS $$ BEGIN NEW.x := ';'; RETURN NEW; END $$ LANGUAGE plpgsql;
SELECT 'a;b', $tag$ ; $tag$;
-- case: unterminated string
SELECT 'abc; -- expect: sql-syntax-error
