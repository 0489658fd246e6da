package dev.airlock.ingress;

import dev.airlock.config.AirlockConfig;
import dev.airlock.core.AirlockException;
import dev.airlock.core.ErrorKind;
import dev.airlock.identity.oidc.AdminTokens;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * Guards the admin API: an administrator's sign-in token from the company's identity provider
 * ({@code admin.oidc}; {@link AdminTokens}), or the master key (compared in constant time), which
 * stays the way in when the identity provider is down.
 */
final class Admin {
    private Admin() {}

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
