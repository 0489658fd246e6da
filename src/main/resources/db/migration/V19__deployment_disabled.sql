-- Deployments an operator took out of rotation (a node being upgraded, a provider's incident), so the
-- switch reaches every replica (each reads this table as often as it refreshes tenants) and holds across
-- restarts. A row is a disabled deployment; enabling it deletes the row (the audit trail keeps both).
CREATE TABLE deployment_disabled (
    deployment   VARCHAR(128) NOT NULL PRIMARY KEY,
    reason       VARCHAR(1000) NOT NULL,
    actor        VARCHAR(600) NOT NULL,               -- how the operator proved itself
    changed_at   TIMESTAMP WITH TIME ZONE NOT NULL
);
