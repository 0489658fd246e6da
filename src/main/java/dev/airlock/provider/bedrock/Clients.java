package dev.airlock.provider.bedrock;

import dev.airlock.config.Deployment;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.client.config.SdkAdvancedAsyncClientOption;
import software.amazon.awssdk.http.Protocol;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.http.nio.netty.SdkEventLoopGroup;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.bedrockruntime.BedrockRuntimeAsyncClient;
import software.amazon.awssdk.services.bedrockruntime.BedrockRuntimeAsyncClientBuilder;

/** Builds the SDK client of one Bedrock deployment. */
final class Clients {
    /** Concurrent requests per deployment; the SDK's default of 50 would queue a busy gateway. */
    private static final int MAX_CONCURRENCY = 512;
    /** Lets a real connect timeout report itself before the pool's acquire timeout fires. */
    private static final long ACQUIRE_MARGIN_MS = 1_000;

    /**
     * One I/O event loop group for all Bedrock deployments, for the life of the process. Per-client groups
     * would cost 2 × cores threads per deployment and a 2 s graceful shutdown on every close.
     */
    private static final class SharedLoop {
        static final SdkEventLoopGroup GROUP = SdkEventLoopGroup.builder()
                .numberOfThreads(Math.max(2, Runtime.getRuntime().availableProcessors()))
                .threadFactory(new ThreadFactory() {
                    private final AtomicInteger n = new AtomicInteger();

                    @Override
                    public Thread newThread(Runnable r) {
                        Thread t = new Thread(r, "airlock-bedrock-io-" + n.incrementAndGet());
                        t.setDaemon(true); // never holds the JVM open at shutdown
                        return t;
                    }
                })
                .build();
    }

    private Clients() {}

    static BedrockRuntimeAsyncClient create(Deployment d) {
        URI endpoint = d.endpoint() == null || d.endpoint().isBlank() ? null : URI.create(d.endpoint());
        NettyNioAsyncHttpClient.Builder http = NettyNioAsyncHttpClient.builder()
                .eventLoopGroup(SharedLoop.GROUP)
                .maxConcurrency(MAX_CONCURRENCY)
                .connectionTimeout(Duration.ofMillis(d.timeouts().connectMs()))
                // Getting a pooled connection includes connecting. The SDK's pool sometimes loses a refused
                // connect (measured: ~1 in 10 on loopback) and only fails at this timeout, 10 s by default:
                // bound it by the connect timeout so an unreachable endpoint fails fast either way.
                .connectionAcquisitionTimeout(Duration.ofMillis(d.timeouts().connectMs() + ACQUIRE_MARGIN_MS))
                // the router enforces first-token, idle and total timeouts and cancels the call; this read
                // timeout is only a backstop, so it must not cut a long non-streaming answer short
                .readTimeout(Duration.ofMillis(d.timeouts().totalMs()));
        // The SDK speaks HTTP/2 to Bedrock, negotiated by ALPN inside TLS. A plain-http endpoint (a local
        // proxy, the test fake) has no TLS to negotiate in, so it gets HTTP/1.1, which ConverseStream
        // (a response-only stream) works over.
        if (endpoint != null && "http".equalsIgnoreCase(endpoint.getScheme())) http.protocol(Protocol.HTTP1_1);
        BedrockRuntimeAsyncClientBuilder b = BedrockRuntimeAsyncClient.builder()
                .region(Region.of(d.region() == null || d.region().isBlank() ? "us-east-1" : d.region()))
                .credentialsProvider(credentials(d))
                // a builder, not a built client: the SDK adds its service defaults (HTTP/2 over ALPN) under
                // the settings above and closes the client with itself
                .httpClientBuilder(http)
                // Airlock's router owns retries (with backoff, breaker and fallbacks); SDK retries would
                // multiply them and hide failures from the breaker
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()))
                // completion callbacks only hop to the request's context, so run them where the SDK completes
                // instead of on a per-client "sdk-async-response" thread pool
                .asyncConfiguration(a -> a.advancedOption(SdkAdvancedAsyncClientOption.FUTURE_COMPLETION_EXECUTOR, Runnable::run));
        if (endpoint != null) b.endpointOverride(endpoint);
        return b.build();
    }

    private static AwsCredentialsProvider credentials(Deployment d) {
        if (d.awsAccessKeyId() != null && d.awsSecretAccessKey() != null) {
            return StaticCredentialsProvider.create(AwsBasicCredentials.create(d.awsAccessKeyId().reveal(), d.awsSecretAccessKey().reveal()));
        }
        // environment, profile, container or instance role: whatever the host is given
        return DefaultCredentialsProvider.builder().build();
    }
}
