/**
 * The provider interface (chat, stream, embed; and OpenAI's other APIs, which only OpenAI-compatible
 * servers implement) and what every provider shares: {@link dev.airlock.provider.Capabilities}, which
 * deployments serve which kind of request, the per-attempt
 * {@link dev.airlock.provider.Call}, the {@link dev.airlock.provider.UpstreamFailure} taxonomy the router
 * retries on, an SSE decoder, and the chunk sink a stream is relayed into (with {@link
 * dev.airlock.provider.ChunkBatch}, which hands on the chunks of one upstream read together). Each
 * protocol lives in its own sub-package.
 */
package dev.airlock.provider;
