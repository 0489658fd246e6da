package dev.airlock.wire;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.core.AirlockException;
import dev.airlock.core.ErrorKind;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A transcription or translation of audio ({@code POST /v1/audio/transcriptions}, {@code
 * /v1/audio/translations}), as OpenAI's and vLLM's Whisper endpoints take it: form parts, one of them
 * the audio file. The parts go upstream in order, as the client sent them, but for {@code model}.
 *
 * @param translate whether the audio is to be translated into English rather than transcribed
 */
public record AudioRequest(String model, List<Part> parts, String responseFormat, boolean translate) {

    /** One form part: a field ({@code filename} null) or a file. */
    public record Part(String name, String filename, String contentType, byte[] data) {
        public String text() { return new String(data, StandardCharsets.UTF_8); }
    }

    /** The answer formats Airlock passes on; the JSON ones are guarded field by field, the others as one text. */
    public static final Set<String> FORMATS = Set.of("json", "verbose_json", "text", "srt", "vtt");

    public AudioRequest {
        parts = List.copyOf(parts);
    }

    /** Checks the parts a transcription needs: a model, one audio file, a known format, no stream. */
    public static AudioRequest of(List<Part> parts, boolean translate) {
        String model = null, format = "json";
        int files = 0, prompts = 0;
        for (Part p : parts) {
            switch (p.name()) {
                case "model" -> model = p.text().strip();
                case "file" -> files++;
                // the one prompt is what the classifier reads: a second one would go upstream unread
                case "prompt" -> {
                    if (++prompts > 1) throw new AirlockException(ErrorKind.INVALID_REQUEST, "Send one 'prompt' per request.", "prompt");
                }
                case "response_format" -> format = p.text().strip();
                case "stream" -> {
                    if (p.text().strip().equalsIgnoreCase("true")) {
                        throw new AirlockException(ErrorKind.INVALID_REQUEST, "Airlock does not stream transcriptions; send the request without 'stream'.", "stream");
                    }
                }
                default -> { }
            }
        }
        if (model == null || model.isEmpty()) throw new AirlockException(ErrorKind.MISSING_FIELD, "Missing required parameter: 'model'.", "model");
        if (files != 1) {
            throw new AirlockException(files == 0 ? ErrorKind.MISSING_FIELD : ErrorKind.INVALID_REQUEST,
                    files == 0 ? "Missing required parameter: 'file' (the audio, as a file part)." : "Send one audio 'file' per request, not " + files + ".", "file");
        }
        if (!FORMATS.contains(format)) {
            throw new AirlockException(ErrorKind.INVALID_REQUEST, "'response_format' must be one of json, verbose_json, text, srt, vtt; got '"
                    + format + "'.", "response_format");
        }
        return new AudioRequest(model, parts, format, translate);
    }

    /** The fields a model reads as text (the {@code prompt} that guides the transcript), as a JSON object for the classifier. */
    public ObjectNode textView() {
        ObjectNode view = Json.object().put("model", model);
        String prompt = prompt();
        if (prompt != null) view.put("prompt", prompt);
        return view;
    }

    /** This request with the text fields of {@code view} (a redacted copy of {@link #textView}). */
    public AudioRequest withText(ObjectNode view) {
        List<Part> out = new ArrayList<>(parts.size());
        for (Part p : parts) {
            if (p.filename() == null && p.name().equals("prompt") && view.path("prompt").isTextual()) {
                out.add(new Part(p.name(), null, p.contentType(), view.path("prompt").asText().getBytes(StandardCharsets.UTF_8)));
            } else {
                out.add(p);
            }
        }
        return new AudioRequest(model, out, responseFormat, translate);
    }

    public String prompt() {
        for (Part p : parts) if (p.filename() == null && p.name().equals("prompt")) return p.text();
        return null;
    }

    /** Whether the answer is JSON ({@code json}, {@code verbose_json}) rather than text. */
    public boolean jsonAnswer() { return responseFormat.endsWith("json"); }

    /**
     * The format asked of the upstream: {@code json} where the client asked for {@code text}, since
     * only a JSON answer carries the usage a transcription is billed on (seconds of audio, or tokens);
     * the client still gets the text alone ({@link #textFromJson}). SRT and VTT carry none either, but
     * have no JSON form holding the same cues; they go as asked.
     */
    public String upstreamFormat() { return responseFormat.equals("text") ? "json" : responseFormat; }

    /** Whether the answer is to be the {@code text} of the upstream's JSON rather than what it sent. */
    public boolean textFromJson() { return !responseFormat.equals(upstreamFormat()); }

    /** The upload's length as its header states it (WAV, FLAC), or NaN ({@link AudioLength}). */
    public double seconds() {
        return AudioLength.seconds(audio());
    }

    /** The audio's bytes: {@link #of} took exactly one file part. */
    private byte[] audio() {
        for (Part p : parts) if (p.name().equals("file")) return p.data();
        return new byte[0];
    }

    /**
     * The most seconds of audio this request can be billed for, for a budget's reservation: the
     * header's length, or else the file's bytes at {@value #LOWEST_BITS_PER_SECOND} bits a second, below
     * what speech is encoded at (Opus voice is 12–32 kbit/s), so a bound rather than a guess.
     */
    public double secondsBound() {
        double known = seconds();
        return known > 0 ? known : audio().length * 8.0 / LOWEST_BITS_PER_SECOND;
    }

    static final int LOWEST_BITS_PER_SECOND = 8_000;

    /** The path under an OpenAI-compatible base URL. */
    public String path() { return translate ? "/audio/translations" : "/audio/transcriptions"; }

    /**
     * The request as {@code multipart/form-data} with {@code boundary}, its model replaced by {@code
     * upstreamModel} and its format by {@link #upstreamFormat}.
     */
    public byte[] multipart(String boundary, String upstreamModel) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(4096);
        for (Part p : parts) {
            byte[] data = p.filename() != null ? p.data()
                    : p.name().equals("model") ? upstreamModel.getBytes(StandardCharsets.UTF_8)
                    : p.name().equals("response_format") ? upstreamFormat().getBytes(StandardCharsets.UTF_8) : p.data();
            StringBuilder head = new StringBuilder("--").append(boundary).append("\r\nContent-Disposition: form-data; name=\"")
                    .append(quoted(p.name())).append('"');
            // the audio always goes as a file: servers read a part without a filename as a text field
            String filename = p.filename() != null ? p.filename() : p.name().equals("file") ? "audio" : null;
            if (filename != null) head.append("; filename=\"").append(quoted(filename)).append('"');
            head.append("\r\n");
            if (p.contentType() != null) head.append("Content-Type: ").append(p.contentType().replaceAll("[\r\n]", "")).append("\r\n");
            head.append("\r\n");
            out.writeBytes(head.toString().getBytes(StandardCharsets.UTF_8));
            out.writeBytes(data);
            out.writeBytes(CRLF);
        }
        out.writeBytes(("--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }

    private static final byte[] CRLF = {'\r', '\n'};

    /** A name or filename inside the header's quotes: no quote or line break can end it early. */
    private static String quoted(String s) {
        return s.replace("\"", "%22").replace("\r", "%0D").replace("\n", "%0A");
    }
}
