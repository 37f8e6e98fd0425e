-- case: timestamp in every spelling
CREATE TABLE events (id bigint PRIMARY KEY, created_at timestamp NOT NULL DEFAULT now()); -- expect: prefer-timestamptz
ALTER TABLE events ADD COLUMN seen_at timestamp(3) without time zone; -- expect: prefer-timestamptz
-- case: timestamptz in every spelling, date and time
CREATE TABLE events (a timestamptz, b timestamp with time zone, c date, d time, e timestamptz(3));
