package dev.airlock.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.core.AirlockException;
import dev.airlock.core.ErrorKind;
import dev.airlock.guard.AnswerSchema;
import dev.airlock.wire.Json;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * An evaluation suite: named cases, each a chat request and what its answer must be. The suite says
 * the classification level of its prompts, which decides (with the content detectors, as for any
 * request) which deployments may receive them.
 *
 * <pre>
 * name: code-basics
 * classification: internal
 * cases:
 *   - name: adds
 *     prompt: "What is 2+2? Answer with the number only."      # or messages: [{role, content}, …]
 *     max_tokens: 16                                             # optional, as temperature is
 *     expect: { contains: ["4"], not_contains: ["5"], regex: "^\\s*4", equals: "4", json_schema: {…} }
 * </pre>
 * Every check given must pass. Unknown keys are refused, so a misspelt check never passes silently.
 */
public record Suite(String name, String classification, List<Case> cases) {
    /** The most cases one suite may hold: a run answers when all of them are done. */
    public static final int MAX_CASES = 500;
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    private static final Set<String> SUITE_KEYS = Set.of("name", "classification", "cases");
    private static final Set<String> CASE_KEYS = Set.of("name", "prompt", "messages", "max_tokens", "temperature", "expect");
    private static final Set<String> EXPECT_KEYS = Set.of("contains", "not_contains", "regex", "equals", "json_schema");

    public Suite {
        cases = List.copyOf(cases);
    }

    /** One case: the request body it sends (without {@code model}) and its checks. */
    public record Case(String name, ObjectNode request, Expect expect) {}

    /** What an answer must be; null or empty parts are not checked. */
    public record Expect(List<String> contains, List<String> notContains, Pattern regex, String equals, AnswerSchema schema) {
        public Expect {
            contains = contains == null ? List.of() : List.copyOf(contains);
            notContains = notContains == null ? List.of() : List.copyOf(notContains);
        }

        /**
         * Why {@code answer} fails, or null when it passes. The reason names the check and its position,
         * never the answer or the expected text: run results are kept, content is not.
         */
        public String problem(String answer) {
            for (int i = 0; i < contains.size(); i++) {
                if (!answer.contains(contains.get(i))) return "contains[" + i + "] is not in the answer";
            }
            for (int i = 0; i < notContains.size(); i++) {
                if (answer.contains(notContains.get(i))) return "not_contains[" + i + "] is in the answer";
            }
            if (regex != null && !regex.matcher(answer).find()) return "the regex does not match the answer";
            if (equals != null && !answer.strip().equals(equals.strip())) return "the answer is not the one in equals";
            if (schema != null && schema.problem(answer) != null) return "the answer is not JSON matching json_schema";
            return null;
        }
    }

