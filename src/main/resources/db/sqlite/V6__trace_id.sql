-- The same as db/migration/V6__trace_id.sql, but the index leaves out the events without a trace id
-- (a partial index: SQLite has them, H2 does not).
ALTER TABLE request_event ADD COLUMN trace_id CHAR(32);
CREATE INDEX request_event_trace_id ON request_event (trace_id) WHERE trace_id IS NOT NULL;
