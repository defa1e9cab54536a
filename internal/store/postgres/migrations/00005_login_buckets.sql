-- Login attempts counted for every node together (store.Throttle): one
-- bucket per limit and key. The key (an account's name, an address, or
-- the pair) is kept as an HMAC under a key derived from the store's, so
-- the table names no one; a row untouched for a day is full again and is
-- deleted.

-- +goose Up
CREATE TABLE login_buckets (
    name   text   NOT NULL,
    key    bytea  NOT NULL,
    tokens double precision NOT NULL,
    at     bigint NOT NULL,
    seen   bigint NOT NULL,
    PRIMARY KEY (name, key)
);
CREATE INDEX login_buckets_seen ON login_buckets (seen);

-- +goose Down
DROP TABLE login_buckets;
