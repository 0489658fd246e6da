package dev.airlock.policy;

import dev.airlock.config.AirlockConfig;
import dev.airlock.config.Deployment;
import dev.airlock.core.AirlockException;
import dev.airlock.core.ErrorKind;
import dev.airlock.identity.Caller;
import dev.airlock.policy.limits.BudgetLedger;
import dev.airlock.policy.limits.BudgetPeriod;
import dev.airlock.policy.limits.Decision;
import dev.airlock.policy.limits.LimitsRedis;
import dev.airlock.policy.limits.LocalBudgetLedger;
import dev.airlock.policy.limits.LocalRateLimiter;
import dev.airlock.policy.limits.RateLimiter;
import dev.airlock.policy.limits.RedisBudgetLedger;
import dev.airlock.policy.limits.RedisRateLimiter;
import dev.airlock.policy.limits.Reservation;
import dev.airlock.policy.limits.SharedInFlight;
import dev.airlock.policy.limits.ResilientBudgetLedger;
import dev.airlock.policy.limits.ResilientRateLimiter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Admission by quota, before dispatch: requests and tokens per minute per key and per tenant, and
 * the monthly budget of each, reserved at the worst case and settled with the real cost. Also the
 * per-deployment caps the relay asks about before each attempt. Counters are in this process, or in
 * Redis when {@code limits.redis_url} is set (then every call may block briefly: call it off the event loop).
 */
public final class Quotas implements AutoCloseable {
    private final RateLimiter limiter;
    private final BudgetLedger budgets;
    private final boolean countFree;
    private final LimitsRedis redis;
    private final SharedInFlight shared;
    private final int replicas;

    private Quotas(RateLimiter limiter, BudgetLedger budgets, boolean countFree, LimitsRedis redis, SharedInFlight shared, int replicas) {
        this.limiter = limiter;
        this.budgets = budgets;
        this.countFree = countFree;
        this.redis = redis;
        this.shared = shared;
        this.replicas = replicas;
    }

    public static Quotas create(AirlockConfig.Limits cfg) {
        if (cfg.redisUrl() == null) return new Quotas(new LocalRateLimiter(), new LocalBudgetLedger(), cfg.countFreeDeployments(), null, null, 1);
        LimitsRedis redis;
        try {
            redis = LimitsRedis.connect(cfg.redisUrl(), Duration.ofMillis(cfg.commandTimeoutMs()));
        } catch (RuntimeException e) {
            throw new IllegalStateException("Redis at limits.redis_url (" + dev.airlock.store.FailFastRedis.safeUri(cfg.redisUrl())
                    + ") is unreachable; start it, or remove limits.redis_url to count limits in this process only", e);
        }
        RateLimiter limiter = new ResilientRateLimiter(new RedisRateLimiter(redis.connection(), "airlock:rl:"), new LocalRateLimiter(), cfg.replicas(), 1_000);
        BudgetLedger budgets = new ResilientBudgetLedger(new RedisBudgetLedger(redis.connection(), "airlock:budget:"),
                cfg.budgetsFailClosed() ? ResilientBudgetLedger.OnOutage.FAIL_CLOSED : ResilientBudgetLedger.OnOutage.USE_LOCAL,
                System::currentTimeMillis, 1_000);
        return new Quotas(limiter, budgets, cfg.countFreeDeployments(), redis, new SharedInFlight(redis.connection(), "airlock:inflight:"),
                cfg.replicas());
    }

    /** Whether rate limits are counting locally because Redis is unreachable (for the metric). */
    public boolean degraded() {
        return (limiter instanceof ResilientRateLimiter r && r.degraded()) || (budgets instanceof ResilientBudgetLedger b && b.degraded())
                || (shared != null && shared.degraded());
    }

    /**
     * Times the rate limiter or the budget ledger lost Redis, for a counter: a stall shorter than the
     * scrape interval degrades a replica to its own counts for a probe interval, which the gauge can miss.
     */
    public long outages() {
        return (limiter instanceof ResilientRateLimiter r ? r.outages() : 0) + (budgets instanceof ResilientBudgetLedger b ? b.outages() : 0);
    }

