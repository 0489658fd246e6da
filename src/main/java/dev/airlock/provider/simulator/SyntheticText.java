package dev.airlock.provider.simulator;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Deterministic filler text: the same prompt and model always give the same tokens. */
final class SyntheticText {
    private static final String[] WORDS = ("the a gateway model request token stream zone policy route deployment "
            + "answer latency budget tenant cluster weights release secure local data residency on-prem simulated "
            + "inference prompt result value cache queue signal metric window batch kernel vector layer shard").split(" ");

    private SyntheticText() {}

    static List<String> tokens(String seedText, int count) {
        SplittableRandom rnd = new SplittableRandom(seedText.hashCode() * 31L + count);
        List<String> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            String w = WORDS[rnd.nextInt(WORDS.length)];
            out.add(i == 0 ? capitalise(w) : " " + w);
        }
        if (!out.isEmpty()) out.set(out.size() - 1, out.get(out.size() - 1) + ".");
        return out;
    }

    static float[] vector(String text, int dims) {
        SplittableRandom rnd = new SplittableRandom(text.hashCode());
        float[] v = new float[dims];
        double norm = 0;
        for (int i = 0; i < dims; i++) {
            v[i] = (float) (rnd.nextDouble() * 2 - 1);
            norm += v[i] * v[i];
        }
        float n = (float) Math.sqrt(norm);
        for (int i = 0; i < dims; i++) v[i] /= n;
        return v;
    }

    /** A rough token count for usage figures: about four characters a token, at least one. */
    static int countTokens(String text) {
        return Math.max(1, (text.length() + 3) / 4);
    }

    private static String capitalise(String w) {
        return Character.toUpperCase(w.charAt(0)) + w.substring(1);
    }
}
