-- What the provider's prompt cache read and wrote, of input_tokens (Anthropic's and Bedrock's counts,
-- OpenAI's cached_tokens as reads). Events written before this migration hold 0.
ALTER TABLE request_event ADD COLUMN cache_read_tokens BIGINT NOT NULL DEFAULT 0;
ALTER TABLE request_event ADD COLUMN cache_write_tokens BIGINT NOT NULL DEFAULT 0;
