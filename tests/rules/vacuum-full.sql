-- case: existing table, refused in the tool's transaction as well
VACUUM FULL orders; -- expect: vacuum-full
-- case: options list, several tables tx=none
VACUUM (FULL, ANALYZE) orders, customers; -- expect: vacuum-full
-- case: the whole database tx=none
VACUUM FULL; -- expect: vacuum-full
-- case: plain VACUUM and ANALYZE tx=none
VACUUM orders;
VACUUM (ANALYZE) orders;
ANALYZE orders;
-- case: a table created in the same migration, outside a transaction tx=none
CREATE TABLE staging (id bigint);
VACUUM FULL staging;
-- case: a table created in the same migration, in a transaction PostgreSQL refuses it
CREATE TABLE staging (id bigint);
VACUUM FULL staging; -- expect: vacuum-full
