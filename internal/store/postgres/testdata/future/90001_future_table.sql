-- Test only (upgrade_test.go): a migration of a "newer" Beredskap that
-- the code under test does not know. A new table.

-- +goose Up
CREATE TABLE future_notes (
    id   text COLLATE "C" PRIMARY KEY,
    note text NOT NULL
);

-- +goose Down
DROP TABLE future_notes;
