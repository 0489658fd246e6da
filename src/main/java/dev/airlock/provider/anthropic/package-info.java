/**
 * The Anthropic Messages API ({@code POST <base_url>/v1/messages}, {@code base_url} being the API root,
 * {@code https://api.anthropic.com} by default), spoken so that an OpenAI client cannot tell it from an
 * OpenAI upstream. {@link dev.airlock.provider.anthropic.AnthropicProvider} sends;
 * {@link dev.airlock.provider.anthropic.RequestMapper} turns OpenAI requests into Messages requests
 * (system prompt hoisted, roles merged to alternate, tool calls and results as blocks);
 * {@link dev.airlock.provider.anthropic.ResponseMapper} turns messages back into completions;
 * {@link dev.airlock.provider.anthropic.StreamTranslator} turns Anthropic's SSE events into OpenAI chunks;
 * {@link dev.airlock.provider.anthropic.AnthropicErrors} turns error answers and error events into failures.
 * What has no Anthropic equivalent (n &gt; 1, audio or file parts, non-JSON tool arguments) is refused, not dropped.
 */
package dev.airlock.provider.anthropic;
