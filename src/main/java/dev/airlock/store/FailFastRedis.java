package dev.airlock.store;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import java.time.Duration;

/**
 * A Redis connection for work on the request path, which must fail fast rather than wait. Lettuce's
 * defaults queue commands while disconnected and time out after 60 s, which would hold every request
 * for a minute during an outage; here commands are rejected at once while disconnected and time out
 * after {@code commandTimeout}, so callers can degrade within one request. Reconnection runs in the
 * background at a constant short delay, so recovery is noticed quickly too. One connection is
 * thread-safe and pipelines commands from all threads.
 */
public final class FailFastRedis<K, V> implements AutoCloseable {
    private final ClientResources resources;
    private final RedisClient client;
    private final StatefulRedisConnection<K, V> connection;

    private FailFastRedis(ClientResources resources, RedisClient client, StatefulRedisConnection<K, V> connection) {
        this.resources = resources;
        this.client = client;
        this.connection = connection;
    }

    /** Connects to {@code uri} (e.g. {@code redis://host:6379/0}); throws if Redis is unreachable now. */
    public static <K, V> FailFastRedis<K, V> connect(String uri, Duration commandTimeout, RedisCodec<K, V> codec) {
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
            return new FailFastRedis<>(resources, client, client.connect(codec));
        } catch (RuntimeException e) {
            client.shutdown();
            resources.shutdown();
            throw e;
        }
    }

    public StatefulRedisConnection<K, V> connection() {
        return connection;
    }

    /** {@code uri} with any user and password masked, to print. */
    public static String safeUri(String uri) {
        return uri.replaceAll("//[^@/]*@", "//****@");
    }

    @Override
    public void close() {
        connection.close();
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        resources.shutdown();
    }
}
