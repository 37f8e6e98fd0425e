SET lock_timeout = '5s';

CREATE TABLE orders (
    id bigserial PRIMARY KEY,
    customer_id bigint NOT NULL REFERENCES customers (id),
    number varchar(20) NOT NULL,
    total numeric(12, 2) NOT NULL DEFAULT 0,
    note varchar(200)
);
CREATE INDEX orders_customer_id_idx ON orders (customer_id);
