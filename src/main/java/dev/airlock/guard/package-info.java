/**
 * The output guard: transforms answer text before it reaches the client, whole or streamed.
 * {@link dev.airlock.guard.RedactingStream} redacts what the route's guard detectors find;
 * {@link dev.airlock.guard.RestoringStream} puts back values the request redactor replaced.
 * On streams both hold back only the trailing characters that could still become part of a match.
 * {@link dev.airlock.guard.AnswerSchema} checks an answer against the JSON a request's
 * {@code response_format} asked for.
 */
package dev.airlock.guard;
