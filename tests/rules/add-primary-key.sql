-- case: primary key
ALTER TABLE events ADD PRIMARY KEY (id); -- expect: add-primary-key
-- case: named primary key
ALTER TABLE events ADD CONSTRAINT events_pkey PRIMARY KEY (id); -- expect: add-primary-key
-- case: primary key column
ALTER TABLE events ADD COLUMN id bigint PRIMARY KEY; -- expect: add-primary-key
-- case: using index
ALTER TABLE events ADD CONSTRAINT events_pkey PRIMARY KEY USING INDEX events_id_idx;
-- case: new table
CREATE TABLE invoices (id bigint);
ALTER TABLE invoices ADD PRIMARY KEY (id);
