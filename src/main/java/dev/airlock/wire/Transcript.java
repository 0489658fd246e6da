package dev.airlock.wire;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a speech-to-text answer says it was billed on. OpenAI's and vLLM's JSON answers carry a
 * {@code usage}: {@code {"type": "tokens", "input_tokens", "output_tokens"}} for OpenAI's newer models,
 * {@code {"type": "duration", "seconds"}} for Whisper; a {@code verbose_json} answer also states the
 * audio's {@code duration}. SRT and VTT answers state no usage, but their last cue ends near the audio's end.
 */
public final class Transcript {
    private Transcript() {}

    /** The tokens of a {@code tokens} usage; {@link Usage#NONE} for any other (or none): the gateway estimates them. */
    public static Usage usage(JsonNode usage) {
        if (usage == null || !"tokens".equals(usage.path("type").asText())) return Usage.NONE;
        return new Usage(usage.path("input_tokens").asInt(0), usage.path("output_tokens").asInt(0), false);
    }

    /** The seconds of audio a JSON answer counted ({@code usage.seconds}, else {@code duration}); NaN when it states none. */
    public static double seconds(JsonNode answer) {
        JsonNode usage = answer.path("usage");
        if ("duration".equals(usage.path("type").asText()) && positive(usage.path("seconds"))) return usage.path("seconds").asDouble();
        // vLLM writes verbose_json's duration as a string ("5.0"), OpenAI as a number
        return positive(answer.path("duration")) ? answer.path("duration").asDouble() : Double.NaN;
    }

    private static boolean positive(JsonNode n) {
        return (n.isNumber() || n.isTextual()) && n.asDouble(0) > 0 && Double.isFinite(n.asDouble(0));
    }

    /** {@code 00:01:02,500 --> 00:01:04,000} (SRT) or {@code 01:02.500 --> 01:04.000} (VTT, hours optional): the end. */
    private static final Pattern CUE_END = Pattern.compile("-->\\s*(?:(\\d+):)?(\\d{1,2}):(\\d{2})[,.](\\d{1,3})");

    /** Where the last cue of an SRT or VTT transcript ends, in seconds; NaN when it has none. */
    public static double lastCueEnd(byte[] subtitles) {
        Matcher m = CUE_END.matcher(new String(subtitles, StandardCharsets.UTF_8));
        double end = Double.NaN;
        while (m.find()) {
            double hours = m.group(1) == null ? 0 : Double.parseDouble(m.group(1));
            String ms = (m.group(4) + "00").substring(0, 3);
            end = hours * 3600 + Integer.parseInt(m.group(2)) * 60 + Integer.parseInt(m.group(3)) + Integer.parseInt(ms) / 1000.0;
        }
        return end;
    }
}
