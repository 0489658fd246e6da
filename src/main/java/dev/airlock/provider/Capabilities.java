package dev.airlock.provider;

import dev.airlock.config.Deployment;
import dev.airlock.wire.TextFields;

/**
 * Which deployments serve which kind of request. Chat goes everywhere; OpenAI's other APIs only to
 * servers that speak them; embeddings also to Bedrock's embedding models. Routing keeps a request to
 * the deployments that serve it, so a route may mix kinds.
 */
public final class Capabilities {
    private Capabilities() {}

    public static boolean serves(Deployment d, TextFields.Shape shape) {
        if (shape == TextFields.Shape.CHAT || d.provider().openAiCompatible()) return true;
        return shape == TextFields.Shape.EMBEDDING && d.provider() == dev.airlock.config.ProviderKind.BEDROCK
                && dev.airlock.provider.bedrock.BedrockProvider.embeds(d.model());
    }

    /** Which deployments serve {@code shape}, for an error that found none. */
    public static String who(TextFields.Shape shape) {
        return shape == TextFields.Shape.EMBEDDING ? "OpenAI-compatible ones and Bedrock's Titan and Cohere embedding models do"
                : "only OpenAI-compatible ones do";
    }
}