    /** Whether calls may block on the network (Redis). */
    public boolean remote() { return redis != null; }

    /** Whether a request costing {@code worstCaseUsd} is budgeted at all. */
    public boolean counts(double worstCaseUsd) { return worstCaseUsd > 0 || countFree; }

    /**
     * What was admitted, to settle or release after the answer. {@code rpm} and {@code tpm} are the
     * windows the client is told about in its {@code x-ratelimit-*} headers (the key's where it has
     * its own limit, else the tenant's); null when no such limit applies.
     */
    public record Grant(List<Held> tokens, List<Reservation> reservations, long estimatedTokens, Window rpm, Window tpm) {
        public static final Grant NONE = new Grant(List.of(), List.of(), 0, null, null);
    }

    /** A rate-limit window as the client sees it: its limit per minute and what is left of it. */
    public record Window(long limit, long remaining) {}

    /** A token-per-minute entry admitted at the estimate, corrected when the real usage is known. */
    public record Held(String key, String ticket) {}

    private record Limit(Scope scope, Long rpm, Long tpm, Double budget) {}

    /**
     * A key's or tenant's counter names and the name its refusals use. Made once per key or tenant
     * and reused: every request used to build these strings again, and the limiter's map then hashed
     * and compared each new string; the same instances carry their hash and compare by reference.
     */
    private record Scope(String scope, String name, String rpmKey, String tpmKey, AtomicInteger inFlight) {
        static Scope of(String kind, String id) {
            String scope = kind + ":" + id;
            return new Scope(scope, kind + " " + id, scope + ":rpm", scope + ":tpm", new AtomicInteger());
        }
    }

    /** Beyond this many keys or tenants the cache starts again, so deleted ones do not stay forever. */
    static final int MAX_SCOPES = 100_000;
    private final ConcurrentHashMap<String, Scope> keyScopes = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Scope> tenantScopes = new ConcurrentHashMap<>();

    private static Scope scope(ConcurrentHashMap<String, Scope> scopes, String kind, String id) {
        Scope s = scopes.get(id);
        if (s != null) return s;
        if (scopes.size() >= MAX_SCOPES) scopes.clear();
        return scopes.computeIfAbsent(id, i -> Scope.of(kind, i));
    }

    private List<Limit> limits(Caller caller, String endUser) {
        List<Limit> out = new ArrayList<>(3);
        if (caller.key() != null) {
            var k = caller.key();
            out.add(new Limit(scope(keyScopes, "key", caller.keyId()), k.rpm(), k.tpm(), k.budgetUsdMonth()));
        }
        var t = caller.tenant();
        out.add(new Limit(scope(tenantScopes, "tenant", t.name()), t.rpm(), t.tpm(), t.budgetUsdMonth()));
        if (t.limitsEndUsers()) out.add(new Limit(endUserScope(t.name(), endUser), t.endUserRpm(), t.endUserTpm(), t.endUserBudgetUsdMonth()));
        return out;
    }

    /**
     * The counters of one end user of a tenant. Not cached as keys' and tenants' are: end users are
     * many and come and go, and the limiter drops their idle windows itself. The end user is named by
     * the first 128 bits of its SHA-256, so the counters (in Redis with {@code limits.redis_url}) hold
     * no name or email a client sent, and have one length however long the name. Requests that name no
     * end user share one window: omitting {@code user} does not escape the limit.
     */
    static Scope endUserScope(String tenant, String endUser) {
        // the store's digest of keys: SHA-256 in hex, of which 32 characters (128 bits) tell end users apart
        String id = endUser == null ? "-" : dev.airlock.identity.keys.VirtualKeys.hash(endUser).substring(0, 32);
        String scope = "end_user:" + tenant + ":" + id;
        String name = endUser == null ? "the requests of tenant " + tenant + " that name no end user (they share one end user's limit; name each in 'user')"
                : "the end user this request names ('user') of tenant " + tenant;
        return new Scope(scope, name, scope + ":rpm", scope + ":tpm", null);
    }

