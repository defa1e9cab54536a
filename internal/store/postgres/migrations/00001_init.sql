-- The first schema of Beredskap's PostgreSQL store.
--
-- Every table keeps in clear only what its queries need (ids, units,
-- patients, times as Unix nanoseconds, states, sequence numbers, hashes)
-- and the whole object in data: its JSON sealed by the application
-- (XChaCha20-Poly1305, the table and the row's id as associated data).
-- Ids sort bytewise (COLLATE "C"), as the Badger store's keys do, so that
-- lists and pages come in the same order on both stores.

-- +goose Up
CREATE TABLE setup (
    id          int PRIMARY KEY CHECK (id = 1),
    demo        boolean NOT NULL,
    initialized timestamptz NOT NULL
);

CREATE TABLE accounts (
    id       text COLLATE "C" PRIMARY KEY,
    -- normalised (NFKC, case folded): unique as logins compare names
    username text COLLATE "C" NOT NULL UNIQUE,
    data     bytea NOT NULL
);

CREATE TABLE sessions (
    token_hash text COLLATE "C" PRIMARY KEY,
    user_id    text COLLATE "C" NOT NULL,
    expires_ns bigint NOT NULL,
    data       bytea NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE devices (
    id      text COLLATE "C" PRIMARY KEY,
    user_id text COLLATE "C" NOT NULL,
    data    bytea NOT NULL
);
CREATE INDEX devices_user ON devices (user_id, id);

CREATE TABLE bundles (
    id        text COLLATE "C" PRIMARY KEY,
    user_id   text COLLATE "C" NOT NULL,
    issued_ns bigint NOT NULL,
    data      bytea NOT NULL
);
CREATE INDEX bundles_user ON bundles (user_id, issued_ns, id);

CREATE TABLE units (
    id   text COLLATE "C" PRIMARY KEY,
    data bytea NOT NULL
);

CREATE TABLE patients (
    id      text COLLATE "C" PRIMARY KEY,
    unit_id text COLLATE "C" NOT NULL,
    data    bytea NOT NULL
);
CREATE INDEX patients_unit ON patients (unit_id, id);

CREATE TABLE visits (
    id         text COLLATE "C" PRIMARY KEY,
    unit_id    text COLLATE "C" NOT NULL,
    patient_id text COLLATE "C" NOT NULL,
    start_ns   bigint NOT NULL,
    data       bytea NOT NULL
);
CREATE INDEX visits_unit ON visits (unit_id, start_ns, id);

CREATE TABLE doses (
    id         text COLLATE "C" PRIMARY KEY,
    patient_id text COLLATE "C" NOT NULL,
    due_ns     bigint NOT NULL,
    data       bytea NOT NULL
);
CREATE INDEX doses_patient ON doses (patient_id, due_ns, id);

CREATE TABLE routines (
    id      text COLLATE "C" PRIMARY KEY,
    version int NOT NULL,
    data    bytea NOT NULL
);

CREATE TABLE routine_versions (
    id      text COLLATE "C" NOT NULL,
    version int NOT NULL,
    data    bytea NOT NULL,
    PRIMARY KEY (id, version)
);

CREATE TABLE announcements (
    id        text COLLATE "C" PRIMARY KEY,
    posted_ns bigint NOT NULL,
    data      bytea NOT NULL
);
CREATE INDEX announcements_posted ON announcements (posted_ns, id);

CREATE TABLE outages (
    id       text COLLATE "C" PRIMARY KEY,
    start_ns bigint NOT NULL,
    end_ns   bigint,
    data     bytea NOT NULL
);
-- at most one outage is open
CREATE UNIQUE INDEX outages_one_open ON outages ((true)) WHERE end_ns IS NULL;

-- A record's row stays when it is purged (purged, its data and body
-- gone): its id stays taken, its body hash answers a phone that sends it
-- again, and its device sequence number keeps a purge from looking like
-- a lost record. The primary key is what makes ingest exactly once.
CREATE TABLE records (
    id             text COLLATE "C" PRIMARY KEY,
    device_id      text COLLATE "C" NOT NULL,
    seq            numeric(20, 0) NOT NULL,
    body_hash      text NOT NULL,
    purged         boolean NOT NULL DEFAULT false,
    type           text COLLATE "C",
    author_id      text COLLATE "C",
    patient_id     text COLLATE "C",
    unit_id        text COLLATE "C",
    state          text COLLATE "C",
    quarantined    boolean,
    received_ns    bigint,
    reconciled_ns  bigint,
    data           bytea,
    body           bytea
);
CREATE INDEX records_device_seq ON records (device_id, seq, id);
CREATE INDEX records_received ON records (received_ns DESC, id DESC) WHERE NOT purged;
CREATE INDEX records_patient ON records (patient_id, received_ns DESC, id DESC) WHERE NOT purged;
CREATE INDEX records_author ON records (author_id, received_ns DESC, id DESC) WHERE NOT purged;
CREATE INDEX records_state ON records (state, received_ns DESC, id DESC) WHERE NOT purged;
CREATE INDEX records_unit ON records (unit_id, received_ns DESC, id DESC) WHERE NOT purged;
CREATE INDEX records_quarantined ON records (received_ns DESC, id DESC) WHERE quarantined AND NOT purged;

CREATE TABLE finding_resolutions (
    id   text COLLATE "C" PRIMARY KEY,
    data bytea NOT NULL
);

CREATE TABLE reconcile_jobs (
    id             text COLLATE "C" PRIMARY KEY,
    status         text NOT NULL,
    created_ns     bigint NOT NULL,
    -- the lease, a compare-and-set on these two columns
    owner          text NOT NULL DEFAULT '',
    lease_until_ns bigint,
    data           bytea NOT NULL
);
CREATE INDEX reconcile_jobs_running ON reconcile_jobs (created_ns) WHERE status = 'running';

-- The audit chain: appends lock the head row (FOR UPDATE) in the
-- transaction that writes what they audit, so that every node's appends
-- form one linear chain.
CREATE TABLE audit (
    seq     bigint PRIMARY KEY,
    subject text COLLATE "C",
    prev    text NOT NULL,
    hash    text NOT NULL,
    data    bytea NOT NULL
);
CREATE INDEX audit_subject ON audit (subject, seq) WHERE subject IS NOT NULL;

CREATE TABLE audit_head (
    id   int PRIMARY KEY CHECK (id = 1),
    seq  bigint NOT NULL,
    hash text NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '');

-- +goose Down
DROP TABLE audit_head, audit, reconcile_jobs, finding_resolutions, records, outages, announcements,
    routine_versions, routines, doses, visits, patients, units, bundles, devices, sessions, accounts, setup;
