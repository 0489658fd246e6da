package dev.airlock.identity.keys;

import dev.airlock.config.Suggest;
import dev.airlock.core.AirlockException;
import dev.airlock.core.ErrorKind;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/** Validation shared by keys and tenants; every failure is a 400 whose sentence names the field. */
final class Checks {
    static final Pattern TENANT_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    static final int MAX_RPM = 100_000_000;
    static final long MAX_TPM = 1_000_000_000_000L;
    static final double MAX_BUDGET_USD = 1e12;   // NUMERIC(20,6) holds 14 digits before the point
    static final int MAX_KEY_NAME = 128;
    static final int MAX_IN_FLIGHT = 1_000_000;
    static final int MAX_RETENTION_DAYS = 36_500;

    private Checks() {}

    static AirlockException invalid(String field, String sentence) {
        return new AirlockException(ErrorKind.INVALID_REQUEST, sentence, field);
    }

    static void tenantName(String field, String name) {
        if (name == null || name.isEmpty()) throw new AirlockException(ErrorKind.MISSING_FIELD, "'" + field + "' is required: the tenant's name.", field);
        if (!TENANT_NAME.matcher(name).matches()) {
            throw invalid(field, "'" + field + "' must be 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit; got '" + printable(name) + "'.");
        }
    }

    static void level(String field, String level, Vocabulary vocab) {
        if (level == null) return;
        if (level.isEmpty()) throw invalid(field, "'" + field + "' must name a classification level, not be empty"
                + (vocab.levels().isEmpty() ? "" : "; the levels are " + String.join(", ", vocab.levels())) + ".");
        if (!vocab.levels().isEmpty() && !vocab.levels().contains(level)) {
            throw invalid(field, "'" + field + "' must be one of the classification levels " + String.join(", ", vocab.levels())
                    + "; got '" + printable(level) + "'" + didYouMean(level, vocab.levels()) + ".");
        }
    }

    /** Checks route names and returns them without duplicates; null or empty means every route. */
    static List<String> routes(String field, List<String> routes, Vocabulary vocab) {
        return names(field, "route", routes, vocab.routes());
    }

    /** Checks license names (as deployments declare them, e.g. apache-2.0) and returns them without duplicates; null or empty means any. */
    static List<String> licenses(List<String> licenses) {
        return names("licenses", "license", licenses, Set.of());
    }

    /** Checks zone names and returns them without duplicates; null or empty means no pin. */
    static List<String> zones(List<String> zones, Vocabulary vocab) {
        return names("zones", "zone", zones, vocab.zones());
    }

    /** Names of {@code kind} among {@code known} (empty: any), without duplicates, in the order given. */
    private static List<String> names(String field, String kind, List<String> names, Set<String> known) {
        if (names == null || names.isEmpty()) return List.of();
        Set<String> seen = new HashSet<>();
        List<String> out = new ArrayList<>();
        for (String n : names) {
            if (n == null || n.isBlank()) throw invalid(field, "'" + field + "' must list " + kind + " names; one is empty.");
            if (!known.isEmpty() && !known.contains(n)) {
                throw invalid(field, "'" + field + "' names the unknown " + kind + " '" + printable(n) + "'" + didYouMean(n, known)
                        + "; the " + kind + "s are " + String.join(", ", known) + ".");
            }
            if (n.length() > 128) throw invalid(field, "'" + field + "' has a " + kind + " name longer than 128 characters.");
            if (seen.add(n)) out.add(n);
        }
        return List.copyOf(out);
    }

    static void rpm(Integer rpm) {
        rpm("rpm", rpm);
    }

    /** A requests-a-minute limit in {@code field} ({@code rpm}, {@code end_user_rpm}). */
    static void rpm(String field, Integer rpm) {
        if (rpm != null && (rpm < 1 || rpm > MAX_RPM)) {
            throw invalid(field, "'" + field + "' must be a whole number of requests per minute from 1 to " + MAX_RPM + ", or null for no limit; got " + rpm + ".");
        }
    }

    static void tpm(Long tpm) {
        tpm("tpm", tpm);
    }

    /** A tokens-a-minute limit in {@code field} ({@code tpm}, {@code end_user_tpm}). */
    static void tpm(String field, Long tpm) {
        if (tpm != null && (tpm < 1 || tpm > MAX_TPM)) {
            throw invalid(field, "'" + field + "' must be a whole number of tokens per minute from 1 to " + MAX_TPM + ", or null for no limit; got " + tpm + ".");
        }
    }

    static void maxInFlight(Integer n) {
        if (n != null && (n < 1 || n > MAX_IN_FLIGHT)) {
            throw invalid("max_in_flight", "'max_in_flight' must be a whole number of requests at once from 1 to " + MAX_IN_FLIGHT + ", or null for no limit; got " + n + ".");
        }
    }

    static void budget(Double usd) {
        budget("budget_usd_month", usd);
    }

    static void budget(String field, Double usd) {
        if (usd != null && !(usd >= 0 && usd <= MAX_BUDGET_USD)) {
            throw invalid(field, "'" + field + "' must be a number of US dollars from 0 to " + (long) MAX_BUDGET_USD + ", or null for no budget; got " + usd + ".");
        }
    }

    /** A tenant's own retention: a day to a century, or null for the ledger's. */
    static void retentionDays(Integer days) {
        if (days != null && (days < 1 || days > MAX_RETENTION_DAYS)) {
            throw invalid("retention_days", "'retention_days' must be a number of days from 1 to " + MAX_RETENTION_DAYS + ", or null for the ledger's retention; got " + days + ".");
        }
    }

    static void keyName(String name) {
        if (name == null) return;
        if (name.length() > MAX_KEY_NAME) throw invalid("name", "'name' must be at most " + MAX_KEY_NAME + " characters; got " + name.length() + ".");
        if (name.chars().anyMatch(Character::isISOControl)) throw invalid("name", "'name' must not contain control characters.");
    }

    static void expiresAt(Instant expiresAt, Instant now) {
        if (expiresAt != null && !expiresAt.isAfter(now)) {
            throw invalid("expires_at", "'expires_at' must be in the future; got " + expiresAt + ", and it is now " + now + ".");
        }
    }

    /** {@code " (did you mean 'x'?)"} when a known name is close to {@code given}, else empty. */
    static String didYouMean(String given, Collection<String> known) {
        String c = Suggest.closest(given, known);
        return c == null ? "" : " (did you mean '" + c + "'?)";
    }

    /** A value quoted back to the caller: cut short and without control characters. */
    static String printable(String s) {
        String t = s.length() > 80 ? s.substring(0, 80) + "…" : s;
        return t.replaceAll("\\p{Cntrl}", "?");
    }
}
