package dev.airlock.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Reads {@code airlock.yaml}: parse (rejecting unknown keys), then validate and freeze with
 * {@link Freezer}. Every problem is reported as {@code file:line: what is wrong; the fix}.
 */
public final class ConfigLoader {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private final Map<String, String> env;

    /** @param env where {@code ${VAR}} references are looked up (the process environment in production) */
    public ConfigLoader(Map<String, String> env) {
        this.env = Map.copyOf(env);
    }

    public static AirlockConfig load(Path file) {
        return new ConfigLoader(System.getenv()).loadFile(file);
    }

    public AirlockConfig loadFile(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new ConfigException("Config file " + file + " does not exist; pass an existing file with --config.");
        } catch (IOException e) {
            throw new ConfigException("Config file " + file + " could not be read: " + e.getMessage() + ".");
        }
        return parse(text, file.getFileName().toString());
    }

    public AirlockConfig parse(String yaml, String source) {
        LineIndex lines = LineIndex.of(yaml);
        ConfigSpec spec;
        try {
            spec = YAML.readValue(yaml, ConfigSpec.class);
        } catch (UnrecognizedPropertyException e) {
            var known = e.getKnownPropertyIds().stream().map(Object::toString).sorted().collect(Collectors.toList());
            String where = path(e);
            int line = lines.line(where.isEmpty() ? e.getPropertyName() : where + "." + e.getPropertyName());
            throw new ConfigException(source + ":" + (line > 0 ? line : e.getLocation().getLineNr()) + ": unknown key '" + e.getPropertyName() + "'"
                    + (where.isEmpty() ? "" : " under '" + where + "'") + Suggest.hint(e.getPropertyName(), known));
        } catch (MismatchedInputException e) {
            int line = lines.line(path(e));
            throw new ConfigException(source + ":" + (line > 0 ? line : e.getLocation().getLineNr()) + ": '" + path(e) + "' has the wrong type ("
                    + e.getOriginalMessage().split("\n")[0] + "); check the value's shape against the README's config reference.");
        } catch (JsonProcessingException e) {
            int line = e.getLocation() == null ? 0 : e.getLocation().getLineNr();
            throw new ConfigException(source + ":" + line + ": not valid YAML: " + e.getOriginalMessage().split("\n")[0] + ".");
        }
        if (spec == null) throw new ConfigException(source + ": the file is empty; start from the bundled airlock.yaml.");
        return new Freezer(spec, lines, env, source).freeze();
    }

    private static String path(JsonMappingException e) {
        StringBuilder sb = new StringBuilder();
        for (JsonMappingException.Reference r : e.getPath()) {
            if (r.getFieldName() != null) {
                if (!sb.isEmpty()) sb.append('.');
                sb.append(r.getFieldName());
            } else if (r.getIndex() >= 0) {
                sb.append('[').append(r.getIndex()).append(']');
            }
        }
        // the last reference is the unknown key itself
        String s = sb.toString();
        if (e instanceof UnrecognizedPropertyException u && s.endsWith(u.getPropertyName())) {
            s = s.substring(0, Math.max(0, s.length() - u.getPropertyName().length() - 1));
        }
        return s;
    }
}
