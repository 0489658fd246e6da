/**
 * Configuration: {@link dev.airlock.config.ConfigLoader} reads one YAML file into the raw
 * {@link dev.airlock.config.ConfigSpec} (unknown keys rejected with line and suggestion), checks every
 * reference, expands {@code ${ENV}} secrets, and freezes the result into the immutable
 * {@link dev.airlock.config.AirlockConfig} snapshot the rest of the gateway reads. Nothing changes it after start.
 */
package dev.airlock.config;
