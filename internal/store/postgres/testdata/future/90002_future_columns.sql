-- Test only (upgrade_test.go): new columns on the hot tables, the kinds
-- a release may add: nullable (records, sessions), and NOT NULL with a
-- default (devices, bundles), which the older code's inserts, naming
-- their columns, fill with the default.

-- +goose Up
ALTER TABLE records ADD COLUMN future_tag text;
ALTER TABLE sessions ADD COLUMN future_client text;
ALTER TABLE devices ADD COLUMN future_model text NOT NULL DEFAULT 'unknown';
ALTER TABLE bundles ADD COLUMN future_rev int NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE bundles DROP COLUMN future_rev;
ALTER TABLE devices DROP COLUMN future_model;
ALTER TABLE sessions DROP COLUMN future_client;
ALTER TABLE records DROP COLUMN future_tag;
