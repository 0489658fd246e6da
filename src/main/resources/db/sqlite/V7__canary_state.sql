-- The same as db/migration/V7__canary_state.sql, but for the timestamp, which is TEXT as in V1.
CREATE TABLE canary_state (
    route        VARCHAR(128) NOT NULL PRIMARY KEY,
    deployment   VARCHAR(128) NOT NULL,
    release      VARCHAR(256) NOT NULL,
    state        VARCHAR(16)  NOT NULL,                -- rolled_back | resumed
    reason       VARCHAR(1000) NOT NULL,
    actor        VARCHAR(600) NOT NULL,                -- the automatic judgment, or how an operator proved itself
    changed_at   TEXT         NOT NULL,
    CONSTRAINT canary_state_state CHECK (state IN ('rolled_back', 'resumed'))
);
