package dev.airlock.classify;

import dev.airlock.classify.detect.Detector;
import dev.airlock.classify.detect.Detectors;
import dev.airlock.classify.detect.PiiOptions;
import dev.airlock.config.DetectorRule;

/** Builds the detector a {@link DetectorRule} describes. Throws {@link IllegalArgumentException} for bad options. */
public final class DetectorFactory {
    private DetectorFactory() {}

    public static Detector build(DetectorRule rule) {
        return switch (rule.kind()) {
            case PII -> {
                PiiOptions o = PiiOptions.DEFAULTS.withDefaultRegion(rule.phoneRegion());
                for (var e : rule.nationalIds().entrySet()) o = o.withNationalId(e.getKey(), e.getValue());
                yield Detectors.pii(o);
            }
            case SECRETS -> Detectors.secrets();
            case REGEX -> Detectors.regexList(rule.name(), rule.patterns());
            case TERMS -> Detectors.termList(rule.name(), rule.terms(), rule.caseSensitive());
        };
    }
}
