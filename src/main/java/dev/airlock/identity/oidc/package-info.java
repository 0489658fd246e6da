/**
 * Administrators signed in with the company's OpenID Connect identity provider:
 * {@link dev.airlock.identity.oidc.AdminTokens} checks their access tokens against the issuer's
 * published keys (fetched in the background, never on a request) and reads their role, so that the
 * admin API needs no shared master key and the audit trail names each administrator.
 */
package dev.airlock.identity.oidc;
