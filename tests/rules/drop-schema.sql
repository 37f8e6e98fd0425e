-- case: CASCADE on an existing schema
DROP SCHEMA reporting CASCADE; -- expect: drop-schema
-- case: several schemas
DROP SCHEMA IF EXISTS reporting, archive CASCADE; -- expect: drop-schema, drop-schema
-- case: without CASCADE PostgreSQL refuses a schema that is not empty
DROP SCHEMA reporting;
-- case: a schema created in the same migration
CREATE SCHEMA scratch;
CREATE TABLE scratch.t (id bigint);
DROP SCHEMA scratch CASCADE;
-- case: a schema the history filled
CREATE SCHEMA reporting;
CREATE TABLE reporting.daily (id bigint);
-- next migration
DROP SCHEMA reporting CASCADE; -- expect: drop-schema
-- case: CREATE SCHEMA IF NOT EXISTS may have found it there
CREATE SCHEMA IF NOT EXISTS reporting;
DROP SCHEMA reporting CASCADE; -- expect: drop-schema
-- case: DROP TABLE is the other rule's
DROP TABLE reporting.daily; -- expect: drop-table
