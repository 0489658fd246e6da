/**
 * Content detectors: find personal data, secrets, custom patterns and glossary terms in text.
 *
 * <p>A {@link dev.airlock.classify.detect.Detector} reports {@link dev.airlock.classify.detect.Finding}s
 * (detector, type, span) and never the matched text, so findings can be logged and audited without
 * leaking what they point at. Build detectors with {@link dev.airlock.classify.detect.Detectors}.
 *
 * <p>Everything here is pure, synchronous and thread-safe once built: no I/O, no shared mutable state,
 * no dependency on other Airlock packages. Scans run on the request path, so each detector makes one
 * pass over the text with cheap character checks and only calls the validating libraries (Commons
 * Validator, libphonenumber) on the few candidates that survive.
 */
package dev.airlock.classify.detect;
