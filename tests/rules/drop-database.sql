-- case: in the tool's transaction
DROP DATABASE legacy_reports; -- expect: drop-database
-- case: outside a transaction, IF EXISTS and FORCE tx=none
DROP DATABASE IF EXISTS legacy_reports WITH (FORCE); -- expect: drop-database
-- case: other drops
DROP TABLE IF EXISTS legacy_reports;
DROP SCHEMA IF EXISTS legacy_reports;
