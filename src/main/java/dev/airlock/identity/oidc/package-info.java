/**
 * Signed tokens from OpenID Connect issuers: {@link dev.airlock.identity.oidc.IssuerKeys} holds an
 * issuer's published keys (fetched in the background, never on a request) and checks a token against
 * them; {@link dev.airlock.identity.oidc.AdminTokens} reads administrators' roles from the company's
 * identity provider, so that the admin API needs no shared master key and the audit trail names each
 * administrator; {@link dev.airlock.identity.oidc.WorkloadTokens} takes a workload's identity token
 * (a Kubernetes service account's, a SPIFFE JWT-SVID) in place of its virtual key's secret. Each may
 * take tokens from several issuers; {@link dev.airlock.identity.oidc.Issuers} picks the one a token
 * names.
 */
package dev.airlock.identity.oidc;
