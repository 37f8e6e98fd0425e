-- case: CREATE INDEX CONCURRENTLY on a partitioned table
CREATE TABLE events (id bigint, kind text, at date) PARTITION BY RANGE (at);
-- next migration
COMMIT;
CREATE INDEX CONCURRENTLY events_kind_idx ON events (kind); -- expect: concurrently-on-partitioned-table
-- case: DROP INDEX CONCURRENTLY of a partitioned index tx=none
CREATE TABLE events (id bigint, kind text, at date) PARTITION BY LIST (kind);
CREATE INDEX events_kind_idx ON events (kind);
-- next migration
DROP INDEX CONCURRENTLY events_kind_idx; -- expect: concurrently-on-partitioned-table
-- case: schema-qualified, sub-partitioned partition tx=none
CREATE TABLE app.events (id bigint, kind text, at date) PARTITION BY RANGE (at);
CREATE TABLE app.events_2024 PARTITION OF app.events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01') PARTITION BY LIST (kind);
-- next migration
CREATE INDEX CONCURRENTLY events_2024_kind_idx ON app.events_2024 (kind); -- expect: concurrently-on-partitioned-table
-- case: also in a transaction: both rules
CREATE TABLE events (id bigint, kind text, at date) PARTITION BY RANGE (at);
-- next migration
CREATE INDEX CONCURRENTLY events_kind_idx ON events (kind); -- expect: concurrently-on-partitioned-table, concurrently-in-transaction
-- case: a leaf partition is a plain table tx=none
CREATE TABLE events (id bigint, kind text, at date) PARTITION BY RANGE (at);
CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
-- next migration
CREATE INDEX CONCURRENTLY events_2024_kind_idx ON events_2024 (kind);
DROP INDEX CONCURRENTLY events_2024_kind_idx;
-- case: the recipe: ON ONLY the parent, CONCURRENTLY per partition, ATTACH tx=none
CREATE TABLE events (id bigint, kind text, at date) PARTITION BY RANGE (at);
CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
-- next migration
CREATE INDEX events_kind_idx ON ONLY events (kind);
CREATE INDEX CONCURRENTLY events_2024_kind_idx ON events_2024 (kind);
ALTER INDEX events_kind_idx ATTACH PARTITION events_2024_kind_idx;
-- case: a plain table tx=none
CREATE TABLE events (id bigint, kind text);
-- next migration
CREATE INDEX CONCURRENTLY events_kind_idx ON events (kind);
-- case: a table the history did not create tx=none
CREATE INDEX CONCURRENTLY events_kind_idx ON events (kind);
