-- The same as db/migration/V15__max_in_flight.sql.
ALTER TABLE virtual_key ADD COLUMN max_in_flight INTEGER;
ALTER TABLE tenant ADD COLUMN max_in_flight INTEGER;
