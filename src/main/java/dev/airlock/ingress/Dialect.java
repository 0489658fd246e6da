package dev.airlock.ingress;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.wire.StreamDialect;
import dev.airlock.wire.TextCompletions;
import dev.airlock.wire.Usage;
import dev.airlock.wire.anthropic.MessagesRequest;
import dev.airlock.wire.anthropic.MessagesResponse;
import dev.airlock.wire.anthropic.MessagesStream;
import dev.airlock.wire.responses.ResponsesRequest;
import dev.airlock.wire.responses.ResponsesResponse;
import dev.airlock.wire.responses.ResponsesStream;

/**
 * The API a client speaks. Its request is read as the OpenAI chat request it maps to, so that the path
 * between (classification, residency, quotas, routing, the ledger) reads one shape whichever it is;
 * the answer, the stream and the errors go back in its own.
 */
enum Dialect {
    /**
     * OpenAI's text completions ({@code POST /v1/completions}): carried as chat between the provider
     * and here ({@link TextCompletions}), streamed as OpenAI's own SSE with {@code text_completion} chunks.
     */
    COMPLETIONS {
        @Override ObjectNode request(ObjectNode body) { return body; }
        @Override ObjectNode answer(ObjectNode completion, Usage usage) { return TextCompletions.fromChat(completion); }
        @Override StreamDialect stream() { return null; }
        @Override ObjectNode chunk(ObjectNode chunk) { return TextCompletions.chunkFromChat(chunk); }
    },
    /** OpenAI's chat completions and embeddings: nothing to translate. */
    OPENAI {
        @Override ObjectNode request(ObjectNode body) { return body; }
        @Override ObjectNode answer(ObjectNode completion, Usage usage) { return completion; }
        @Override StreamDialect stream() { return null; }
    },
    /** Anthropic's Messages API ({@code POST /v1/messages}). */
    ANTHROPIC {
        @Override ObjectNode request(ObjectNode body) { return MessagesRequest.toOpenAi(body); }
        @Override ObjectNode answer(ObjectNode completion, Usage usage) { return MessagesResponse.of(completion, usage); }
        @Override StreamDialect stream() { return new MessagesStream(); }
    },
    /** OpenAI's Responses API ({@code POST /v1/responses}), stateless. */
    RESPONSES {
        @Override ObjectNode request(ObjectNode body) { return ResponsesRequest.toChat(body); }
        @Override java.util.List<String> leftOutTools(ObjectNode body) { return ResponsesRequest.leftOutTools(body); }
        @Override ObjectNode answer(ObjectNode completion, Usage usage) { return ResponsesResponse.of(completion, usage); }
        @Override StreamDialect stream() { return new ResponsesStream(); }
    };

    /** The API's name in the ledger's {@code api} column and in spans: openai, anthropic, responses. */
    String wire() { return name().toLowerCase(java.util.Locale.ROOT); }

    /** The client's request body as an OpenAI chat request; throws a 400 for what cannot be carried. */
    abstract ObjectNode request(ObjectNode body);

    /** The client's tools that {@link #request} leaves out, named for the client in a response header. */
    java.util.List<String> leftOutTools(ObjectNode body) { return java.util.List.of(); }

    /** An OpenAI chat completion as this API's answer, with the usage Airlock accounts. */
    abstract ObjectNode answer(ObjectNode completion, Usage usage);

    /** This API's stream events for one answer, or null for OpenAI's own SSE. */
    abstract StreamDialect stream();

    /** A chat completion chunk as this API's chunk in OpenAI's SSE (when {@link #stream} is null); may change it in place. */
    ObjectNode chunk(ObjectNode chunk) { return chunk; }
}
