package dev.airlock.policy.limits;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;

import java.time.Duration;

/**
 * A Redis connection set up for admission counters, which must fail fast rather than wait. Lettuce's
 * defaults queue commands while disconnected and time out after 60 s, which would hold every request
 * for a minute during an outage; here commands are rejected at once while disconnected and time out
 * after {@code commandTimeout}, so the resilient wrappers can degrade within one request. Reconnection
 * runs in the background at a constant short delay, so recovery is noticed quickly too.
 *
 * <p>One connection is thread-safe and pipelines commands from all threads; share it between the rate
 * limiter and the ledger of one replica.
 */
public final class LimitsRedis implements AutoCloseable {
    private final ClientResources resources;
    private final RedisClient client;
    private final StatefulRedisConnection<String, String> connection;

    private LimitsRedis(ClientResources resources, RedisClient client, StatefulRedisConnection<String, String> connection) {
        this.resources = resources;
        this.client = client;
        this.connection = connection;
    }

    /** Connects to {@code uri} (e.g. {@code redis://host:6379/0}); throws if Redis is unreachable now. */
    public static LimitsRedis connect(String uri, Duration commandTimeout) {
        ClientResources resources = DefaultClientResources.builder()
                .reconnectDelay(Delay.constant(Duration.ofMillis(200)))
                .build();
        RedisURI redisUri = RedisURI.create(uri);
        redisUri.setTimeout(commandTimeout);
        RedisClient client = RedisClient.create(resources, redisUri);
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .timeoutOptions(TimeoutOptions.enabled(commandTimeout))
                .build());
        try {
            return new LimitsRedis(resources, client, client.connect());
        } catch (RuntimeException e) {
            client.shutdown();
            resources.shutdown();
            throw e;
        }
    }

    public StatefulRedisConnection<String, String> connection() {
        return connection;
    }

    @Override
    public void close() {
        connection.close();
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        resources.shutdown();
    }
}
