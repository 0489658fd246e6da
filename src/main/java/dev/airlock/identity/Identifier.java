package dev.airlock.identity;

import dev.airlock.core.AirlockException;
import dev.airlock.core.ErrorKind;
import dev.airlock.identity.keys.KeyCache;
import dev.airlock.identity.keys.KeyRecord;
import dev.airlock.identity.keys.VirtualKeys;
import dev.airlock.identity.oidc.WorkloadTokens;
import dev.airlock.config.Tenant;
import io.vertx.core.Context;
import io.vertx.core.Future;
import java.net.InetAddress;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Identifies callers by virtual key ({@code Authorization: Bearer sk-airlock-…}). A key is looked up
 * by its hash through a cache with a stated staleness bound; an unknown, expired or revoked key is
 * 401. Without a key, the caller is the {@code default} tenant unless the config requires keys.
 * Anything in the Authorization header that is not shaped like a virtual key (SDKs insist on sending
 * something) counts as no key. A key bound to a client certificate is 401 over a connection that did
 * not present that certificate. A key or tenant limited to client networks is 403 from any other
 * address, named in the message so that a proxy whose {@code X-Forwarded-For} is not trusted can be
 * told apart; the allowed networks are never named, as a stolen key's holder should not learn where to
 * call from. A known key's refusal fails as {@link KeyRefused}, which names the key.
 *
 * <p>With {@code auth.workloads}, a caller may present a workload identity token instead of a key's
 * secret ({@link WorkloadTokens}): the key whose {@code client_identity} is the token's {@code sub}
 * answers for it, checked as a presented key is, but for the certificate: the token is the proof.
 */
public final class Identifier {
    private final KeyCache keys;
    private final Tenants tenants;
    private volatile boolean requireKeys;
    private final Supplier<WorkloadTokens> workloads;

    /** @param workloads the workload identity tokens in force; it answers null when {@code auth.workloads} is not set */
    public Identifier(KeyCache keys, Tenants tenants, boolean requireKeys, Supplier<WorkloadTokens> workloads) {
        this.keys = keys;
        this.tenants = tenants;
        this.requireKeys = requireKeys;
        this.workloads = workloads;
    }

    /** A reload's {@code auth.require_keys}, for the requests that arrive from now on. */
    public void requireKeys(boolean required) {
        requireKeys = required;
    }

    /**
     * Completes on {@code context}; answers at once when the key is cached.
     *
     * @param clientCertificate the leaf certificate the connection presented, or null; asked only for
     *                          a key bound to a client
     * @param clientAddress     the address the request came from (null: unknown); asked only for a key or
     *                          tenant limited to client networks
     */
    public Future<Caller> identify(String authorization, Supplier<X509Certificate> clientCertificate, Supplier<InetAddress> clientAddress, Context context) {
        String presented = bearer(authorization);
        WorkloadTokens tokens = workloads.get();
        if (presented != null && tokens != null && WorkloadTokens.looksLikeToken(presented)) return workload(tokens, presented, clientAddress, context);
        if (presented == null || !VirtualKeys.wellFormed(presented)) {
            if (requireKeys) {
                return Future.failedFuture(new AirlockException(ErrorKind.UNAUTHORIZED,
                        "This gateway needs a virtual key: send 'Authorization: Bearer sk-airlock-…' or 'x-api-key: sk-airlock-…' (ask your platform team for one)."));
            }
            Tenant anonymous = tenants.anonymous();
            try {
                requireNetwork(anonymous, clientAddress);
            } catch (AirlockException e) {
                return Future.failedFuture(e);
            }
            return Future.succeededFuture(new Caller(anonymous, null));
        }
        return answered(keys.lookup(presented), context, r -> caller(r.orElseThrow(() -> new AirlockException(ErrorKind.UNAUTHORIZED,
                "Unknown API key " + VirtualKeys.hint(presented) + "; check it, or ask for a new one.")), clientCertificate, clientAddress));
    }

    /** The key a workload token's subject names; a token that is not valid here is refused before any lookup. */
    private Future<Caller> workload(WorkloadTokens tokens, String token, Supplier<InetAddress> clientAddress, Context context) {
        String subject;
        try {
            subject = tokens.subject(token);
        } catch (AirlockException e) {
            return Future.failedFuture(e);
        }
        return answered(keys.lookupWorkload(subject), context, r -> caller(r.orElseThrow(() -> new AirlockException(ErrorKind.UNAUTHORIZED,
                "No key names the workload '" + subject + "' as its client; ask the platform team for one with client_identity '" + subject + "'.")), null,
                clientAddress));
    }

    /** The caller a lookup finds, at once when it is cached; a store that cannot be read is a 503. */
    private static Future<Caller> answered(java.util.concurrent.CompletableFuture<Optional<KeyRecord>> lookup, Context context,
                                           java.util.function.Function<Optional<KeyRecord>, Caller> then) {
        if (lookup.isDone()) return Future.fromCompletionStage(lookup).map(then);
        return Future.fromCompletionStage(lookup, context).map(then)
                .recover(t -> Future.failedFuture(t instanceof AirlockException || t instanceof KeyRefused ? t : new AirlockException(ErrorKind.NOT_READY,
                        "Keys cannot be checked now (the store is unavailable); retry shortly.")));
    }

    /** {@code clientCertificate} null: the caller proved itself with a workload token, which stands for the certificate. */
    private Caller caller(KeyRecord k, Supplier<X509Certificate> clientCertificate, Supplier<InetAddress> clientAddress) {
        Tenant tenant;
        try {
            k.requireUsable(Instant.now());
            if (k.clientBinding() != null && clientCertificate != null) k.clientBinding().require(k.id(), clientCertificate.get());
            if (k.networks().restricts()) {
                InetAddress from = clientAddress.get();
                if (!k.networks().allows(from)) throw notFrom("The API key " + k.id(), from);
            }
            tenant = tenants.get(k.tenant());
            if (tenant == null) throw new AirlockException(ErrorKind.UNAUTHORIZED, "Key " + k.id() + " belongs to tenant '" + k.tenant() + "', which this gateway does not know yet; retry in a few seconds.");
            requireNetwork(tenant, clientAddress);
        } catch (AirlockException e) {
            throw new KeyRefused(e, k.id(), k.tenant());
        }
        return new Caller(tenant, k.id(), new Caller.KeyLimits(k.allowedRoutes(), k.classificationFloor(),
                k.rpm() == null ? null : k.rpm().longValue(), k.tpm(), k.budgetUsdMonth(), k.maxInFlight()));
    }

    /** The 403 for a tenant limited to client networks that {@code clientAddress} is not in. */
    private static void requireNetwork(Tenant tenant, Supplier<InetAddress> clientAddress) {
        if (!tenant.networks().restricts()) return;
        InetAddress from = clientAddress.get();
        if (!tenant.networks().allows(from)) throw notFrom("Tenant '" + tenant.name() + "'", from);
    }

    private static AirlockException notFrom(String who, InetAddress from) {
        return new AirlockException(ErrorKind.NETWORK_NOT_ALLOWED, who + " may not be used from " + (from == null ? "an unknown address"
                : io.netty.util.NetUtil.toAddressString(from)) + ": it is limited to other client networks. Call from one of them, or ask the platform "
                + "team which they are (behind a proxy, the gateway must trust it: server.trusted_proxies).");
    }

    private static String bearer(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) return null;
        return authorization.substring(7).trim();
    }
}
