package dev.airlock.wire;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/** An embeddings request: the model, the input texts (token-array inputs are kept in {@code raw} only), the raw body. */
public record EmbeddingRequest(String model, List<String> inputs, ObjectNode raw) implements InputRequest {
    public EmbeddingRequest {
        inputs = List.copyOf(inputs);
    }

    @Override
    public List<String> texts() { return inputs; }
}
