-- case: BEGIN and COMMIT in a script the tool runs in a transaction, reported once
BEGIN; -- expect: transaction-nesting
ALTER TABLE orders ADD COLUMN note text;
COMMIT;
-- case: COMMIT ends the tool's transaction early
ALTER TABLE orders ADD COLUMN note text;
COMMIT; -- expect: transaction-nesting
ALTER TABLE orders ADD COLUMN note2 text;
-- case: END is COMMIT
ALTER TABLE orders ADD COLUMN note text;
END; -- expect: transaction-nesting
-- case: ROLLBACK undoes the script and the tool records it anyway
ALTER TABLE orders ADD COLUMN note text;
ROLLBACK; -- expect: transaction-nesting
-- case: explicit transactions in a script run without one tx=none
BEGIN;
ALTER TABLE orders ADD COLUMN note text;
COMMIT;
BEGIN;
ALTER TABLE orders ADD COLUMN note2 text;
ROLLBACK;
-- case: a nested BEGIN tx=none
BEGIN;
ALTER TABLE orders ADD COLUMN note text;
BEGIN; -- expect: transaction-nesting
ALTER TABLE orders ADD COLUMN note2 text;
COMMIT;
-- case: golang-migrate sends the file as one query, BEGIN makes its transaction explicit tx=implicit
BEGIN;
ALTER TABLE orders ADD COLUMN note text;
ALTER TABLE orders ADD COLUMN note2 text;
COMMIT;
-- case: a COMMIT with no transaction open only warns tx=none
ALTER TABLE orders ADD COLUMN note text;
COMMIT;
-- case: savepoints are fine
SAVEPOINT before_note;
ALTER TABLE orders ADD COLUMN note text;
ROLLBACK TO SAVEPOINT before_note;
RELEASE SAVEPOINT before_note;
