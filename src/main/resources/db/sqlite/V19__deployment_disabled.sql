-- The same as db/migration/V19__deployment_disabled.sql, but for the timestamp, which is TEXT as in V1.
CREATE TABLE deployment_disabled (
    deployment   VARCHAR(128) NOT NULL PRIMARY KEY,
    reason       VARCHAR(1000) NOT NULL,
    actor        VARCHAR(600) NOT NULL,
    changed_at   TEXT         NOT NULL
);
