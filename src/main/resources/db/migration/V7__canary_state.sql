-- The rolled-back canaries, so that a rollback holds across restarts and reaches every replica
-- (each reads this table as often as it refreshes tenants). One row per route: the release that was
-- rolled back, and whether an operator resumed it since. A row for another deployment or release than
-- the route's canary now is history, not a verdict on it.
CREATE TABLE canary_state (
    route        VARCHAR(128) NOT NULL PRIMARY KEY,
    deployment   VARCHAR(128) NOT NULL,
    release      VARCHAR(256) NOT NULL,
    state        VARCHAR(16)  NOT NULL,                -- rolled_back | resumed
    reason       VARCHAR(1000) NOT NULL,
    actor        VARCHAR(600) NOT NULL,                -- the automatic judgment, or how an operator proved itself
    changed_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT canary_state_state CHECK (state IN ('rolled_back', 'resumed'))
);
