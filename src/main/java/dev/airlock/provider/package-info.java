/**
 * The provider interface (chat, stream, embed) and what every provider shares: the per-attempt
 * {@link dev.airlock.provider.Call}, the {@link dev.airlock.provider.UpstreamFailure} taxonomy the router
 * retries on, and an SSE decoder. Each protocol lives in its own sub-package.
 */
package dev.airlock.provider;
