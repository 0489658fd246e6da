package dev.airlock.wire;

/** A function call the assistant asked for; {@code arguments} is the JSON text OpenAI carries. */
public record ToolCall(String id, String name, String arguments) {}
