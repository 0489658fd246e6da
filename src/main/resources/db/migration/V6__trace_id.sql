-- The caller's W3C trace id (32 lowercase hex digits) when its request carried a valid traceparent,
-- so that a ledger event can be found from a trace and a trace from an event. NULL = none.
ALTER TABLE request_event ADD COLUMN trace_id CHAR(32);
CREATE INDEX request_event_trace_id ON request_event (trace_id);
