-- How many days the ledger keeps a tenant's events, where that differs from ledger.retention_days:
-- shorter where its data should not outlive its use, longer where a regulator asks for years.
-- NULL = the ledger's retention.
ALTER TABLE tenant ADD COLUMN retention_days INTEGER;