    /** Whether {@link #hold} asks Redis for this caller's slots (then it may block: call it off the event loop). */
    public boolean holdsRemotely(Caller caller) {
        return shared != null && ((caller.key() != null && caller.key().maxInFlight() != null) || caller.tenant().maxInFlight() != null);
    }

    /**
     * Takes a slot of the key's and of its tenant's {@code max_in_flight} (where set), or throws 429
     * ({@code rate_limit_exceeded}, {@code Retry-After: 1}) when either has that many requests in
     * flight. The caller gives the slots back with {@link Slots#release} when the request ends, however
     * it ends. With {@code limits.redis_url} the slots are leases in Redis, shared by every replica
     * ({@link SharedInFlight}: a replica that dies holding some loses them within a lease); while Redis
     * does not answer, and without it, they are counted in this replica, each limit divided by
     * {@code limits.replicas} when Redis is away.
     *
     * <p>The counters live in the key's and tenant's cached scope. When the cache starts again past
     * {@value #MAX_SCOPES} keys, requests in flight give their slots back to the counters they took
     * them from, and new requests count afresh: for that moment a key may have up to twice its limit.
     */
    public Slots hold(Caller caller) {
        Integer keyMax = caller.key() == null ? null : caller.key().maxInFlight();
        Integer tenantMax = caller.tenant().maxInFlight();
        if (keyMax == null && tenantMax == null) return Slots.NONE;
        if (shared != null) {
            Slots s = holdShared(caller, keyMax, tenantMax);
            if (s != null) return s;
        }
        int share = shared == null ? 1 : replicas; // Redis is away: each replica takes its part
        AtomicInteger key = null;
        if (keyMax != null) {
            Scope s = scope(keyScopes, "key", caller.keyId());
            if (!take(s.inFlight(), Math.max(1, keyMax / share))) throw tooMany(s.name(), keyMax);
            key = s.inFlight();
        }
        if (tenantMax != null) {
            Scope s = scope(tenantScopes, "tenant", caller.tenant().name());
            if (!take(s.inFlight(), Math.max(1, tenantMax / share))) {
                if (key != null) key.decrementAndGet();
                throw tooMany(s.name(), tenantMax);
            }
            return new Slots(key, s.inFlight(), null, null, null);
        }
        return new Slots(key, null, null, null, null);
    }

    /** The slots as leases in Redis; null when Redis does not answer (the caller counts locally). */
    private Slots holdShared(Caller caller, Integer keyMax, Integer tenantMax) {
        SharedInFlight.Lease keyLease = null;
        if (keyMax != null) {
            Scope s = scope(keyScopes, "key", caller.keyId());
            SharedInFlight.Acquired a = shared.acquire(s.scope(), keyMax);
            if (a.outcome() == SharedInFlight.Outcome.UNREACHABLE) return null;
            if (a.outcome() == SharedInFlight.Outcome.FULL) throw tooMany(s.name(), keyMax);
            keyLease = a.lease();
        }
        if (tenantMax == null) return new Slots(null, null, shared, keyLease, null);
        Scope s = scope(tenantScopes, "tenant", caller.tenant().name());
        SharedInFlight.Acquired a = shared.acquire(s.scope(), tenantMax);
        if (a.outcome() != SharedInFlight.Outcome.ADMITTED) {
            if (keyLease != null) shared.release(keyLease);
            if (a.outcome() == SharedInFlight.Outcome.UNREACHABLE) return null;
            throw tooMany(s.name(), tenantMax);
        }
        return new Slots(null, null, shared, keyLease, a.lease());
    }

    private static boolean take(AtomicInteger inFlight, int max) {
        for (int n = inFlight.get(); n < max; n = inFlight.get()) {
            if (inFlight.compareAndSet(n, n + 1)) return true;
        }
        return false;
    }

