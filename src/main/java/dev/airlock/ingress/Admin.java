package dev.airlock.ingress;

import dev.airlock.config.AirlockConfig;
import dev.airlock.core.AirlockException;
import dev.airlock.core.ErrorKind;
import dev.airlock.identity.oidc.AdminTokens;
import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * Guards the admin API: an administrator's sign-in token from the company's identity provider
 * ({@code admin.oidc}; {@link AdminTokens}), or the master key (compared in constant time), which
 * stays the way in when the identity provider is down.
 */
final class Admin {
    private Admin() {}

    /**
     * The 403 for a caller outside {@code admin.networks}, before any credential is looked at: from
     * anywhere else the admin API answers nothing but this, whatever key or token it is shown.
     */
    static void requireNetwork(AirlockConfig config, InetAddress from) {
        if (config.adminNetworks().allows(from)) return;
        throw new AirlockException(ErrorKind.NETWORK_NOT_ALLOWED, "The admin API may not be called from " + (from == null ? "an unknown address"
                : NetUtil.toAddressString(from)) + ": it answers admin.networks only.");
    }

    /** Who is calling and what they may do ({@link AdminAccess}), or a 401 (a 403, 503 for a token: {@link AdminTokens#check}). */
    static AdminAccess authorize(AirlockConfig config, AdminTokens tokens, String authorization) {
        if (config.masterKey() == null && tokens == null) {
            throw new AirlockException(ErrorKind.UNAUTHORIZED, "The admin API is disabled: set admin.master_key to ${AIRLOCK_MASTER_KEY} and export that variable, "
                    + "or admin.oidc to sign in with the company's identity provider.");
        }
        String given = authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7) ? authorization.substring(7).trim() : "";
        if (config.masterKey() != null) {
            byte[] a = given.getBytes(StandardCharsets.UTF_8);
            byte[] b = config.masterKey().reveal().getBytes(StandardCharsets.UTF_8);
            if (MessageDigest.isEqual(a, b)) return AdminAccess.master();
        }
        if (tokens != null && AdminTokens.looksLikeToken(given)) {
            AdminTokens.Admin a = tokens.check(given);
            return new AdminAccess(a.who(), a.role(), a.tenants(), a::roleName);
        }
        throw new AirlockException(ErrorKind.UNAUTHORIZED, "The admin API needs " + (tokens == null ? "the master key" : config.masterKey() == null
                ? "a sign-in token from the identity provider" : "a sign-in token from the identity provider, or the master key,") + " as 'Authorization: Bearer <"
                + (tokens == null ? "key" : "token") + ">'.");
    }
}
