package dev.airlock.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/**
 * The YAML file as written, before validation. Field names map to snake_case keys; Jackson rejects
 * any key not declared here. Only {@link ConfigLoader} sees these records.
 */
record ConfigSpec(
        ServerSpec server,
        List<String> levels,
        Map<String, ZoneSpec> zones,
        Map<String, List<String>> residency,
        List<DeploymentSpec> deployments,
        Map<String, RouteSpec> routes,
        ClassifySpec classify,
        Map<String, TenantSpec> tenants,
        RoutingSpec routing,
        AdminSpec admin,
        StoreSpec store,
        LedgerSpec ledger,
        LimitsSpec limits,
        AuthSpec auth,
        TelemetrySpec telemetry,
        CacheSpec cache) {

    record TelemetrySpec(TracesSpec traces) {}

    record TracesSpec(String endpoint, String zone, Double sampleRatio, Map<String, String> headers, String serviceName, Long timeoutMs, Integer queueSize) {}

    /** {@code oidc}: one identity provider, or a list of them. */
    record AdminSpec(String masterKey,
                     @com.fasterxml.jackson.annotation.JsonFormat(with = com.fasterxml.jackson.annotation.JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY)
                     List<OidcSpec> oidc, List<String> networks) {}

    record OidcSpec(String issuer, String jwksUrl, String audience, String rolesClaim, String adminRole, String viewerRole, String tenantAdminRole,
                    String tenantsClaim, Long refreshSeconds) {}

    /** {@code workloads}: one issuer, or a list of them (a cluster each). */
    record AuthSpec(Boolean requireKeys, Integer keyCacheSeconds,
                    @com.fasterxml.jackson.annotation.JsonFormat(with = com.fasterxml.jackson.annotation.JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY)
                    List<WorkloadsSpec> workloads) {}

    record WorkloadsSpec(String issuer, String jwksUrl, String audience, Long refreshSeconds, String subjectPrefix) {}

    record StoreSpec(String url, String user, String password, Integer poolSize, Long connectTimeoutMs, String zone) {}

    record LedgerSpec(Integer queueCapacity, Integer batchSize, Long flushIntervalMs, String spillDir, Long spillMaxBytes,
                      Integer retentionDays, Integer retentionIntervalMinutes, Integer dropLogIntervalSeconds, Boolean endUser,
                      Boolean journal) {}

    record ServerSpec(String host, Integer port, Long maxBodyBytes, String transport, Integer spinUs, Long keepaliveTimeoutMs, Long bodyTimeoutMs, Long sendTimeoutMs,
                      TlsSpec tls, Long drainTimeoutMs, Long watchConfigMs, List<String> trustedProxies) {}

    record TlsSpec(String certFile, String keyFile, String clientCaFile, Long reloadIntervalMs, Boolean http2) {}

    record ZoneSpec(Boolean external, String description) {}

    record DeploymentSpec(
            String id, String provider, String baseUrl, String model, String zone, String release, String license,
            String apiKey, String region, String endpoint, String awsAccessKeyId, String awsSecretAccessKey,
            Integer weight, PriceSpec price, SimulatorSpec simulator, TimeoutsSpec timeouts, String anthropicVersion, Long rpm, Long tpm,
            Boolean http2, CapacitySpec capacity, ConcurrencySpec concurrency, EngineMetricsSpec engineMetrics, Boolean crossRegion) {}

    record EngineMetricsSpec(Long intervalMs, Integer busyWhenWaiting) {}

    record CapacitySpec(Double outputTokensPerSecond) {}

    record ConcurrencySpec(Integer maxInFlight, Integer maxQueued, Long queueTimeoutMs, java.util.Map<String, Integer> shares) {}

    record PriceSpec(Double inputPerMtok, Double outputPerMtok, Double hourlyUsd, Double cacheReadPerMtok, Double cacheWritePerMtok,
                     Double audioPerMinute) {}

    record SimulatorSpec(Integer ttftMs, Double tokensPerSecond, Double jitter, Integer maxTokens, Integer port) {}

    record TimeoutsSpec(Long connectMs, Long firstTokenMs, Long idleMs, Long totalMs) {}

    record RouteSpec(List<String> deployments, List<String> fallbacks, String strategy, Integer retries, String onSensitive,
                     Boolean restore, List<String> guard, CaptureSpec capture, CanarySpec canary, RouteCacheSpec cache,
                     ShadowSpec shadow) {}

    record ShadowSpec(String deployment, Double percent, Integer maxInFlight) {}

    record RouteCacheSpec(Long ttlSeconds) {}

    record CacheSpec(String zone, Integer maxMb, String redisUrl, Long commandTimeoutMs) {}

    record CanarySpec(String deployment, Double percent, Integer minRequests, Integer window, Double maxErrorRateIncrease, Double maxLatencyRatio,
                      GateSpec gate, List<Double> steps, Integer stepRequests) {}

    record GateSpec(String suite, Double minPassRate, Boolean compareWithRoute) {}

    record CaptureSpec(Double sampleRate, String approval, String until, Integer retentionDays) {}

    record ClassifySpec(List<RuleSpec> rules, DetectorsSpec detectors, String onDetectorError, String unreadable) {}

    record DetectorsSpec(PiiSpec pii, SecretsSpec secrets, List<CustomSpec> custom) {}

    record PiiSpec(String atLeast, String phoneRegion, List<NationalIdSpec> nationalIds) {}

    record NationalIdSpec(String name, String regex) {}

    record SecretsSpec(String atLeast) {}

    record CustomSpec(String name, List<String> patterns, List<String> terms, Boolean caseSensitive, String atLeast) {}

    record RuleSpec(List<String> task, String path, String atLeast) {}

    record TenantSpec(@JsonProperty("default") String defaultLevel, List<String> routes, Double budgetUsdMonth, Long rpm, Long tpm, Boolean cacheAnswers,
                      Integer maxInFlight, List<String> zones, Long endUserRpm, Long endUserTpm, Double endUserBudgetUsdMonth,
                      List<String> licenses, List<String> networks, Integer retentionDays) {}

    record LimitsSpec(String redisUrl, String budgetsOnOutage, Boolean countFreeDeployments, Integer replicas, Long commandTimeoutMs) {}

    record RoutingSpec(Integer retries, Long backoffBaseMs, Long backoffMaxMs, Long maxRetryAfterMs,
                       Integer cooldownFailures, Long cooldownMs, TimeoutsSpec timeouts) {}
}
