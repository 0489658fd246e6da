-- The same as db/migration/V8__eval_run.sql, but for the timestamps, which are TEXT as in V1.
CREATE TABLE eval_run (
    id              VARCHAR(36)  NOT NULL PRIMARY KEY,
    deployment      VARCHAR(128) NOT NULL,
    release         VARCHAR(256) NOT NULL,
    suite           VARCHAR(64)  NOT NULL,
    classification  VARCHAR(64)  NOT NULL,
    cases           INTEGER      NOT NULL,
    passed          INTEGER      NOT NULL,
    pass_rate       DOUBLE PRECISION NOT NULL,
    started_at      TEXT         NOT NULL,
    finished_at     TEXT         NOT NULL,
    actor           VARCHAR(600) NOT NULL,
    results         VARCHAR      NOT NULL     -- JSON: [{name, passed, reason, latency_ms, input_tokens, output_tokens, cost_usd}]
);
CREATE INDEX eval_run_release ON eval_run (deployment, release, suite);
CREATE INDEX eval_run_finished_at ON eval_run (finished_at);
