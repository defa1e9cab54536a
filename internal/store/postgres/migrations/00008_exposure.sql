-- The lost-phone exposure report (issue 19, item 3): the state of each
-- checklist item of a device's report (ticked or not, by whom, when) is
-- sealed in data; id is "<device>/<item>", the clear device_id what the
-- report's read selects by. What the phone held is in the bundles' data
-- (sealed JSON, which gained its access_patients without a migration).

-- +goose Up
CREATE TABLE exposure_ticks (
    id        text COLLATE "C" PRIMARY KEY,
    device_id text COLLATE "C" NOT NULL,
    data      bytea NOT NULL
);
CREATE INDEX exposure_ticks_device ON exposure_ticks (device_id, id);

-- +goose Down
DROP TABLE exposure_ticks;
