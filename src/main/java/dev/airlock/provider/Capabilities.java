package dev.airlock.provider;

import dev.airlock.config.Deployment;
import dev.airlock.wire.TextFields;

/**
 * Which deployments serve which kind of request. Chat goes everywhere; OpenAI's other APIs only to
 * servers that speak them; embeddings also to Bedrock's embedding models, and rerank to Cohere Rerank
 * on Bedrock. Routing keeps a request to
 * the deployments that serve it, so a route may mix kinds.
 */
public final class Capabilities {
    private Capabilities() {}

    public static boolean serves(Deployment d, TextFields.Shape shape) {
        if (shape == TextFields.Shape.CHAT || d.provider().openAiCompatible()) return true;
        if (d.provider() != dev.airlock.config.ProviderKind.BEDROCK) return false;
        return switch (shape) {
            case EMBEDDING -> dev.airlock.provider.bedrock.BedrockProvider.embeds(d.model());
            case RERANK -> dev.airlock.provider.bedrock.BedrockProvider.reranks(d.model());
            default -> false;
        };
    }

    /** Which deployments serve {@code shape}, for an error that found none. */
    public static String who(TextFields.Shape shape) {
        return switch (shape) {
            case EMBEDDING -> "OpenAI-compatible ones and Bedrock's Titan and Cohere embedding models do";
            case RERANK -> "OpenAI-compatible ones and Cohere Rerank on Bedrock do";
            default -> "only OpenAI-compatible ones do";
        };
    }
}
