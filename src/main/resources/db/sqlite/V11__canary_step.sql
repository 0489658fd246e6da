-- The same as db/migration/V11__canary_step.sql, but for the timestamp, which is TEXT as in V1.
CREATE TABLE canary_step (
    route        VARCHAR(128) NOT NULL PRIMARY KEY,
    deployment   VARCHAR(128) NOT NULL,
    release      VARCHAR(256) NOT NULL,
    step         INTEGER      NOT NULL,
    changed_at   TEXT         NOT NULL
);
