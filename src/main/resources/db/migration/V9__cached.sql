-- Whether the answer came from the answer cache (no upstream was called, nothing was billed), and the
-- API the client spoke: openai (chat completions, embeddings), anthropic (Messages) or responses.
ALTER TABLE request_event ADD COLUMN cached BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE request_event ADD COLUMN api VARCHAR(16);
