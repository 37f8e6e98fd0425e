CREATE TABLE customers (
    id bigserial PRIMARY KEY,
    email varchar(120) NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX customers_email_key ON customers (email);
