-- A value sealed with the store's key when the database was first
-- opened: a node started with another key (a wrong --encryption-key-file)
-- is refused at Open, before it writes rows the other nodes cannot open.

-- +goose Up
CREATE TABLE seal_check (
    id   int PRIMARY KEY CHECK (id = 1),
    data bytea NOT NULL
);

-- +goose Down
DROP TABLE seal_check;
