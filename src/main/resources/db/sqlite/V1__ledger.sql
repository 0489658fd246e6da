-- The request ledger for SQLite, the embedded store: the same tables, columns and indexes as
-- db/migration/V1__ledger.sql (PostgreSQL and H2), with two differences SQLite needs. Timestamps are
-- TEXT, fixed-width UTC with microseconds (2026-12-04T16:05:09.123456Z), so that text order is time
-- order; identity columns are INTEGER PRIMARY KEY AUTOINCREMENT. Keep the two files in step.

CREATE TABLE request_event (
    event_id            VARCHAR(36)  NOT NULL PRIMARY KEY,  -- unique per event; makes replays idempotent
    request_id          VARCHAR(128) NOT NULL,              -- x-request-id (client-supplied ids may repeat)
    started_at          TEXT NOT NULL,
    tenant              VARCHAR(128) NOT NULL,
    key_id              VARCHAR(128),
    route               VARCHAR(128),
    task                VARCHAR(128),
    classification      VARCHAR(64),
    deployment          VARCHAR(128),
    zone                VARCHAR(128),
    release             VARCHAR(256),
    status              INTEGER      NOT NULL,
    error_code          VARCHAR(64),
    input_tokens        BIGINT       NOT NULL,
    output_tokens       BIGINT       NOT NULL,
    tokens_estimated    BOOLEAN      NOT NULL,
    cost_usd            DOUBLE PRECISION NOT NULL,
    retries             INTEGER      NOT NULL,
    fallbacks           INTEGER      NOT NULL,
    queued_us           BIGINT       NOT NULL,  -- in Airlock before the first upstream byte was sent
    upstream_ttft_us    BIGINT,                 -- upstream time to first token; NULL when none arrived
    upstream_total_us   BIGINT       NOT NULL,
    total_us            BIGINT       NOT NULL,
    overhead_us         BIGINT       NOT NULL   -- total_us - upstream_total_us
);
CREATE INDEX request_event_started_at ON request_event (started_at);
CREATE INDEX request_event_request_id ON request_event (request_id);

-- Outcome feedback (POST /v1/feedback): the latest word per request id.
CREATE TABLE request_feedback (
    request_id   VARCHAR(128) NOT NULL PRIMARY KEY,
    outcome      VARCHAR(16)  NOT NULL,          -- success | failure | escalated
    score        DOUBLE PRECISION,
    received_at  TEXT NOT NULL,
    CONSTRAINT request_feedback_outcome CHECK (outcome IN ('success', 'failure', 'escalated'))
);
CREATE INDEX request_feedback_received_at ON request_feedback (received_at);

-- Opt-in content capture (per route, sampled, with an approval reference). Text is redacted before it
-- gets here, and every row is deleted once expires_at has passed.
CREATE TABLE captured_content (
    id             INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    request_id     VARCHAR(128) NOT NULL,
    route          VARCHAR(128) NOT NULL,
    approval_ref   VARCHAR(256) NOT NULL,
    captured_at    TEXT NOT NULL,
    expires_at     TEXT NOT NULL,
    prompt_text    VARCHAR,
    response_text  VARCHAR
);
CREATE INDEX captured_content_expires_at ON captured_content (expires_at);
CREATE INDEX captured_content_request_id ON captured_content (request_id);