    /** The slots one request holds of its key's and tenant's {@code max_in_flight}. */
    public static final class Slots {
        public static final Slots NONE = new Slots(null, null, null, null, null);
        private final AtomicInteger key;
        private final AtomicInteger tenant;
        private final SharedInFlight shared;
        private final SharedInFlight.Lease keyLease;
        private final SharedInFlight.Lease tenantLease;
        private boolean released;

        private Slots(AtomicInteger key, AtomicInteger tenant, SharedInFlight shared, SharedInFlight.Lease keyLease, SharedInFlight.Lease tenantLease) {
            this.key = key;
            this.tenant = tenant;
            this.shared = shared;
            this.keyLease = keyLease;
            this.tenantLease = tenantLease;
        }

        /** Gives the slots back (a lease without waiting for Redis); later calls do nothing. */
        public void release() {
            if (released || this == NONE) return;
            released = true;
            if (key != null) key.decrementAndGet();
            if (tenant != null) tenant.decrementAndGet();
            if (keyLease != null) shared.release(keyLease);
            if (tenantLease != null) shared.release(tenantLease);
        }
    }

    /**
     * Admits a request of {@code endUser} (the end user it names, or null; counted only where its tenant
     * limits end users) or throws 429 ({@code rate_limit_exceeded} or {@code budget_exceeded}) with
     * {@code Retry-After}, or 503 when a budget cannot be checked. Nothing stays counted for a refused request.
     */
    public Grant admit(Caller caller, String endUser, long estimatedTokens, double worstCaseUsd, long nowMs) {
        List<Limit> limits = limits(caller, endUser);
        List<Held> rpmHeld = new ArrayList<>();
        List<Held> tpmHeld = new ArrayList<>();
        List<Reservation> reserved = new ArrayList<>();
        Window rpm = null;
        Window tpm = null;
        try {
            for (Limit l : limits) {
                if (l.rpm() != null) {
                    Decision d = limiter.acquire(l.scope().rpmKey(), l.rpm(), 1, nowMs);
                    if (!d.allowed()) throw rateLimited(l.scope().name(), "requests", l.rpm(), d);
                    rpmHeld.add(new Held(l.scope().rpmKey(), d.ticket()));
                    if (rpm == null) rpm = new Window(l.rpm(), d.remaining());
                }
                if (l.tpm() != null) {
                    Decision d = limiter.acquire(l.scope().tpmKey(), l.tpm(), Math.max(1, estimatedTokens), nowMs);
                    if (!d.allowed()) throw rateLimited(l.scope().name(), "tokens", l.tpm(), d);
                    tpmHeld.add(new Held(l.scope().tpmKey(), d.ticket()));
                    if (tpm == null) tpm = new Window(l.tpm(), d.remaining());
                }
            }
            if (counts(worstCaseUsd)) {
                String period = BudgetPeriod.month(Instant.ofEpochMilli(nowMs));
                for (Limit l : limits) {
                    if (l.budget() == null) continue;
                    Reservation r = budgets.reserve(l.scope().scope(), l.budget(), worstCaseUsd, period);
                    if (!r.accepted()) throw overBudget(l.scope().name(), r);
                    reserved.add(r);
                }
            }
        } catch (AirlockException refused) {
            // give back what this request had taken before it was refused
            for (Held h : rpmHeld) limiter.adjust(h.key(), h.ticket(), -1, nowMs);
            for (Held h : tpmHeld) limiter.adjust(h.key(), h.ticket(), -Math.max(1, estimatedTokens), nowMs);
            for (Reservation r : reserved) budgets.release(r);
            throw refused;
        }
        return new Grant(tpmHeld, reserved, Math.max(1, estimatedTokens), rpm, tpm);
    }

