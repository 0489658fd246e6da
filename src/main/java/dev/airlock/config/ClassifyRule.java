package dev.airlock.config;

import java.util.List;

/** Raise a request to at least {@code atLeast} when its task is one of {@code tasks} or its file path matches {@code pathGlob}. */
public record ClassifyRule(String name, List<String> tasks, String pathGlob, String atLeast) {
    public ClassifyRule {
        tasks = List.copyOf(tasks);
    }
}
