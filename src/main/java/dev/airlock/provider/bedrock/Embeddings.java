package dev.airlock.provider.bedrock;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.provider.UpstreamFailure;
import dev.airlock.provider.UpstreamFailure.Kind;
import dev.airlock.wire.EmbeddingRequest;
import dev.airlock.wire.Json;
import dev.airlock.wire.TextFields;
import dev.airlock.wire.Usage;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Bedrock's embedding models through InvokeModel, each family with its own body: Amazon Titan Text
 * Embeddings (one text a call: {@code inputText}, {@code dimensions}, {@code normalize}) and Cohere
 * Embed (up to 96 texts a call: {@code texts}, {@code input_type}). Converse has no embeddings.
 * The answers become one OpenAI embeddings list, as floats or, when the client asked
 * ({@code encoding_format: base64}, the OpenAI SDKs' default), as little-endian float32 in base64.
 */
final class Embeddings {
    private Embeddings() {}

    enum Family { TITAN, COHERE }

    /** Titan inputs go one a call, all at once: more than this per request is the client's 400. */
    static final int MAX_TITAN_INPUTS = 64;
    /** Cohere Embed's own limit of texts per call. */
    static final int MAX_COHERE_TEXTS = 96;

    /** The family of a Bedrock model id (with or without a cross-region prefix such as {@code us.}), or null. */
    static Family family(String model) {
        if (model.contains("amazon.titan-embed-text")) return Family.TITAN;
        if (model.contains("cohere.embed")) return Family.COHERE;
        return null;
    }

    /** The InvokeModel bodies for {@code request}: one per input for Titan, one for Cohere. */
    static List<byte[]> bodies(Family family, EmbeddingRequest request, String deployment) {
        if (TextFields.tokenIds(request.raw().path("input"))) {
            throw refused(deployment, "takes text, not token ids");
        }
        List<byte[]> out = new ArrayList<>();
        if (family == Family.TITAN) {
            if (request.inputs().size() > MAX_TITAN_INPUTS) throw refused(deployment, "takes at most " + MAX_TITAN_INPUTS + " inputs per request here");
            for (String text : request.inputs()) {
                ObjectNode body = Json.object().put("inputText", text).put("normalize", true);
                if (request.raw().path("dimensions").canConvertToInt()) body.put("dimensions", request.raw().path("dimensions").asInt());
                out.add(Json.writeBytes(body));
            }
        } else {
            if (request.inputs().size() > MAX_COHERE_TEXTS) throw refused(deployment, "takes at most " + MAX_COHERE_TEXTS + " inputs per request");
            ObjectNode body = Json.object();
            ArrayNode texts = body.putArray("texts");
            request.inputs().forEach(texts::add);
            // Cohere's v3 models need the use; a client that knows it may say so, as with Cohere's own API
            body.put("input_type", request.raw().path("input_type").asText("search_document"));
            out.add(Json.writeBytes(body));
        }
        return out;
    }

    /** The answers, in the order of {@link #bodies}, as an OpenAI embeddings list. */
    static ObjectNode answer(Family family, List<BedrockProvider.Invoked> answers, EmbeddingRequest request, String model, String deployment) {
        boolean base64 = "base64".equals(request.raw().path("encoding_format").asText());
        ObjectNode list = Json.object().put("object", "list").put("model", model);
        ArrayNode data = list.putArray("data");
        long tokens = 0;
        List<JsonNode> vectors = new ArrayList<>();
        for (BedrockProvider.Invoked invoked : answers) {
            JsonNode a = invoked.body();
            if (family == Family.TITAN) {
                vectors.add(a.path("embedding"));
                tokens += a.has("inputTextTokenCount") ? a.path("inputTextTokenCount").asLong() : Math.max(0, invoked.inputTokens());
            } else {
                JsonNode e = a.path("embeddings");
                for (JsonNode v : e.isObject() ? e.path("float") : e) vectors.add(v);
                tokens += Math.max(0, invoked.inputTokens());
            }
        }
        if (vectors.size() != request.inputs().size()) {
            throw new UpstreamFailure(Kind.MALFORMED, "deployment '" + deployment + "' answered " + vectors.size() + " embeddings for "
                    + request.inputs().size() + " inputs");
        }
        for (int i = 0; i < vectors.size(); i++) {
            JsonNode v = vectors.get(i);
            if (!v.isArray() || v.isEmpty()) throw new UpstreamFailure(Kind.MALFORMED, "deployment '" + deployment + "' answered an embedding that is not a list of numbers");
            ObjectNode item = data.addObject().put("object", "embedding").put("index", i);
            if (base64) item.put("embedding", base64(v));
            else item.set("embedding", v);
        }
        list.set("usage", new Usage((int) Math.min(Integer.MAX_VALUE, tokens), 0, false).toOpenAi());
        return list;
    }

    /** A vector as OpenAI sends it in base64: each number a little-endian float32. */
    static String base64(JsonNode vector) {
        ByteBuffer b = ByteBuffer.allocate(vector.size() * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (JsonNode x : vector) b.putFloat((float) x.asDouble());
        return Base64.getEncoder().encodeToString(b.array());
    }

    private static UpstreamFailure refused(String deployment, String why) {
        return new UpstreamFailure(Kind.REJECTED, 400, -1, "deployment '" + deployment + "' (a Bedrock embedding model) " + why);
    }
}
