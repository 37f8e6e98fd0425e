-- case: existing table
CLUSTER orders USING orders_created_at_idx; -- expect: cluster
-- case: clustered before, no index named
CLUSTER orders; -- expect: cluster
-- case: every clustered table tx=none
CLUSTER; -- expect: cluster
-- case: table created in the same migration
CREATE TABLE invoices (id bigint PRIMARY KEY);
CLUSTER invoices USING invoices_pkey;
-- case: VACUUM FULL is the other rule's tx=none
VACUUM FULL orders; -- expect: vacuum-full
