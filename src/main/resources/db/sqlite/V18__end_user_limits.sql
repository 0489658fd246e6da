-- What each end user a tenant's requests name (OpenAI's `user`) may use a minute: requests and tokens.
-- NULL = no limit per end user. Counted by the rate limiter like the tenant's own rpm and tpm.
ALTER TABLE tenant ADD COLUMN end_user_rpm INTEGER;
ALTER TABLE tenant ADD COLUMN end_user_tpm BIGINT;
