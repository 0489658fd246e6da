package dev.airlock.ingress;

import dev.airlock.config.AirlockConfig;
import dev.airlock.identity.oidc.AdminTokens;
import dev.airlock.identity.oidc.WorkloadTokens;

/**
 * The token issuers in force: administrators' ({@code admin.oidc}) and workloads'
 * ({@code auth.workloads}). A reload that changes either starts the new issuers' key fetches (waiting
 * for the first up to 2 s, as a start does), puts them in force, then closes the ones they replace: a
 * token is checked against whichever issuers were in force when it arrived, and a realm moved or a
 * cluster added takes no restart.
 */
final class TokenIssuers implements AutoCloseable {
    private volatile AdminTokens admin;
    private volatile WorkloadTokens workloads;

    private TokenIssuers(AdminTokens admin, WorkloadTokens workloads) {
        this.admin = admin;
        this.workloads = workloads;
    }

    /** The issuers {@code config} names, their keys being read (blocking up to 2 s each kind). */
    static TokenIssuers start(AirlockConfig config) {
        WorkloadTokens w = workloads(config);
        try {
            return new TokenIssuers(admins(config), w);
        } catch (RuntimeException e) {
            if (w != null) w.close();
            throw e;
        }
    }

    /** Administrators' sign-in tokens; null when {@code admin.oidc} is not set. */
    AdminTokens admin() {
        return admin;
    }

    /** Workloads' identity tokens; null when {@code auth.workloads} is not set. */
    WorkloadTokens workloads() {
        return workloads;
    }

    /** Puts {@code next}'s issuers in force where they differ from {@code was}'s; blocking, off the event loops. */
    void reconfigure(AirlockConfig was, AirlockConfig next) {
        if (!was.adminOidc().equals(next.adminOidc())) {
            AdminTokens old = admin;
            admin = admins(next);
            if (old != null) old.close();
        }
        if (!was.auth().workloads().equals(next.auth().workloads())) {
            WorkloadTokens old = workloads;
            workloads = workloads(next);
            if (old != null) old.close();
        }
    }

    private static AdminTokens admins(AirlockConfig c) {
        return c.adminOidc().isEmpty() ? null : AdminTokens.start(c.adminOidc());
    }

    private static WorkloadTokens workloads(AirlockConfig c) {
        return c.auth().workloads().isEmpty() ? null : WorkloadTokens.start(c.auth().workloads());
    }

    @Override
    public void close() {
        if (admin != null) admin.close();
        if (workloads != null) workloads.close();
    }
}
