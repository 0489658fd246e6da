package dev.airlock.identity.oidc;

import com.nimbusds.jwt.SignedJWT;
import dev.airlock.core.AirlockException;
import dev.airlock.core.ErrorKind;
import java.text.ParseException;
import java.util.Collection;
import java.util.Map;
import java.util.TreeSet;

/**
 * The issuers a kind of token may come from, each with what checks its tokens ({@code T}), keyed by
 * its exact {@code iss}. A token's unverified {@code iss} only picks which issuer's keys check it; that
 * check then requires the same {@code iss}, so a token cannot pass for another issuer's.
 */
final class Issuers<T> {
    private final Map<String, T> byName;
    private final String what;
    private final String section;

    /**
     * @param what    the tokens, for messages ({@code "workload token"})
     * @param section the configuration that lists the issuers ({@code "auth.workloads"})
     */
    Issuers(Map<String, T> byName, String what, String section) {
        this.byName = Map.copyOf(byName);
        this.what = what;
        this.section = section;
    }

    /**
     * The issuer {@code token} claims. With one issuer that is always it, whose own check then says what
     * is wrong with a token from elsewhere, as it did before there could be more; with several, a token
     * from none of them is a 401 naming them.
     */
    T of(String token) {
        String claimed = claimedIssuer(token);
        T found = claimed == null ? null : byName.get(claimed); // an immutable map refuses to look up null
        if (found != null) return found;
        if (byName.size() == 1) return byName.values().iterator().next();
        throw new AirlockException(ErrorKind.UNAUTHORIZED, "Airlock refused the " + what + ": its issuer is not one of those in " + section + " ("
                + String.join(", ", new TreeSet<>(byName.keySet())) + ").");
    }

    int size() {
        return byName.size();
    }

    Collection<T> all() {
        return byName.values();
    }

    /** The {@code iss} the token claims, unchecked; null when it has none or is no JWT (its issuer's check says so). */
    private static String claimedIssuer(String token) {
        try {
            return SignedJWT.parse(token).getJWTClaimsSet().getIssuer();
        } catch (ParseException e) {
            return null;
        }
    }
}
