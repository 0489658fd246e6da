package dev.airlock.wire;

import com.fasterxml.jackson.databind.JsonNode;

/** A function tool offered to the model; {@code parameters} is its JSON Schema (may be null). */
public record ToolDef(String name, String description, JsonNode parameters) {}
