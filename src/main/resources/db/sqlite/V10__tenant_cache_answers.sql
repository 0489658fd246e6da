-- The same as db/migration/V10__tenant_cache_answers.sql; SQLite keeps booleans as 0 and 1.
ALTER TABLE tenant ADD COLUMN cache_answers INTEGER NOT NULL DEFAULT 1;
