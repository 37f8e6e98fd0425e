-- case: existing partitioned table
ALTER TABLE events DETACH PARTITION events_2023; -- expect: detach-partition-non-concurrent
-- case: PostgreSQL 13 has no concurrent form pg=13
ALTER TABLE events DETACH PARTITION events_2023; -- expect: detach-partition-non-concurrent
-- case: concurrently, outside a transaction tx=none
ALTER TABLE events DETACH PARTITION events_2023 CONCURRENTLY;
-- case: a partitioned table created in the same migration
CREATE TABLE metrics (at timestamptz, v bigint) PARTITION BY RANGE (at);
CREATE TABLE metrics_2024 PARTITION OF metrics FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
ALTER TABLE metrics DETACH PARTITION metrics_2024;
-- case: attaching is not reported
ALTER TABLE events ATTACH PARTITION events_2025 FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
