package dev.airlock.core;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a report's {@code since}: a duration back from now ({@code 30d}, {@code 24h}, {@code 90m}),
 * a date ({@code 2026-11-01}, midnight UTC) or an ISO-8601 time. Shared by the spend and ledger reports.
 */
public final class Since {
    private static final Pattern RELATIVE = Pattern.compile("(\\d{1,6})([dhm])");

    private Since() {}

    public static Instant parse(String since, Instant now) {
        if (since == null || since.isBlank()) return now.minus(Duration.ofDays(30));
        String s = since.trim();
        Matcher m = RELATIVE.matcher(s);
        if (m.matches()) return now.minus(relative(m));
        try {
            return OffsetDateTime.parse(s).toInstant();
        } catch (DateTimeException e) {
            try {
                return LocalDate.parse(s).atStartOfDay(ZoneOffset.UTC).toInstant();
            } catch (DateTimeException e2) {
                throw new AirlockException(ErrorKind.INVALID_REQUEST, "'since' must be a duration like 30d, 24h or 90m, a date like 2026-11-01, "
                        + "or an ISO-8601 time like 2026-11-01T00:00:00Z; got '" + shown(s) + "'.", "since");
            }
        }
    }

    /**
     * Reads a span of time written as a duration ({@code 30d}, {@code 24h}, {@code 90m}) or {@code 0};
     * anything else is a 400 naming {@code field}.
     */
    public static Duration span(String field, String text) {
        String s = text == null ? "" : text.trim();
        if (s.equals("0")) return Duration.ZERO;
        Matcher m = RELATIVE.matcher(s);
        if (!m.matches()) {
            throw new AirlockException(ErrorKind.INVALID_REQUEST, "'" + field + "' must be a duration like 24h, 7d or 90m, or 0; got '" + shown(s) + "'.", field);
        }
        return relative(m);
    }

    /** The span a matched {@link #RELATIVE} names. */
    private static Duration relative(Matcher m) {
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "d" -> Duration.ofDays(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofMinutes(n);
        };
    }

    /** Input quoted back: cut short and without control characters. */
    private static String shown(String s) {
        return (s.length() > 80 ? s.substring(0, 80) + "…" : s).replaceAll("\\p{Cntrl}", "?");
    }
}
