/**
 * OpenAI's Responses API at the ingress ({@code POST /v1/responses}), stateless, for clients that
 * speak only it (Codex): its requests as the chat requests the path reads, and the answers and stream
 * events back in its shape. Pure translation, no I/O.
 */
package dev.airlock.wire.responses;
