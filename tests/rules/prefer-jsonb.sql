-- case: CREATE TABLE, ADD COLUMN and ALTER COLUMN TYPE
CREATE TABLE events (id bigint PRIMARY KEY, payload json); -- expect: prefer-jsonb
ALTER TABLE events ADD COLUMN extra json; -- expect: prefer-jsonb
ALTER TABLE events ALTER COLUMN payload TYPE json; -- expect: prefer-jsonb
-- case: jsonb
CREATE TABLE events (id bigint PRIMARY KEY, payload jsonb, tags json[]); -- expect: prefer-jsonb
-- case: other types
CREATE TABLE events (id bigint PRIMARY KEY, payload text);
