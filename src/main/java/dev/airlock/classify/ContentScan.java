package dev.airlock.classify;

import dev.airlock.classify.detect.Finding;
import dev.airlock.wire.TextFields;
import java.util.List;

/**
 * What the content detectors found in one request: each hit with its text field and the rank it
 * raises to, the detectors that failed, and (among those, prefixed {@value #UNREADABLE}) the kinds of
 * content no detector could read. Holds offsets into the fields, never copies of the text.
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
     * This scan, and content of a kind no detector can read (an image, audio, a file, token ids): it
     * raises the request to {@code classify.unreadable}, the highest level unless the configuration
     * says otherwise, so that the unread is never taken for harmless.
     */
    public ContentScan unreadable(String kind) {
        List<String> failed = new java.util.ArrayList<>(failedDetectors);
        failed.add(UNREADABLE + kind);
        return new ContentScan(hits, failed);
    }

    /** Only the entries of {@link #failedDetectors} that name unreadable content: what no redaction can take out. */
    public ContentScan unreadableOnly() {
        List<String> kept = new java.util.ArrayList<>();
        for (String f : failedDetectors) if (f.startsWith(UNREADABLE)) kept.add(f);
        return new ContentScan(List.of(), kept);
    }

    /** Whether a detector failed (not counting content no detector can read). */
    public boolean detectorFailed() {
        for (String f : failedDetectors) if (!f.startsWith(UNREADABLE)) return true;
        return false;
    }

    /** One finding: where, what, and the level rank its detector raises to. */
    public record Hit(TextFields.Field field, Finding finding, int rank) {
        /** The name recorded for it, e.g. {@code detector:pii:email}. */
        public String source() {
            return "detector:" + finding.detector() + ":" + finding.type();
        }
    }
}
