-- Whether the answer came from the answer cache (no upstream was called, nothing was billed).
ALTER TABLE request_event ADD COLUMN cached BOOLEAN NOT NULL DEFAULT FALSE;
