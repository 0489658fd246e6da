package dev.airlock.provider.bedrock;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.provider.UpstreamFailure;
import dev.airlock.provider.UpstreamFailure.Kind;
import dev.airlock.wire.Json;
import dev.airlock.wire.RerankRequest;
import dev.airlock.wire.Usage;

/**
 * Cohere Rerank on Bedrock through InvokeModel ({@code query}, {@code documents}, {@code top_n},
 * {@code api_version: 2}), its answer in the shape vLLM's {@code /v1/rerank} gives: each result's
 * {@code index}, {@code relevance_score} and {@code document.text}, and the input tokens Bedrock
 * counted in its header as {@code usage}.
 */
final class Rerank {
    private Rerank() {}

    /** Cohere's limit of documents per call on Bedrock. */
    static final int MAX_DOCUMENTS = 1000;

    static boolean knows(String model) {
        return model.contains("cohere.rerank");
    }

    static byte[] body(RerankRequest request, String deployment) {
        if (request.documents().size() > MAX_DOCUMENTS) {
            throw new UpstreamFailure(Kind.REJECTED, 400, -1, "deployment '" + deployment + "' (Cohere Rerank on Bedrock) takes at most "
                    + MAX_DOCUMENTS + " documents per request");
        }
        ObjectNode body = Json.object().put("query", request.query()).put("api_version", 2);
        ArrayNode docs = body.putArray("documents");
        request.documents().forEach(docs::add);
        if (request.raw().path("top_n").canConvertToInt()) body.put("top_n", request.raw().path("top_n").asInt());
        return Json.writeBytes(body);
    }

    static ObjectNode answer(BedrockProvider.Invoked invoked, RerankRequest request, String model, String deployment) {
        JsonNode bedrock = invoked.body();
        long inputTokens = invoked.inputTokens();
        JsonNode results = bedrock.path("results");
        if (!results.isArray()) throw new UpstreamFailure(Kind.MALFORMED, "deployment '" + deployment + "' answered a rerank without results");
        ObjectNode out = Json.object().put("id", bedrock.path("id").asText("rerank-" + deployment)).put("model", model);
        ArrayNode list = out.putArray("results");
        for (JsonNode r : results) {
            int index = r.path("index").asInt(-1);
            if (index < 0 || index >= request.documents().size()) {
                throw new UpstreamFailure(Kind.MALFORMED, "deployment '" + deployment + "' answered a rerank result for a document it was not sent");
            }
            ObjectNode item = list.addObject().put("index", index).put("relevance_score", r.path("relevance_score").asDouble());
            item.putObject("document").put("text", request.documents().get(index));
        }
        out.set("usage", new Usage((int) Math.max(0, Math.min(Integer.MAX_VALUE, inputTokens)), 0, inputTokens < 0).toOpenAi());
        return out;
    }
}
