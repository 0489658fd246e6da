package dev.airlock.core;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/** Reads a report's {@code since}: a duration back from now ({@code 30d}, {@code 24h}, {@code 15m}) or an ISO-8601 instant. */
public final class Since {
    private Since() {}

    public static Instant parse(String since, Instant now) {
        if (since == null || since.isBlank()) return now.minus(Duration.ofDays(30));
        String s = since.trim();
        try {
            if (s.matches("\\d+[dhm]")) {
                long n = Long.parseLong(s.substring(0, s.length() - 1));
                return switch (s.charAt(s.length() - 1)) {
                    case 'd' -> now.minus(Duration.ofDays(n));
                    case 'h' -> now.minus(Duration.ofHours(n));
                    default -> now.minus(Duration.ofMinutes(n));
                };
            }
            return Instant.parse(s);
        } catch (DateTimeParseException | ArithmeticException e) {
            throw new AirlockException(ErrorKind.INVALID_REQUEST,
                    "'since' must be a duration like 30d, 24h or 15m, or an ISO-8601 instant like 2026-11-01T00:00:00Z; got '" + since + "'.", "since");
        }
    }
}
