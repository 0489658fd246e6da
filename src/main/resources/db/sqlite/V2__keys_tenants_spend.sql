-- Tenants, virtual keys and spend for SQLite: the same as db/migration/V2__keys_tenants_spend.sql
-- but for timestamps, which are TEXT as in V1. Money is NUMERIC(20,6), which SQLite stores as a double
-- holding whole micro-dollars; sums round each value to micro-dollars and add integers (Dialect.sumMicros).

CREATE TABLE tenant (
    name              VARCHAR(64)  NOT NULL PRIMARY KEY,
    default_level     VARCHAR(64)  NOT NULL,           -- classification level every request starts at
    allowed_routes    VARCHAR,                         -- JSON array of route names; NULL = all routes
    budget_usd_month  NUMERIC(20,6),                   -- NULL = no budget
    rpm               INTEGER,                         -- NULL = no limit
    tpm               BIGINT,                          -- NULL = no limit
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL
);

-- A virtual key is stored only as the SHA-256 of the full key (hex): the plaintext is shown once at
-- creation and never written anywhere.
CREATE TABLE virtual_key (
    id                   VARCHAR(16)  NOT NULL PRIMARY KEY,   -- key_<12 hex>, safe to log and show
    hash                 CHAR(64)     NOT NULL,
    tenant               VARCHAR(64)  NOT NULL REFERENCES tenant (name),
    name                 VARCHAR(128),
    allowed_routes       VARCHAR,                             -- JSON array; NULL = the tenant's routes
    classification_floor VARCHAR(64),                         -- NULL = the tenant's default level
    expires_at           TEXT,                                -- NULL = never
    rpm                  INTEGER,
    tpm                  BIGINT,
    budget_usd_month     NUMERIC(20,6),
    created_at           TEXT NOT NULL,
    revoked_at           TEXT,                                -- NULL = not revoked
    CONSTRAINT virtual_key_hash UNIQUE (hash)
);
CREATE INDEX virtual_key_tenant ON virtual_key (tenant);

-- One row per settled request. request_id must be unique per admitted request (the gateway's own id,
-- not a client-supplied x-request-id), so a settle written twice is stored once.
CREATE TABLE spend (
    request_id  VARCHAR(128) NOT NULL,
    tenant      VARCHAR(64)  NOT NULL,
    key_id      VARCHAR(16),                  -- NULL when no virtual key was used
    route       VARCHAR(128),
    task        VARCHAR(128),
    deployment  VARCHAR(128),
    cost_usd    NUMERIC(20,6) NOT NULL,
    estimated   BOOLEAN       NOT NULL,       -- cost computed from estimated tokens (no usage from upstream)
    at          TEXT NOT NULL,
    CONSTRAINT spend_request_id UNIQUE (request_id),
    CONSTRAINT spend_cost_not_negative CHECK (cost_usd >= 0)
);
CREATE INDEX spend_at ON spend (at);                    -- reports since a time, grouped by any column
CREATE INDEX spend_tenant_at ON spend (tenant, at);     -- a tenant's spend this month
CREATE INDEX spend_key_at ON spend (key_id, at);        -- a key's spend this month
