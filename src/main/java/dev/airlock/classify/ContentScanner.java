package dev.airlock.classify;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.airlock.classify.detect.Detector;
import dev.airlock.classify.detect.Finding;
import dev.airlock.config.AirlockConfig;
import dev.airlock.core.FingerprintTable;
import dev.airlock.core.TextHash;
import dev.airlock.wire.TextFields;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs the configured detectors over every text field of a request. Synchronous, no I/O, thread-safe.
 *
 * <p>What the detectors find in a long text is cached by the text's {@link TextHash}, because chat
 * clients resend the whole conversation every turn: without the cache a coding agent's fiftieth turn
 * re-scans the forty-nine before it. It holds fingerprints and findings (detector, type, offsets),
 * never text: every text cached is a fingerprint in a {@link FingerprintTable}, marked clean (the
 * common case) or found, and a found one's findings are in a smaller cache of objects.
 * A text on which any detector failed is not cached, so the failure is met again, and fails closed
 * again, on the next request. Each scanner has its own cache, so a new configuration (new detectors)
 * never sees an old one's findings.
 */
public final class ContentScanner {
    /** Shorter texts are scanned directly: hashing and the lookup would cost about as much. */
    static final int CACHE_FROM_CHARS = 64;
    /** From how many text fields a request's short texts are scanned once each. */
    static final int SHORT_MEMO_FROM_FIELDS = 16;
    private static final int CACHE_ENTRIES = 50_000;
    /** Texts with findings are rarer; their findings are objects, so they get a cache of their own. */
    private static final int FINDINGS_ENTRIES = 10_000;

    /** A detector, the name its failures are reported under, and the level rank its findings raise to. */
    record Configured(String name, Detector detector, int rank) {}

    private final List<Configured> detectors;
    /**
     * Every text scanned and cached, by fingerprint: {@link #CLEAN} when no detector found anything (the
     * common case, then nothing else is kept), {@link #FOUND} when its findings are in {@link #findings}.
     * A text new to this table goes straight to the detectors: the lookup in the object cache, a
     * certain miss for the new turn every chat request carries, cost ~1 µs of a cold hash table.
     */
    private final FingerprintTable seen = new FingerprintTable(CACHE_ENTRIES);
    private static final int CLEAN = 0;
    private static final int FOUND = 1;
    /** Per other text: the findings of each detector, in the order of {@link #detectors}. */
    // maintenance (eviction) on the calling event loop: handing it to the common pool woke a third
    // thread and contended for the eviction lock
    private final Cache<TextHash, List<List<Finding>>> findings = Caffeine.newBuilder()
            .maximumSize(FINDINGS_ENTRIES).executor(Runnable::run).build();
    private final List<List<Finding>> nothing;

    public ContentScanner(AirlockConfig config) {
        this(config.detectors().stream()
                .map(r -> new Configured(r.name(), DetectorFactory.build(r), config.levels().indexOf(r.atLeast())))
                .toList());
    }

    ContentScanner(List<Configured> detectors) {
        this.detectors = List.copyOf(detectors);
        List<List<Finding>> none = new ArrayList<>();
        for (int d = 0; d < detectors.size(); d++) none.add(List.of());
        this.nothing = List.copyOf(none); // shared by every clean text, the common case
    }

    public boolean enabled() { return !detectors.isEmpty(); }

    public ContentScan scan(List<TextFields.Field> fields) {
        return scan(fields, new TextHash.Memo());
    }

    /** Scans with the request's fingerprints, which the token estimator then reuses. */
    public ContentScan scan(List<TextFields.Field> fields, TextHash.Memo fingerprints) {
        if (detectors.isEmpty() || fields.isEmpty()) return ContentScan.EMPTY;
        boolean[] failed = new boolean[detectors.size()];
        List<List<List<Finding>>> perField = new ArrayList<>(fields.size());
        // a body of many fields (a coding agent's tool schemas) repeats short texts ("string", "object")
        // that the cache does not keep: each is scanned once per request
        java.util.Map<String, List<List<Finding>>> shortOnes = fields.size() > SHORT_MEMO_FROM_FIELDS ? new java.util.HashMap<>() : null;
        for (TextFields.Field f : fields) {
            String text = f.get();
            if (shortOnes != null && text.length() < CACHE_FROM_CHARS) perField.add(shortOnes.computeIfAbsent(text, t -> findings(t, fingerprints, failed)));
            else perField.add(findings(text, fingerprints, failed));
        }
        // Detector by detector, then field by field: the order the raised-by sources are recorded in.
        List<ContentScan.Hit> hits = new ArrayList<>();
        List<String> failedNames = new ArrayList<>();
        for (int d = 0; d < detectors.size(); d++) {
            Configured c = detectors.get(d);
            for (int k = 0; k < fields.size(); k++) {
                for (Finding finding : perField.get(k).get(d)) hits.add(new ContentScan.Hit(fields.get(k), finding, c.rank()));
            }
            if (failed[d]) failedNames.add(c.name()); // the caller decides: fail closed by default
        }
        return new ContentScan(hits, failedNames);
    }

    /** Each detector's findings in {@code text}, from the cache when the text is long and was seen before. */
    private List<List<Finding>> findings(String text, TextHash.Memo fingerprints, boolean[] failed) {
        if (text.isEmpty()) return nothing;
        if (text.length() < CACHE_FROM_CHARS) return run(text, failed);
        TextHash key = fingerprints.of(text);
        int mark = seen.get(key);
        if (mark == CLEAN) return nothing;
        if (mark == FOUND) {
            List<List<Finding>> known = findings.getIfPresent(key);
            if (known != null) return known; // else evicted from the smaller cache: scan again
        }
        boolean[] here = new boolean[failed.length];
        List<List<Finding>> found = run(text, here);
        boolean ok = true;
        for (int d = 0; d < here.length; d++) {
            if (here[d]) {
                failed[d] = true;
                ok = false;
            }
        }
        if (!ok) return found; // a detector failed: not cached, so it fails closed again next time
        if (found != nothing) findings.put(key, found);
        seen.put(key, found == nothing ? CLEAN : FOUND);
        return found;
    }

    private List<List<Finding>> run(String text, boolean[] failed) {
        List<List<Finding>> out = null;
        for (int d = 0; d < detectors.size(); d++) {
            List<Finding> one = new ArrayList<>(0);
            try {
                detectors.get(d).detector().scan(text, one::add);
            } catch (RuntimeException e) {
                failed[d] = true; // what it reported before failing still counts
            }
            if (!one.isEmpty() && out == null) out = new ArrayList<>(nothing);
            if (!one.isEmpty()) out.set(d, List.copyOf(one));
        }
        return out == null ? nothing : List.copyOf(out);
    }

    /** Texts fingerprinted so far, clean or found (for tests). */
    long cached() {
        return seen.size();
    }

    /** Detectors by name, for the output guard. */
    public List<Detector> named(List<String> names) {
        List<Detector> out = new ArrayList<>(names.size());
        for (Configured c : detectors) if (names.contains(c.name())) out.add(c.detector());
        return out;
    }
}
