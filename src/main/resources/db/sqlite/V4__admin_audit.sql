-- The audit trail of administrative changes for SQLite: the same as db/migration/V4__admin_audit.sql
-- but for the timestamp, which is TEXT as in V1.
CREATE TABLE admin_event (
    id          VARCHAR(36)  NOT NULL PRIMARY KEY,   -- time-ordered (UUID v7)
    at          TEXT         NOT NULL,
    action      VARCHAR(32)  NOT NULL,               -- key.create, key.revoke, tenant.create, tenant.update
    target      VARCHAR(128) NOT NULL,               -- the key's id or the tenant's name
    actor       VARCHAR(600) NOT NULL,               -- how the caller proved itself (master key, client certificate), or the config file
    address     VARCHAR(64),                         -- the caller's IP address; NULL for the config file
    request_id  VARCHAR(128),                        -- x-request-id of the admin call
    details     VARCHAR                              -- JSON: the fields set, or each changed field's old and new value
);
CREATE INDEX admin_event_at ON admin_event (at);
CREATE INDEX admin_event_target ON admin_event (target, at);
