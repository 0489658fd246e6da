package dev.airlock.classify.detect;

import com.google.i18n.phonenumbers.PhoneNumberUtil;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Options of the {@link Detectors#pii(PiiOptions) pii} detector.
 *
 * @param defaultRegion CLDR region (e.g. {@code "US"}, {@code "DE"}) used to read phone numbers written
 *                      without a {@code +} country code; default {@code "US"}
 * @param nationalIds   extra national identifier patterns, reported as {@code national_id:<name>};
 *                      default none
 */
public record PiiOptions(String defaultRegion, List<NationalId> nationalIds) {

    /** US phone region, no national ID patterns. */
    public static final PiiOptions DEFAULTS = new PiiOptions("US", List.of());

    /**
     * One national identifier format.
     *
     * @param name  short name used in the finding type, e.g. {@code "de_tax_id"}
     * @param regex Java regex; write boundaries ({@code \b}) into it, the detector adds none
     */
    public record NationalId(String name, String regex) {
        public NationalId {
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("national id pattern needs a name");
            }
            Objects.requireNonNull(regex, "regex of national id " + name);
            try {
                if (Pattern.compile(regex).matcher("").matches()) {
                    throw new IllegalArgumentException("national id " + name + ": pattern matches the empty string");
                }
            } catch (PatternSyntaxException e) {
                throw new IllegalArgumentException("national id " + name + ": bad regex: " + e.getDescription(), e);
            }
        }
    }

    public PiiOptions {
        Objects.requireNonNull(defaultRegion, "defaultRegion");
        if (!PhoneNumberUtil.getInstance().getSupportedRegions().contains(defaultRegion)) {
            throw new IllegalArgumentException(
                    "unknown phone region '" + defaultRegion + "': use an upper-case CLDR code such as US, GB, DE");
        }
        nationalIds = List.copyOf(Objects.requireNonNull(nationalIds, "nationalIds"));
    }

    public PiiOptions withDefaultRegion(String region) {
        return new PiiOptions(region, nationalIds);
    }

    public PiiOptions withNationalId(String name, String regex) {
        List<NationalId> ids = new ArrayList<>(nationalIds);
        ids.add(new NationalId(name, regex));
        return new PiiOptions(defaultRegion, ids);
    }
}
