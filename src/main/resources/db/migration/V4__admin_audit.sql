-- The audit trail of administrative changes: every key created or revoked and every tenant created or
-- changed, written in the same transaction as the change, so no change goes unrecorded. Never holds a
-- key or its hash. Kept until deleted by hand: an audit trail outlives the ledger's retention.
CREATE TABLE admin_event (
    id          VARCHAR(36)  NOT NULL PRIMARY KEY,   -- time-ordered (UUID v7)
    at          TIMESTAMP WITH TIME ZONE NOT NULL,
    action      VARCHAR(32)  NOT NULL,               -- key.create, key.revoke, tenant.create, tenant.update
    target      VARCHAR(128) NOT NULL,               -- the key's id or the tenant's name
    actor       VARCHAR(600) NOT NULL,               -- how the caller proved itself (master key, client certificate), or the config file
    address     VARCHAR(64),                         -- the caller's IP address; NULL for the config file
    request_id  VARCHAR(128),                        -- x-request-id of the admin call
    details     VARCHAR                              -- JSON: the fields set, or each changed field's old and new value
);
CREATE INDEX admin_event_at ON admin_event (at);
CREATE INDEX admin_event_target ON admin_event (target, at);
