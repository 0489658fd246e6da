/**
 * The OpenAI wire model as Airlock reads it: records for the fields the gateway interprets, with the
 * original JSON kept beside them so unknown fields (vLLM's {@code top_k}, {@code structured_outputs}, …)
 * pass through to OpenAI-compatible upstreams unchanged. Builders produce OpenAI-shaped responses for
 * providers that speak another protocol (Bedrock, Anthropic, the simulator). {@link
 * dev.airlock.wire.ModelSplice} sends an unchanged request as the client's own bytes with only the
 * model replaced, which {@link dev.airlock.wire.RequestParser}'s strictness (no duplicate keys, nothing
 * after the object) makes safe. A text completion ({@link dev.airlock.wire.TextRequest}) is carried as a
 * chat answer between the provider and the client ({@link dev.airlock.wire.TextCompletions}).
 *
 * <p>Anthropic's features ride in the same shape, as LiteLLM spells them, for the providers that take
 * them and are taken out for those that do not: prompt-cache marks ({@link dev.airlock.wire.CacheMark}),
 * extended thinking ({@link dev.airlock.wire.Thinking}, and the signed blocks a turn carries back,
 * {@link dev.airlock.wire.ThinkingBlock}) and betas ({@link dev.airlock.wire.AnthropicBetas}).
 */
package dev.airlock.wire;
