-- Seconds of audio a speech-to-text request sent (the upstream's count, or the upload's own length),
-- what APIs that bill speech by the minute charge for. Other requests, and events before this migration, hold 0.
ALTER TABLE request_event ADD COLUMN audio_seconds DOUBLE PRECISION NOT NULL DEFAULT 0;
