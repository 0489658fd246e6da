/**
 * Classification: each request's level is the maximum of the tenant's default, the client's
 * {@code x-airlock-classification} header (raise only), task and file-path rules, and content detectors.
 * The result names every source that raised it, never the text that matched, and carries the zones the
 * tenant's data is pinned to, which residency honours beside the level.
 */
package dev.airlock.classify;
