package dev.airlock.wire;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A function tool offered to the model; {@code parameters} is its JSON Schema (may be null), and
 * {@code cache} a prompt-cache breakpoint after it (null for none).
 */
public record ToolDef(String name, String description, JsonNode parameters, CacheMark cache) {
    public ToolDef(String name, String description, JsonNode parameters) { this(name, description, parameters, null); }
}
