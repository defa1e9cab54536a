-- Sync health (issue 19, item 4): what each phone last reported of its
-- outbox (how many records wait, when the oldest was made, when the
-- report came), one row per device, replaced by each report; and the
-- announcements' read marks, one row per announcement and user (id is
-- "<announcement>/<user>"), the first one kept. Both are sealed in data;
-- announcement_id is clear for the desk's read by announcement.

-- +goose Up
CREATE TABLE outbox_reports (
    id   text COLLATE "C" PRIMARY KEY,
    data bytea NOT NULL
);

CREATE TABLE announcement_reads (
    id              text COLLATE "C" PRIMARY KEY,
    announcement_id text COLLATE "C" NOT NULL,
    data            bytea NOT NULL
);
CREATE INDEX announcement_reads_announcement ON announcement_reads (announcement_id, id);

-- +goose Down
DROP TABLE announcement_reads, outbox_reports;
