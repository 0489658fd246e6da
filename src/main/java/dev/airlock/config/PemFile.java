package dev.airlock.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Checks, when the configuration is read, that a TLS file is what the listener will need, so a wrong
 * path or a DER or encrypted file is one sentence at start-up rather than a TLS failure later. Whether
 * the certificate and key belong together is left to the listener, which refuses to start if not.
 */
final class PemFile {
    enum Kind {
        CERTIFICATE("a certificate", "CERTIFICATE-----"),
        PRIVATE_KEY("a private key", "PRIVATE KEY-----");

        final String what;
        final String marker;

        Kind(String what, String marker) {
            this.what = what;
            this.marker = marker;
        }
    }

    private PemFile() {}

    /** Null when {@code file} is a readable PEM file holding {@code kind}; otherwise what is wrong, as a sentence. */
    static String check(Path file, Kind kind) {
        String text;
        try {
            // ISO-8859-1 reads any bytes: a binary (DER) file then fails the marker test below, with its own message
            text = Files.readString(file, StandardCharsets.ISO_8859_1);
        } catch (NoSuchFileException e) {
            return "no file " + file.toAbsolutePath() + ".";
        } catch (IOException | SecurityException e) {
            return "cannot read " + file.toAbsolutePath() + " (" + e.getClass().getSimpleName() + ").";
        }
        if (kind == Kind.PRIVATE_KEY && text.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----")) {
            return file + " holds an encrypted key; Airlock reads an unencrypted PEM key, protected by the file's permissions.";
        }
        if (!text.contains("-----BEGIN ") || !text.contains(kind.marker)) {
            return file + " is not a PEM file holding " + kind.what + " (a '-----BEGIN ..." + kind.marker + "' block).";
        }
        return null;
    }
}
