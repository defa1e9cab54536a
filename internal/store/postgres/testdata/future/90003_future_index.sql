-- Test only (upgrade_test.go): a new index on the records table, built
-- concurrently (outside a transaction), as an index on a hot table is
-- built while older nodes write to it.

-- +goose NO TRANSACTION
-- +goose Up
CREATE INDEX CONCURRENTLY records_future_tag ON records (future_tag, id) WHERE future_tag IS NOT NULL;

-- +goose Down
DROP INDEX CONCURRENTLY records_future_tag;
