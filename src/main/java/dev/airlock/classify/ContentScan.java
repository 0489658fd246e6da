package dev.airlock.classify;

import dev.airlock.classify.detect.Finding;
import dev.airlock.wire.TextFields;
import java.util.List;

/**
 * What the content detectors found in one request: each hit with its text field and the rank it
 * raises to, and the detectors that failed. Holds offsets into the fields, never copies of the text.
 */
public record ContentScan(List<Hit> hits, List<String> failedDetectors) {
    public ContentScan {
        hits = List.copyOf(hits);
        failedDetectors = List.copyOf(failedDetectors);
    }

    public static final ContentScan EMPTY = new ContentScan(List.of(), List.of());

    /** The prefix of an entry of {@link #failedDetectors} that names content no detector could read, not a detector. */
    public static final String UNREADABLE = "unreadable:";

    /**
     * This scan, and content that no detector could read (token ids): classified as a failed
     * detector's content is, so that the unread is never taken for harmless.
     */
    public ContentScan unreadable(String what) {
        List<String> failed = new java.util.ArrayList<>(failedDetectors);
        failed.add(UNREADABLE + what);
        return new ContentScan(hits, failed);
    }

    /** One finding: where, what, and the level rank its detector raises to. */
    public record Hit(TextFields.Field field, Finding finding, int rank) {
        /** The name recorded for it, e.g. {@code detector:pii:email}. */
        public String source() {
            return "detector:" + finding.detector() + ":" + finding.type();
        }
    }
}
