-- The change feed: one row per committed write that changes what the
-- coordinators' desk keeps (records stored or reconciled, records purged,
-- a plan, a finding's resolution, a backup loaded), written in that
-- write's own transaction, so that every node's desk follows what the
-- other nodes write. A row holds a kind and ids only (record ids, a
-- finding's id), never health data; rows older than a day are pruned,
-- the newest always kept.
--
-- Rows are inserted under a transaction-scoped advisory lock held to the
-- commit, so that seq order is commit order: a reader that has seen seq n
-- has seen every row below n that will ever be committed (changes.go).

-- +goose Up
CREATE TABLE changes (
    seq  bigserial PRIMARY KEY,
    -- the database's clock, which pruning reads too
    at   timestamptz NOT NULL DEFAULT now(),
    kind text NOT NULL,
    ids  text[] COLLATE "C" NOT NULL DEFAULT '{}'
);
CREATE INDEX changes_at ON changes (at);

-- How far pruning went: a reader whose position is below it may have
-- missed rows, and builds its desk again.
CREATE TABLE changes_pruned (
    id   int PRIMARY KEY CHECK (id = 1),
    upto bigint NOT NULL
);
INSERT INTO changes_pruned (id, upto) VALUES (1, 0);

-- +goose Down
DROP TABLE changes_pruned;
DROP TABLE changes;
