-- Evaluation runs: a suite's cases sent to one deployment's release, and how many passed. The
-- results are each case's name, verdict and the check that failed; never a prompt or an answer.
CREATE TABLE eval_run (
    id              VARCHAR(36)  NOT NULL PRIMARY KEY,
    deployment      VARCHAR(128) NOT NULL,
    release         VARCHAR(256) NOT NULL,
    suite           VARCHAR(64)  NOT NULL,
    classification  VARCHAR(64)  NOT NULL,
    cases           INTEGER      NOT NULL,
    passed          INTEGER      NOT NULL,
    pass_rate       DOUBLE PRECISION NOT NULL,
    started_at      TIMESTAMP WITH TIME ZONE NOT NULL,
    finished_at     TIMESTAMP WITH TIME ZONE NOT NULL,
    actor           VARCHAR(600) NOT NULL,
    results         VARCHAR      NOT NULL     -- JSON: [{name, passed, reason, latency_ms, input_tokens, output_tokens, cost_usd}]
);
CREATE INDEX eval_run_release ON eval_run (deployment, release, suite);
CREATE INDEX eval_run_finished_at ON eval_run (finished_at);
