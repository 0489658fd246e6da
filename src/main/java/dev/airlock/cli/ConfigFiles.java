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

    static AirlockConfig load(Path given) {
        if (given != null) return ConfigLoader.load(given);
        Path local = Path.of("airlock.yaml");
        if (Files.exists(local)) return ConfigLoader.load(local);
        try (InputStream in = ConfigFiles.class.getResourceAsStream("/airlock.yaml")) {
            if (in == null) throw new ConfigException("No config given, no ./airlock.yaml and none bundled; pass one with --config.");
            return new ConfigLoader(System.getenv()).parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), "airlock.yaml (bundled)");
        } catch (IOException e) {
            throw new ConfigException("The bundled airlock.yaml could not be read: " + e.getMessage());
        }
    }
}
