-- The end user a request was made for, as the client named them (OpenAI's user or safety_identifier,
-- Anthropic's metadata.user_id): who within a team's key used what. NULL when the client named none
-- or ledger.end_user is false. An identifier, not content; OpenAI advises clients to send a hash.
ALTER TABLE request_event ADD COLUMN end_user VARCHAR(128);
