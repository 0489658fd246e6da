package dev.airlock.ledger;

import java.time.Instant;
import java.util.Objects;

/**
 * Text kept under an opt-in capture rule: already redacted by the caller, tied to the approval that
 * allows it, and deleted by the retention job once {@code expiresAt} has passed.
 */
public record CapturedContent(String requestId, String route, String approvalRef, Instant capturedAt, Instant expiresAt,
                              String promptText, String responseText) {
    public CapturedContent {
        Objects.requireNonNull(requestId, "requestId");
        Objects.requireNonNull(route, "route");
        Objects.requireNonNull(approvalRef, "approvalRef");
        Objects.requireNonNull(capturedAt, "capturedAt");
        Objects.requireNonNull(expiresAt, "expiresAt");
        if (!expiresAt.isAfter(capturedAt)) throw new IllegalArgumentException("captured content must expire after it is captured");
    }
}
