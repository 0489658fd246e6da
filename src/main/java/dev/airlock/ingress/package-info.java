/**
 * Ingress: the HTTP server that speaks OpenAI's wire format to clients. It reads and bounds bodies,
 * runs the decision core (identify → classify → policy) synchronously, hands the request to the
 * {@link dev.airlock.route.Relay}, and writes the answer or the error, always in OpenAI's error shape
 * and with the {@code x-airlock-*} and {@code x-request-id} headers. {@link dev.airlock.ingress.ChatEndpoint}
 * serves chat and the APIs read as it (see {@link dev.airlock.ingress.Dialect}), text completions,
 * embeddings, rerank and speech to text, whose uploads {@link dev.airlock.ingress.Multipart} reads; each
 * takes its key's and tenant's quotas through {@link dev.airlock.ingress.QuotaAdmission}. {@link dev.airlock.ingress.Gateway}
 * assembles and starts everything, on the socket transport {@link dev.airlock.ingress.Transports} picks,
 * whose event loops {@link dev.airlock.ingress.SpinningTransport} may keep polling before they sleep.
 * {@link dev.airlock.ingress.ClientDeadlines} closes the connections a client holds without using them
 * and times out the bodies it does not send. {@link dev.airlock.ingress.Generations} holds the
 * configuration in force as one {@link dev.airlock.ingress.Generation} (decision core, relay, upstreams,
 * canaries, shadows) and swaps in the next one on a reload; each request keeps the generation it was
 * admitted under, and {@link dev.airlock.ingress.TokenIssuers} the token issuers in force.
 * {@link dev.airlock.ingress.ClientAddress} says which address a request came from, behind the proxies
 * the gateway trusts.
 */
package dev.airlock.ingress;
