/**
 * Anthropic's Messages API at the ingress ({@code POST /v1/messages}), for clients that speak it
 * (coding agents built for Claude): its requests as the OpenAI chat requests the path reads, and the
 * answers, stream events and errors back in its shape. Pure translation, no I/O. The provider side
 * (Airlock calling Anthropic) is {@code provider.anthropic}.
 */
package dev.airlock.wire.anthropic;
