-- case: UPDATE without WHERE
UPDATE orders SET state = 'archived'; -- expect: dml-in-migration
-- case: WHERE that does not pin rows
UPDATE orders SET state = 'archived' WHERE created_at < '2020-01-01'; -- expect: dml-in-migration
DELETE FROM sessions WHERE expires_at IS NULL OR id = 3; -- expect: dml-in-migration
UPDATE orders SET state = 'x' WHERE id IN (SELECT order_id FROM refunds); -- expect: dml-in-migration
-- case: DELETE everything
DELETE FROM sessions; -- expect: dml-in-migration
-- case: outside a transaction tx=none
UPDATE orders SET state = 'archived'; -- expect: dml-in-migration
-- case: rows pinned by value
UPDATE settings SET value = 'on' WHERE key = 'new_checkout';
UPDATE orders SET state = 'x' WHERE id = ANY('{1,2}'::bigint[]);
UPDATE orders SET state = 'x' WHERE 7 = id AND created_at < now();
DELETE FROM sessions WHERE id IN (1, 2, 3);
UPDATE orders SET state = 'x' WHERE id = $1;
-- case: one batch of a backfill loop
UPDATE flow_run SET has_data = true WHERE id IN (SELECT id FROM flow_run WHERE has_data IS NULL LIMIT 500);
WITH batch AS (SELECT id FROM task_run WHERE state_name IS NULL LIMIT 500) UPDATE task_run SET state_name = 'x' FROM batch WHERE task_run.id = batch.id;
DELETE FROM sessions WHERE ctid IN (SELECT ctid FROM sessions WHERE expires_at < now() LIMIT 1000);
-- case: INSERT is not reported
INSERT INTO settings (key, value) VALUES ('a', 'b');
INSERT INTO archive SELECT * FROM orders;
-- case: tables created in the migration
CREATE TABLE audit (id bigint, note text);
UPDATE audit SET note = '';
CREATE TABLE copy AS SELECT * FROM orders;
DELETE FROM copy;
-- case: under a lock the transaction holds, the backfill rule speaks
ALTER TABLE orders ADD COLUMN note text;
UPDATE orders SET note = ''; -- expect: backfill-under-exclusive-lock
