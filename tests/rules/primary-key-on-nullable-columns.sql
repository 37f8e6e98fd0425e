-- case: nullable column
CREATE TABLE events (id bigint, payload text);
CREATE UNIQUE INDEX events_id_key ON events (id);
-- next migration
ALTER TABLE events ADD CONSTRAINT events_pkey PRIMARY KEY USING INDEX events_id_key; -- expect: primary-key-on-nullable-columns
-- case: one of two columns nullable, index built concurrently earlier tx=none
CREATE TABLE events (tenant bigint NOT NULL, id bigint, payload text);
-- next migration
CREATE UNIQUE INDEX CONCURRENTLY events_key ON events (tenant, id);
-- next migration
ALTER TABLE events ADD CONSTRAINT events_pkey PRIMARY KEY USING INDEX events_key; -- expect: primary-key-on-nullable-columns
-- case: a validated NOT NULL check before PostgreSQL 12 does not help pg=11
CREATE TABLE events (id bigint, payload text);
CREATE UNIQUE INDEX events_id_key ON events (id);
ALTER TABLE events ADD CONSTRAINT events_id_nn CHECK (id IS NOT NULL);
-- next migration
ALTER TABLE events ADD CONSTRAINT events_pkey PRIMARY KEY USING INDEX events_id_key; -- expect: primary-key-on-nullable-columns
-- case: a validated NOT NULL check from PostgreSQL 12 skips the scan
CREATE TABLE events (id bigint, payload text);
CREATE UNIQUE INDEX events_id_key ON events (id);
ALTER TABLE events ADD CONSTRAINT events_id_nn CHECK (id IS NOT NULL) NOT VALID;
-- next migration
ALTER TABLE events VALIDATE CONSTRAINT events_id_nn;
-- next migration
ALTER TABLE events ADD CONSTRAINT events_pkey PRIMARY KEY USING INDEX events_id_key;
-- case: a NOT VALID check does not prove it
CREATE TABLE events (id bigint, payload text);
CREATE UNIQUE INDEX events_id_key ON events (id);
ALTER TABLE events ADD CONSTRAINT events_id_nn CHECK (id IS NOT NULL) NOT VALID;
-- next migration
ALTER TABLE events ADD CONSTRAINT events_pkey PRIMARY KEY USING INDEX events_id_key; -- expect: primary-key-on-nullable-columns
-- case: NOT NULL column
CREATE TABLE events (id bigint NOT NULL, payload text);
CREATE UNIQUE INDEX events_id_key ON events (id);
-- next migration
ALTER TABLE events ADD CONSTRAINT events_pkey PRIMARY KEY USING INDEX events_id_key;
-- case: made NOT NULL earlier
CREATE TABLE events (id bigint, payload text);
CREATE UNIQUE INDEX events_id_key ON events (id);
-- next migration
ALTER TABLE events ALTER COLUMN id SET NOT NULL;
-- next migration
ALTER TABLE events ADD CONSTRAINT events_pkey PRIMARY KEY USING INDEX events_id_key;
-- case: an index miglint did not see created
ALTER TABLE events ADD CONSTRAINT events_pkey PRIMARY KEY USING INDEX events_id_key;
-- case: a table created in the same migration
CREATE TABLE events (id bigint, payload text);
CREATE UNIQUE INDEX events_id_key ON events (id);
ALTER TABLE events ADD CONSTRAINT events_pkey PRIMARY KEY USING INDEX events_id_key;
-- case: a plain ADD PRIMARY KEY is add-primary-key's
CREATE TABLE events (id bigint, payload text);
-- next migration
ALTER TABLE events ADD PRIMARY KEY (id); -- expect: add-primary-key
