-- case: primary key
ALTER TABLE events ADD PRIMARY KEY (id); -- expect: add-primary-key
-- case: named primary key
ALTER TABLE events ADD CONSTRAINT events_pkey PRIMARY KEY (id); -- expect: add-primary-key
-- case: primary key column
ALTER TABLE events ADD COLUMN id bigserial PRIMARY KEY; -- expect: add-primary-key, add-column-serial
-- case: a primary key column without values fails on any row: the table must be empty
ALTER TABLE events ADD COLUMN id bigint PRIMARY KEY; -- expect: add-column-not-null-no-default
-- case: using index
ALTER TABLE events ADD CONSTRAINT events_pkey PRIMARY KEY USING INDEX events_id_idx;
-- case: new table
CREATE TABLE invoices (id bigint);
ALTER TABLE invoices ADD PRIMARY KEY (id);
