package dev.airlock.cache;

import java.time.Duration;
import java.util.concurrent.CompletionStage;

/**
 * Where the answer cache keeps its answers: this process's memory ({@link MemoryAnswers}) or a Redis
 * that every replica shares ({@link RedisAnswers}). Neither ever fails a request: a store that cannot
 * answer is a miss, and an answer it cannot keep is not kept.
 */
sealed interface AnswerStore extends AutoCloseable permits MemoryAnswers, RedisAnswers {
    /** The answer kept for {@code key}; completes with null on a miss, and on an error. */
    CompletionStage<byte[]> get(AnswerCache.Key key);

    /** Keeps {@code body} for {@code ttl}, in the background. */
    void put(AnswerCache.Key key, byte[] body, Duration ttl);

    /** Drops the answers of {@code route} (null: of every route), blocking; returns how many. */
    long purge(String route);

    /** Where the answers are, for whoever purges them: {@code memory} (this replica's) or {@code redis} (every replica's). */
    String kind();

    @Override
    void close();
}
