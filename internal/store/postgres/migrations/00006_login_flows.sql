-- Logins through an identity provider (issue 18). login_flows holds the
-- steps of a login in progress (a login sent to the provider, a one-time
-- code waiting for the app's exchange) under the SHA-256 of the secret
-- that names them, sealed, until they expire; a step is taken by
-- deleting it, so that it is used once, on whichever node. identity_links
-- links a provider's identity to a user, found by an HMAC of provider and
-- subject so that the table names no one (a subject may be a national
-- identity number).

-- +goose Up
CREATE TABLE login_flows (
    id         text   PRIMARY KEY,
    expires_ns bigint NOT NULL,
    data       bytea  NOT NULL
);
CREATE INDEX login_flows_expires ON login_flows (expires_ns);

CREATE TABLE identity_links (
    key     bytea PRIMARY KEY,
    user_id text  NOT NULL,
    data    bytea NOT NULL
);
CREATE INDEX identity_links_user ON identity_links (user_id);

-- +goose Down
DROP TABLE identity_links;
DROP TABLE login_flows;
