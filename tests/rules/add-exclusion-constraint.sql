-- case: existing table
ALTER TABLE bookings ADD CONSTRAINT bookings_no_overlap EXCLUDE USING gist (room WITH =, during WITH &&); -- expect: add-exclusion-constraint
-- case: unnamed, with other subcommands
ALTER TABLE bookings ADD COLUMN note text, ADD EXCLUDE USING gist (during WITH &&); -- expect: add-exclusion-constraint
-- case: inside CREATE TABLE
CREATE TABLE rooms (id bigint, during tstzrange, EXCLUDE USING gist (during WITH &&));
-- case: table created in the same migration
CREATE TABLE slots (id bigint, during tstzrange);
ALTER TABLE slots ADD CONSTRAINT slots_no_overlap EXCLUDE USING gist (during WITH &&);
-- case: other constraints are other rules'
ALTER TABLE bookings ADD CONSTRAINT bookings_room_key UNIQUE (room); -- expect: add-unique-constraint
