package dev.airlock.ingress;

import dev.airlock.config.AirlockConfig;
import dev.airlock.core.AirlockException;
import dev.airlock.core.ErrorKind;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/** Guards the admin API with the master key (compared in constant time). */
final class Admin {
    private Admin() {}

    static void requireMaster(AirlockConfig config, String authorization) {
        if (config.masterKey() == null) {
            throw new AirlockException(ErrorKind.UNAUTHORIZED, "The admin API is disabled: set admin.master_key to ${AIRLOCK_MASTER_KEY} and export that variable.");
        }
        String given = authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7) ? authorization.substring(7).trim() : "";
        byte[] a = given.getBytes(StandardCharsets.UTF_8);
        byte[] b = config.masterKey().reveal().getBytes(StandardCharsets.UTF_8);
        if (!MessageDigest.isEqual(a, b)) {
            throw new AirlockException(ErrorKind.UNAUTHORIZED, "The admin API needs the master key as 'Authorization: Bearer <key>'.");
        }
    }
}
