package dev.airlock.cli;

import dev.airlock.config.AirlockConfig;
import dev.airlock.config.ConfigException;
import dev.airlock.config.ConfigLoader;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Finds the config: the file given, else {@code ./airlock.yaml}, else the copy bundled in the jar. */
final class ConfigFiles {
    private ConfigFiles() {}

    /** The file {@link #load} reads: the one given, else {@code ./airlock.yaml} if there is one; null for the bundled copy. */
    static Path path(Path given) {
        if (given != null) return given;
        Path local = Path.of("airlock.yaml");
        return Files.exists(local) ? local : null;
    }

    static AirlockConfig load(Path given) {
        Path file = path(given);
        if (file != null) return ConfigLoader.load(file);
        try (InputStream in = ConfigFiles.class.getResourceAsStream("/airlock.yaml")) {
            if (in == null) throw new ConfigException("No config given, no ./airlock.yaml and none bundled; pass one with --config.");
            return new ConfigLoader(System.getenv()).parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), "airlock.yaml (bundled)");
        } catch (IOException e) {
            throw new ConfigException("The bundled airlock.yaml could not be read: " + e.getMessage());
        }
    }
}
