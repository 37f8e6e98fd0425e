-- case: tool-managed transaction
CREATE INDEX CONCURRENTLY a_idx ON orders (a); -- expect: concurrently-in-transaction
-- case: drop and reindex
DROP INDEX CONCURRENTLY a_idx; -- expect: concurrently-in-transaction
REINDEX INDEX CONCURRENTLY b_idx; -- expect: concurrently-in-transaction
-- case: detach partition
ALTER TABLE measurements DETACH PARTITION measurements_2020 CONCURRENTLY; -- expect: concurrently-in-transaction
-- case: autocommit script tx=none
CREATE INDEX CONCURRENTLY a_idx ON orders (a);
-- case: explicit BEGIN in an autocommit script tx=none
BEGIN;
CREATE INDEX CONCURRENTLY a_idx ON orders (a); -- expect: concurrently-in-transaction
COMMIT;
CREATE INDEX CONCURRENTLY b_idx ON orders (b);
-- case: golang-migrate single statement runs alone tx=implicit
CREATE INDEX CONCURRENTLY a_idx ON orders (a);
-- case: golang-migrate multi-statement file is one implicit transaction tx=implicit
SET lock_timeout = '5s';
CREATE INDEX CONCURRENTLY a_idx ON orders (a); -- expect: concurrently-in-transaction
-- case: non-concurrent index in a transaction
CREATE INDEX a_idx ON orders (a);
