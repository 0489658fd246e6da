package dev.airlock.provider.bedrock;

import java.util.List;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseRequest;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseStreamRequest;
import software.amazon.awssdk.services.bedrockruntime.model.InferenceConfiguration;
import software.amazon.awssdk.services.bedrockruntime.model.Message;
import software.amazon.awssdk.services.bedrockruntime.model.SystemContentBlock;
import software.amazon.awssdk.services.bedrockruntime.model.ToolConfiguration;

/**
 * What Converse and ConverseStream share, mapped once. Empty or null parts are left out of the
 * request entirely: Converse rejects an empty {@code system} list, and an absent field means "default".
 */
record ConverseInput(List<Message> messages, List<SystemContentBlock> system, InferenceConfiguration inference, ToolConfiguration tools) {

    ConverseRequest converse(String modelId) {
        ConverseRequest.Builder b = ConverseRequest.builder().modelId(modelId).messages(messages);
        if (!system.isEmpty()) b.system(system);
        if (inference != null) b.inferenceConfig(inference);
        if (tools != null) b.toolConfig(tools);
        return b.build();
    }

    ConverseStreamRequest converseStream(String modelId) {
        ConverseStreamRequest.Builder b = ConverseStreamRequest.builder().modelId(modelId).messages(messages);
        if (!system.isEmpty()) b.system(system);
        if (inference != null) b.inferenceConfig(inference);
        if (tools != null) b.toolConfig(tools);
        return b.build();
    }
}
