-- The server's keys (signing and sealing), kept in the database so that
-- every node signs bundles and opens records with the same ones. The
-- value is the key file as it is kept beside an encrypted store: wrapped
-- under a key derived from the store's encryption key. The first node to
-- start puts its freshly made keys; every later node reads them.

-- +goose Up
CREATE TABLE server_keys (
    id   int PRIMARY KEY CHECK (id = 1),
    data bytea NOT NULL
);

-- +goose Down
DROP TABLE server_keys;
