-- Drills (issue 19, item 2): a coordinator's preparedness exercise for
-- some units over a time window, one row per drill, sealed in data. A
-- record written in a drill carries the drill's id in drill_id (clear,
-- as unit_id is, for the lists' and exports' filters: the real records
-- are those without); records stored before have none and are real.

-- +goose Up
CREATE TABLE drills (
    id   text COLLATE "C" PRIMARY KEY,
    data bytea NOT NULL
);

ALTER TABLE records ADD COLUMN drill_id text COLLATE "C";
CREATE INDEX records_drill ON records (drill_id, received_ns DESC, id DESC) WHERE drill_id IS NOT NULL AND NOT purged;

-- +goose Down
DROP INDEX records_drill;
ALTER TABLE records DROP COLUMN drill_id;
DROP TABLE drills;
