package dev.airlock.provider.bedrock;

import java.util.List;
import software.amazon.awssdk.core.document.Document;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseRequest;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseStreamRequest;
import software.amazon.awssdk.services.bedrockruntime.model.InferenceConfiguration;
import software.amazon.awssdk.services.bedrockruntime.model.Message;
import software.amazon.awssdk.services.bedrockruntime.model.SystemContentBlock;
import software.amazon.awssdk.services.bedrockruntime.model.ToolConfiguration;

/**
 * What Converse and ConverseStream share, mapped once. Empty or null parts are left out of the
 * request entirely: Converse rejects an empty {@code system} list, and an absent field means "default".
 * {@code additional} is the model's own fields ({@code additionalModelRequestFields}): Claude's
 * {@code thinking}.
 */
record ConverseInput(List<Message> messages, List<SystemContentBlock> system, InferenceConfiguration inference, ToolConfiguration tools,
                     Document additional) {

    ConverseRequest converse(String modelId) {
        ConverseRequest.Builder b = ConverseRequest.builder().modelId(modelId).messages(messages);
        if (!system.isEmpty()) b.system(system);
        if (inference != null) b.inferenceConfig(inference);
        if (tools != null) b.toolConfig(tools);
        if (additional != null) b.additionalModelRequestFields(additional);
        return b.build();
    }

    ConverseStreamRequest converseStream(String modelId) {
        ConverseStreamRequest.Builder b = ConverseStreamRequest.builder().modelId(modelId).messages(messages);
        if (!system.isEmpty()) b.system(system);
        if (inference != null) b.inferenceConfig(inference);
        if (tools != null) b.toolConfig(tools);
        if (additional != null) b.additionalModelRequestFields(additional);
        return b.build();
    }
}
