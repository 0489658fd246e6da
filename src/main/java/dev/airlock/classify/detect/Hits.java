package dev.airlock.classify.detect;

import java.util.Arrays;
import java.util.function.Consumer;

/**
 * Candidate findings of one scan, kept until the end so that overlaps between types can be settled
 * (a card number inside an e-mail local part is the e-mail, not a card) and findings leave in order.
 * Lower priority number wins an overlap.
 */
final class Hits {
    private Finding[] items = new Finding[8];
    private int[] prio = new int[8];
    private int size;

    void add(String detector, String type, int start, int end, int priority) {
        if (size == items.length) {
            items = Arrays.copyOf(items, size * 2);
            prio = Arrays.copyOf(prio, size * 2);
        }
        items[size] = new Finding(detector, type, start, end);
        prio[size++] = priority;
    }

    private boolean before(int a, int b) {
        int sa = items[a].start();
        int sb = items[b].start();
        return sa < sb || (sa == sb && prio[a] < prio[b]);
    }

    boolean isEmpty() {
        return size == 0;
    }

    /** Emits the findings by start offset; of two overlapping ones the higher priority (then the earlier) stays. */
    void flush(Consumer<Finding> out) {
        if (size == 0) {
            return;
        }
        // Insertion sort by (start, priority): the list is short and nearly sorted (one left-to-right pass).
        int[] order = new int[size];
        for (int k = 0; k < size; k++) {
            int cur = k;
            int j = k - 1;
            while (j >= 0 && before(cur, order[j])) {
                order[j + 1] = order[j];
                j--;
            }
            order[j + 1] = cur;
        }
        int last = -1;
        for (int k = 0; k < size; k++) {
            int cur = order[k];
            if (last >= 0 && items[cur].overlaps(items[last])) {
                // Everything accepted before `last` ends before it starts, so swapping keeps the set disjoint.
                if (prio[cur] < prio[last]) {
                    last = cur;
                }
                continue;
            }
            if (last >= 0) {
                out.accept(items[last]);
            }
            last = cur;
        }
        out.accept(items[last]);
        size = 0;
    }
}
