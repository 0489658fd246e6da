package dev.airlock.wire;

import java.util.List;

/** A request that only reads its input and generates nothing (embeddings, rerank): its route and its texts. */
public interface InputRequest {
    String model();

    /** Every text the model reads. */
    List<String> texts();

    default int chars() {
        int n = 0;
        for (String t : texts()) n += t.length();
        return n;
    }
}
