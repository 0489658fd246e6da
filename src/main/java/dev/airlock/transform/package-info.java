/**
 * Request transforms applied after routing decisions: {@link dev.airlock.transform.Redactor} replaces
 * detected sensitive spans with stable placeholders ({@code [EMAIL_1]}) for routes configured with
 * {@code on_sensitive: redact}, remembering the originals (in memory only) so answers can be restored.
 */
package dev.airlock.transform;
