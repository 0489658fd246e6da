-- The same as db/migration/V9__cached.sql; SQLite keeps booleans as 0 and 1.
ALTER TABLE request_event ADD COLUMN cached INTEGER NOT NULL DEFAULT 0;
ALTER TABLE request_event ADD COLUMN api VARCHAR(16);