    /** Reads and checks a suite; each problem is a 400 naming where it is. */
    public static Suite parse(JsonNode n, java.util.List<String> levels) {
        if (n == null || !n.isObject()) throw invalid("The suite must be an object with name, classification and cases.", "suite");
        unknown(n, SUITE_KEYS, "suite");
        String name = n.path("name").asText(null);
        if (name == null || !NAME.matcher(name).matches()) throw invalid("suite.name is required: 1 to 64 letters, digits, '.', '-' or '_'.", "suite.name");
        String level = n.path("classification").asText(null);
        if (level == null || !levels.contains(level)) {
            throw invalid("suite.classification is required: the level of the suite's prompts, one of " + String.join(", ", levels) + ".", "suite.classification");
        }
        JsonNode list = n.path("cases");
        if (!list.isArray() || list.isEmpty() || list.size() > MAX_CASES) {
            throw invalid("suite.cases must be a list of 1 to " + MAX_CASES + " cases.", "suite.cases");
        }
        List<Case> cases = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            Case c = parseCase(list.get(i), "suite.cases[" + i + "]");
            if (names.contains(c.name())) throw invalid("suite.cases[" + i + "].name '" + c.name() + "' is used twice; case names must be unique.", "suite.cases[" + i + "].name");
            names.add(c.name());
            cases.add(c);
        }
        return new Suite(name, level, cases);
    }

    private static Case parseCase(JsonNode c, String p) {
        if (!c.isObject()) throw invalid(p + " must be an object.", p);
        unknown(c, CASE_KEYS, p);
        String name = c.path("name").asText(null);
        if (name == null || !NAME.matcher(name).matches()) throw invalid(p + ".name is required: 1 to 64 letters, digits, '.', '-' or '_'.", p + ".name");
        ObjectNode request = Json.object();
        ArrayNode messages = request.putArray("messages");
        boolean prompt = c.path("prompt").isTextual();
        if (prompt == c.has("messages")) throw invalid(p + " needs either prompt (text) or messages (a list), not both.", p);
        if (prompt) {
            messages.addObject().put("role", "user").put("content", c.get("prompt").asText());
        } else {
            JsonNode m = c.get("messages");
            if (!m.isArray() || m.isEmpty()) throw invalid(p + ".messages must be a non-empty list of {role, content}.", p + ".messages");
            for (JsonNode msg : m) {
                if (!msg.path("role").isTextual() || !msg.path("content").isTextual()) {
                    throw invalid(p + ".messages must be a list of {role, content} with text content.", p + ".messages");
                }
                messages.addObject().put("role", msg.get("role").asText()).put("content", msg.get("content").asText());
            }
        }
        if (c.has("max_tokens")) {
            if (!c.get("max_tokens").canConvertToInt() || c.get("max_tokens").asInt() < 1) throw invalid(p + ".max_tokens must be a positive whole number.", p + ".max_tokens");
            request.put("max_tokens", c.get("max_tokens").asInt());
        }
        if (c.has("temperature")) {
            if (!c.get("temperature").isNumber()) throw invalid(p + ".temperature must be a number.", p + ".temperature");
            request.put("temperature", c.get("temperature").asDouble());
        }
        JsonNode e = c.path("expect");
        if (!e.isObject() || e.isEmpty()) throw invalid(p + ".expect is required: one or more of " + String.join(", ", EXPECT_KEYS.stream().sorted().toList()) + ".", p + ".expect");
        unknown(e, EXPECT_KEYS, p + ".expect");
        Pattern regex = null;
        if (e.has("regex")) {
            try {
                regex = Pattern.compile(e.get("regex").asText());
            } catch (PatternSyntaxException bad) {
                throw invalid(p + ".expect.regex is not a regular expression: " + bad.getDescription() + ".", p + ".expect.regex");
            }
        }
        AnswerSchema schema = null;
        if (e.has("json_schema")) {
            if (!e.get("json_schema").isObject()) throw invalid(p + ".expect.json_schema must be a JSON schema object.", p + ".expect.json_schema");
            ObjectNode format = Json.object().put("type", "json_schema");
            format.putObject("json_schema").put("name", name).set("schema", e.get("json_schema"));
            request.set("response_format", format); // ask for it, as a client would
            schema = AnswerSchema.of(format);
        }
        return new Case(name, request, new Expect(texts(e, "contains", p), texts(e, "not_contains", p), regex,
                e.has("equals") ? e.get("equals").asText() : null, schema));
    }

    private static List<String> texts(JsonNode e, String key, String p) {
        JsonNode v = e.get(key);
        if (v == null) return List.of();
        List<String> out = new ArrayList<>();
        if (v.isTextual()) out.add(v.asText());
        else if (v.isArray()) for (JsonNode t : v) out.add(t.asText());
        else throw invalid(p + ".expect." + key + " must be a text or a list of texts.", p + ".expect." + key);
        return out;
    }

    private static void unknown(JsonNode n, Set<String> known, String p) {
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!known.contains(f)) throw invalid(p + " has an unknown key '" + f + "'; it takes " + String.join(", ", known.stream().sorted().toList()) + ".", p + "." + f);
        }
    }

    private static AirlockException invalid(String message, String param) {
        return new AirlockException(ErrorKind.INVALID_REQUEST, message, param);
    }
}
