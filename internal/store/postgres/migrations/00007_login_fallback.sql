-- Logging in when the identity provider is down (issue 18): declared
-- provider outages, printed one-time fallback codes, the admins'
-- break-glass TOTP secrets and the uses of the break-glass login. What
-- is sealed (data) holds the reasons, who declared and issued, and the
-- TOTP secrets; the clear columns are what the conditional updates and
-- the orderings need. A fallback code is kept as a hash only (SHA-256 of
-- a 120-bit code and its user's id, see auth.FallbackCodeHash).

-- +goose Up
CREATE TABLE provider_outages (
    id       text COLLATE "C" PRIMARY KEY,
    start_ns bigint NOT NULL,
    until_ns bigint NOT NULL,
    end_ns   bigint,
    data     bytea NOT NULL
);
CREATE INDEX provider_outages_start ON provider_outages (start_ns DESC, id DESC);

-- A user's current sheet; its codes are the rows of fallback_codes with
-- its user id (a new sheet deletes the old one's rows).
CREATE TABLE fallback_sheets (
    user_id text COLLATE "C" PRIMARY KEY,
    data    bytea NOT NULL
);
CREATE TABLE fallback_codes (
    user_id text COLLATE "C" NOT NULL,
    hash    text COLLATE "C" NOT NULL,
    idx     int NOT NULL,
    used_ns bigint,
    PRIMARY KEY (user_id, hash)
);

-- last_step: the last TOTP time step a break-glass login used; a login
-- takes a later one by UPDATE ... WHERE last_step < step.
CREATE TABLE totp_secrets (
    user_id   text COLLATE "C" PRIMARY KEY,
    last_step bigint NOT NULL DEFAULT 0,
    data      bytea NOT NULL
);
CREATE TABLE break_glass_uses (
    id    text COLLATE "C" PRIMARY KEY,
    at_ns bigint NOT NULL,
    data  bytea NOT NULL
);
CREATE INDEX break_glass_uses_at ON break_glass_uses (at_ns DESC, id DESC);

-- +goose Down
DROP TABLE break_glass_uses, totp_secrets, fallback_codes, fallback_sheets, provider_outages;
