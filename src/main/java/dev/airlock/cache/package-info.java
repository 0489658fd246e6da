/**
 * The answer cache: plain answers (chat completions in each API, and embeddings) served again to the
 * same tenant for the same request on a route that opts in ({@code routes.X.cache.ttl_seconds}).
 * {@link dev.airlock.cache.AnswerCache} keeps them in this process's memory, bounded in bytes. The
 * memory is a sink in the zone {@code cache.zone} names, so an answer is kept and served only where
 * residency allows the request's level into that zone (the one eligibility check).
 */
package dev.airlock.cache;
