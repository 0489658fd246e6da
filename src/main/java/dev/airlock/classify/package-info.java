/**
 * Classification: each request's level is the maximum of the tenant's default, the client's
 * {@code x-airlock-classification} header (raise only), task and file-path rules, and content detectors.
 * The result names every source that raised it, never the text that matched.
 */
package dev.airlock.classify;
