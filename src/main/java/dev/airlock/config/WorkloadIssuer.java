package dev.airlock.config;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * An issuer of workload identity tokens ({@code auth.workloads}): a cluster's service account tokens,
 * a SPIFFE trust domain's JWT-SVIDs. A bank runs several clusters (a region each, a recovery site), and
 * each cluster names its service accounts alike: {@code system:serviceaccount:payments:api} in one is
 * not the same workload as in another. So with more than one issuer each has its own
 * {@code subject_prefix}, and a workload is named by the prefix and the token's {@code sub} together
 * ({@code eu-west:system:serviceaccount:payments:api}): a key bound to one cluster's workload is of no
 * use to the same name in another.
 *
 * <p>A prefix is a label and a colon, like a URI's scheme: no prefix can then begin another unless
 * they are equal (the first colon ends both), and the name it makes reads as a URI, one of the shapes
 * a key's {@code client_identity} takes.
 *
 * @param subjectPrefix put before the token's {@code sub} to name the workload; empty for a lone issuer without one
 */
public record WorkloadIssuer(OidcIssuer issuer, String subjectPrefix) {
    static final String EXAMPLE = "https://kubernetes.default.svc.cluster.local";
    private static final Pattern PREFIX = Pattern.compile("[A-Za-z][A-Za-z0-9+.-]{0,62}:");

    /**
     * Validates {@code auth.workloads}. With two or more issuers, every one needs its own prefix, so
     * their workloads' names stay apart by construction; and an {@code iss} may be named once only, since
     * its tokens would match two entries.
     */
    static List<WorkloadIssuer> freeze(Freezer f, List<ConfigSpec.WorkloadsSpec> specs) {
        boolean many = specs.size() > 1;
        Map<String, Integer> prefixes = new HashMap<>();
        return OidcIssuer.freezeAll(f, "auth.workloads", "issuer", "its tokens could be checked by either entry", specs, (path, i, w) -> {
            OidcIssuer issuer = OidcIssuer.freeze(f, path, w.issuer(), w.jwksUrl(), w.audience(), w.refreshSeconds(), EXAMPLE);
            String prefix = w.subjectPrefix() == null ? "" : w.subjectPrefix();
            if (many && prefix.isEmpty()) {
                f.problem(path + ".subject_prefix", "is required with more than one issuer: each cluster names its service accounts alike, "
                        + "so a key's client_identity is the issuer's prefix and the token's sub (e.g. 'eu-west:' for "
                        + "eu-west:system:serviceaccount:payments:api).");
            } else if (!prefix.isEmpty() && !PREFIX.matcher(prefix).matches()) {
                f.problem(path + ".subject_prefix", "must be a label of letters, digits, '+', '-' or '.' and a colon, at most 64 characters "
                        + "(e.g. 'eu-west:', making client_identity eu-west:system:serviceaccount:payments:api), got '" + prefix + "'.");
            } else if (!prefix.isEmpty() && prefixes.putIfAbsent(prefix, i) != null) {
                f.problem(path + ".subject_prefix", "'" + prefix + "' is auth.workloads[" + prefixes.get(prefix)
                        + "]'s too: the two clusters' workloads of one name would be one; give each issuer its own.");
            }
            return new WorkloadIssuer(issuer, prefix);
        }, WorkloadIssuer::issuer);
    }
}
