/**
 * The OpenAI wire model as Airlock reads it: records for the fields the gateway interprets, with the
 * original JSON kept beside them so unknown fields (vLLM's {@code top_k}, {@code structured_outputs}, …)
 * pass through to OpenAI-compatible upstreams unchanged. Builders produce OpenAI-shaped responses for
 * providers that speak another protocol (Bedrock, Anthropic, the simulator).
 */
package dev.airlock.wire;
