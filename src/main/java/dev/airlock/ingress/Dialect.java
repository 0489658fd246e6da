package dev.airlock.ingress;

/**
 * The API a client speaks: answers and errors go back in its shape. The path between (classification,
 * residency, quotas, routing) reads one OpenAI-shaped request whichever it is.
 */
enum Dialect {
    /** OpenAI's chat completions and embeddings. */
    OPENAI,
    /** Anthropic's Messages API ({@code POST /v1/messages}). */
    ANTHROPIC
}
