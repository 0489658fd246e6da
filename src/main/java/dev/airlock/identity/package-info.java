/**
 * Who is calling: turns the request's credentials into a {@link dev.airlock.identity.Caller} (tenant,
 * key). {@link dev.airlock.identity.Identifier} reads the virtual key through the key cache, refuses
 * unknown, expired and revoked keys and keys bound to another client certificate, and takes a caller
 * without a key as the {@code default} tenant unless keys are required; with {@code auth.workloads} it
 * also takes a workload identity token for the key that names the workload ({@link
 * dev.airlock.identity.oidc}). The keys, tenants and spend themselves live in {@link dev.airlock.identity.keys}.
 */
package dev.airlock.identity;
