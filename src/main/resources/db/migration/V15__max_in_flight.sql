-- How many requests of a key, or of a tenant's keys together, may be in flight at once in each
-- replica (max_in_flight; NULL = no limit): an agent that fans out is refused past it with a 429
-- instead of taking every GPU slot the tenant may use.
ALTER TABLE virtual_key ADD COLUMN max_in_flight INTEGER;
ALTER TABLE tenant ADD COLUMN max_in_flight INTEGER;
