package dev.airlock.wire;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * A rerank request ({@code POST /v1/rerank}, as vLLM, Jina and Cohere serve it): a query and the
 * documents a retriever found, for a reranker model to score against it. {@code documents} are their
 * texts, in order; the raw body goes upstream.
 */
public record RerankRequest(String model, String query, List<String> documents, ObjectNode raw) implements InputRequest {
    public RerankRequest {
        documents = List.copyOf(documents);
    }

    /** The query, then the documents: every text the model reads. */
    @Override
    public List<String> texts() {
        List<String> all = new java.util.ArrayList<>(documents.size() + 1);
        all.add(query);
        all.addAll(documents);
        return all;
    }
}