    /** The answer is in: correct token counts to the real usage and turn reservations into spend. */
    public void settle(Grant g, long actualTokens, double actualUsd, long nowMs) {
        for (Held h : g.tokens()) limiter.adjust(h.key(), h.ticket(), actualTokens - g.estimatedTokens(), nowMs);
        for (Reservation r : g.reservations()) budgets.settle(r, actualUsd);
    }

    /** No answer and no cost: release the reservations (the request still counted against RPM/TPM). */
    public void release(Grant g) {
        for (Reservation r : g.reservations()) budgets.release(r);
    }

    /** Per-deployment caps, asked by the relay before each attempt: admitted amounts stay counted. */
    public boolean deploymentAllows(Deployment d, long estimatedTokens, long nowMs) {
        if (d.rpm() != null && !limiter.acquire("deployment:" + d.id() + ":rpm", d.rpm(), 1, nowMs).allowed()) return false;
        return d.tpm() == null || limiter.acquire("deployment:" + d.id() + ":tpm", d.tpm(), Math.max(1, estimatedTokens), nowMs).allowed();
    }

    /** Counts {@code micros} the tenant already spent in {@code period} (from the spend table, after a restart). */
    public void seedTenant(String tenant, long micros, String period) {
        seed(scope(tenantScopes, "tenant", tenant).scope(), micros, period);
    }

    /** Counts {@code micros} the key already spent in {@code period}. */
    public void seedKey(String keyId, long micros, String period) {
        seed(scope(keyScopes, "key", keyId).scope(), micros, period);
    }

    /** Counts {@code micros} the end user ({@code endUser}, as the request named it) of {@code tenant} already spent in {@code period}. */
    public void seedEndUser(String tenant, String endUser, long micros, String period) {
        seed(endUserScope(tenant, endUser).scope(), micros, period);
    }

    private void seed(String scope, long micros, String period) {
        if (micros <= 0) return;
        Reservation r = budgets.reserve(scope, 1e12, dev.airlock.policy.limits.Micros.usd(micros), period);
        if (r.accepted()) budgets.settle(r, dev.airlock.policy.limits.Micros.usd(micros));
    }

    public double spentUsd(String scope) {
        return budgets.spent(scope, BudgetPeriod.month(Instant.now()));
    }

    private static AirlockException rateLimited(String who, String what, long limit, Decision d) {
        long retry = d.retryAfterSeconds();
        String msg = retry < 0
                ? "This request needs more " + what + " than the " + who + " may use in a minute (" + limit + "); make it smaller."
                : "Rate limit of " + limit + " " + what + " per minute reached for " + who + "; retry after " + retry + " s.";
        return new AirlockException(ErrorKind.RATE_LIMITED, msg, null, 0, retry < 0 ? Map.of() : Map.of("retry-after", String.valueOf(retry)));
    }

    private static AirlockException tooMany(String who, int max) {
        return new AirlockException(ErrorKind.RATE_LIMITED, "The " + who + " already has " + max + (max == 1 ? " request" : " requests")
                + " in flight, its max_in_flight; retry when one of them has ended.",
                null, 0, Map.of("retry-after", "1"));
    }

    private static AirlockException overBudget(String who, Reservation r) {
        if (r.outcome() == Reservation.Outcome.STORE_UNAVAILABLE) {
            return new AirlockException(ErrorKind.BUDGET_UNAVAILABLE, "The budget of " + who + " cannot be checked now (the shared counter store is unreachable), so the request is refused; retry shortly.",
                    null, 0, Map.of("retry-after", "1"));
        }
        long retry = r.resetsAt() == null ? 3600 : Math.max(1, Duration.between(Instant.now(), r.resetsAt()).toSeconds());
        return new AirlockException(ErrorKind.BUDGET_EXCEEDED, "The monthly budget of " + who + " is used up: " + r.reason()
                + (r.resetsAt() == null ? "" : " It resets at " + r.resetsAt() + "."), null, 0, Map.of("retry-after", String.valueOf(retry)));
    }

    @Override
    public void close() {
        if (shared != null) shared.close();
        if (redis != null) redis.close();
    }
}
