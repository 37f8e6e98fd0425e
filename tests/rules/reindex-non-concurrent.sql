-- case: index of an existing table
REINDEX INDEX orders_created_at_idx; -- expect: reindex-non-concurrent
-- case: table
REINDEX TABLE orders; -- expect: reindex-non-concurrent
-- case: schema, refused in a transaction block as well
REINDEX SCHEMA public; -- expect: reindex-non-concurrent
-- case: database outside a transaction tx=none
REINDEX DATABASE app; -- expect: reindex-non-concurrent
-- case: concurrently, outside a transaction tx=none
REINDEX INDEX CONCURRENTLY orders_created_at_idx;
REINDEX TABLE CONCURRENTLY orders;
-- case: concurrently in a transaction is the other rule's
REINDEX INDEX CONCURRENTLY orders_created_at_idx; -- expect: concurrently-in-transaction
-- case: table created in the same migration
CREATE TABLE invoices (id bigint PRIMARY KEY);
REINDEX TABLE invoices;
-- case: index created in the same migration
CREATE INDEX orders_note_idx ON orders (note); -- expect: create-index-non-concurrent
REINDEX INDEX orders_note_idx;
-- case: index of a table created in the same migration, created earlier
CREATE TABLE invoices (id bigint PRIMARY KEY, note text);
-- next migration
CREATE TABLE drafts (id bigint PRIMARY KEY, note text);
CREATE INDEX drafts_note_idx ON drafts (note);
-- next migration
REINDEX INDEX drafts_note_idx; -- expect: reindex-non-concurrent
-- case: PostgreSQL 11 has no REINDEX CONCURRENTLY pg=11
REINDEX INDEX orders_created_at_idx; -- expect: reindex-non-concurrent
