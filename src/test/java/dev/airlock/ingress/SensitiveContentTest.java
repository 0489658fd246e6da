package dev.airlock.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.provider.simulator.SimulatorServer;
import dev.airlock.wire.Json;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Content detectors at work: routing on what a request contains, blocking, redacting and restoring, the output guard. */
class SensitiveContentTest {
    static final String CARD = "4111 1111 1111 1111";
    static final String EMAIL = "jane.doe@example.com";
    TestGateway gw;

    @BeforeEach
    void start() throws Exception { gw = new TestGateway(); }

    @AfterEach
    void stop() { gw.close(); }

    static String user(String route, String text) {
        return "{\"model\":\"" + route + "\",\"messages\":[{\"role\":\"user\",\"content\":" + Json.MAPPER.valueToTree(text) + "}]}";
    }

    JsonNode decision(String id) throws Exception {
        return Json.MAPPER.readTree(gw.get("/admin/requests/" + id + "/decision", "authorization", "Bearer " + TestGateway.MASTER_KEY).body());
    }

    @Test
    void aCardNumberKeepsAGeneralRequestOnPrem() throws Exception {
        var r = gw.post("/v1/chat/completions", user("general", "refund card " + CARD + " please"), "x-request-id", "card-1");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("x-airlock-classification")).hasValue("confidential");
        assertThat(r.headers().firstValue("x-airlock-deployment")).hasValue("a-onprem");
        assertThat(gw.sim("c-internet").received()).isEmpty();
        assertThat(decision("card-1").path("raised_by").toString()).contains("detector:pii:card").doesNotContain("4111");
    }

    @Test
    void everyMessagePartIsScanned() throws Exception {
        String body = """
                {"model":"general","messages":[
                  {"role":"system","content":"You are helpful."},
                  {"role":"user","content":[{"type":"text","text":"look up the customer"}]},
                  {"role":"assistant","content":null,"tool_calls":[{"id":"c1","type":"function","function":{"name":"lookup","arguments":"{\\"q\\":\\"x\\"}"}}]},
                  {"role":"tool","tool_call_id":"c1","content":"found: %s"}]}""".formatted(EMAIL);
        var r = gw.post("/v1/chat/completions", body);
        assertThat(r.headers().firstValue("x-airlock-classification")).hasValue("confidential");
        assertThat(gw.sim("c-internet").received()).isEmpty();

        String args = body.replace("found: " + EMAIL, "found nothing").replace("{\\\"q\\\":\\\"x\\\"}", "{\\\"q\\\":\\\"" + EMAIL + "\\\"}");
        assertThat(gw.post("/v1/chat/completions", args).headers().firstValue("x-airlock-classification")).hasValue("confidential");
        assertThat(gw.sim("c-internet").received()).isEmpty();
    }

    @Test
    void whatAChatRequestCarriesBesideItsMessagesIsScannedToo() throws Exception {
        // each of these goes upstream with the messages: an email in any of them keeps a general request on-prem
        String plain = "{\"model\":\"general\",%s\"messages\":[{\"role\":\"user\",%s\"content\":\"hello\"}]}";
        List<String> carriers = List.of(
                plain.formatted("\"user\":\"" + EMAIL + "\",", ""),
                plain.formatted("\"safety_identifier\":\"" + EMAIL + "\",", ""),
                plain.formatted("\"prompt_cache_key\":\"" + EMAIL + "\",", ""),
                plain.formatted("\"metadata\":{\"ticket\":\"from " + EMAIL + "\"},", ""),
                plain.formatted("\"prediction\":{\"type\":\"content\",\"content\":[{\"type\":\"text\",\"text\":\"owner = '" + EMAIL + "'\"}]},", ""),
                plain.formatted("\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"notify\",\"description\":\"mails " + EMAIL
                        + "\",\"parameters\":{\"type\":\"object\",\"properties\":{}}}}],", ""),
                plain.formatted("\"documents\":[{\"title\":\"note\",\"text\":\"reach " + EMAIL + "\"}],", ""),
                plain.formatted("\"some_field_of_next_year\":{\"deep\":[\"" + EMAIL + "\"]},", ""),
                plain.formatted("", "\"name\":\"" + EMAIL + "\","),
                plain.replace("\"messages\":[", "\"messages\":[{\"role\":\"assistant\",\"content\":null,\"function_call\":{\"name\":\"mail\",\"arguments\":\"{\\\"to\\\":\\\""
                        + EMAIL + "\\\"}\"}},").formatted("", ""));
        for (String body : carriers) {
            var r = gw.post("/v1/chat/completions", body);
            assertThat(r.statusCode()).as(body).isEqualTo(200);
            assertThat(r.headers().firstValue("x-airlock-classification")).as(body).hasValue("confidential");
        }
        assertThat(gw.sim("c-internet").received()).isEmpty();
        var clean = gw.post("/v1/chat/completions", plain.formatted("\"user\":\"u-7f3a\",\"metadata\":{\"ticket\":\"T-1\"},", ""));
        assertThat(clean.headers().firstValue("x-airlock-deployment")).hasValue("c-internet");

        // a redacting route sends a placeholder in the end user's place, while the ledger keeps who it was
        var r = gw.post("/v1/chat/completions", "{\"model\":\"redacting\",\"user\":\"" + EMAIL + "\",\"metadata\":{\"ticket\":\"from " + EMAIL
                + "\"},\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}]}", "x-request-id", "red-user");
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode sent = gw.sim("c-internet").received().get(1).body();
        assertThat(sent.path("user").asText()).isEqualTo("[EMAIL_1]");
        assertThat(sent.path("metadata").path("ticket").asText()).isEqualTo("from [EMAIL_1]");
        assertThat(gw.ledgerEvent("red-user").path("end_user").asText()).isEqualTo(EMAIL);
    }

    @Test
    void embeddingInputsAreScanned() throws Exception {
        var r = gw.post("/v1/embeddings", "{\"model\":\"general\",\"input\":[\"fine\",\"AKIAIOSFODNN7EXAMPLE\"]}");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("x-airlock-classification")).hasValue("restricted");
        // and the end user an embeddings or text completion request names
        assertThat(gw.post("/v1/embeddings", "{\"model\":\"general\",\"user\":\"" + EMAIL + "\",\"input\":\"fine\"}")
                .headers().firstValue("x-airlock-classification")).hasValue("confidential");
        assertThat(gw.post("/v1/completions", "{\"model\":\"general\",\"user\":\"" + EMAIL + "\",\"prompt\":\"x = \",\"max_tokens\":4}")
                .headers().firstValue("x-airlock-classification")).hasValue("confidential");
        assertThat(gw.sim("c-internet").received()).isEmpty();
    }

    @Test
    void aGlossaryTermRaisesToItsLevel() throws Exception {
        var r = gw.post("/v1/chat/completions", user("general", "status of project Bluebird?"));
        assertThat(r.headers().firstValue("x-airlock-classification")).hasValue("internal");
        assertThat(gw.sim("c-internet").received()).isEmpty();
    }

    @Test
    void nearMissesStayPublic() throws Exception {
        var r = gw.post("/v1/chat/completions", user("general", "order 4111111111111112, build 10.0.19045, id 123e4567-e89b-12d3-a456-426614174000"));
        assertThat(r.headers().firstValue("x-airlock-classification")).hasValue("public");
        assertThat(r.headers().firstValue("x-airlock-deployment")).hasValue("c-internet");
    }

    @Test
    void aBlockingRouteRefusesWith422NamingTheDetector() throws Exception {
        var r = gw.post("/v1/chat/completions", user("blocking", "card " + CARD));
        assertThat(r.statusCode()).isEqualTo(422);
        JsonNode err = Json.MAPPER.readTree(r.body()).path("error");
        assertThat(err.path("code").asText()).isEqualTo("content_blocked");
        assertThat(err.path("message").asText()).contains("detector:pii:card").doesNotContain("4111");
        assertThat(gw.sim("c-internet").received()).isEmpty();
        assertThat(gw.sim("a-onprem").received()).isEmpty();
        assertThat(gw.post("/v1/chat/completions", user("blocking", "no secrets here")).statusCode()).isEqualTo(200);
    }

    @Test
    void aRedactingRouteSendsPlaceholdersAndRestoresTheAnswer() throws Exception {
        String text = SimulatorServer.ECHO + "Mail " + EMAIL + " about " + CARD + ", again " + EMAIL + ".";
        var r = gw.post("/v1/chat/completions", user("redacting", text), "x-request-id", "red-1");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("x-airlock-deployment")).hasValue("c-internet");
        String sent = gw.sim("c-internet").received().get(0).body().path("messages").get(0).path("content").asText();
        assertThat(sent).isEqualTo(SimulatorServer.ECHO + "Mail [EMAIL_1] about [CARD_1], again [EMAIL_1].");
        String answer = Json.MAPPER.readTree(r.body()).path("choices").get(0).path("message").path("content").asText();
        assertThat(answer).isEqualTo("Mail " + EMAIL + " about " + CARD + ", again " + EMAIL + ".");
        JsonNode d = decision("red-1");
        assertThat(d.path("classification").asText()).isEqualTo("public");
        assertThat(d.path("redactions_in_request").path("email").asInt()).isEqualTo(2);
        assertThat(d.path("redactions_in_request").path("card").asInt()).isEqualTo(1);
    }

    @Test
    void aRerankOnARedactingRouteGetsItsDocumentsBackAsSent() throws Exception {
        var r = gw.post("/v1/rerank", "{\"model\":\"redacting\",\"query\":\"who asked?\",\"documents\":[\"Mail " + EMAIL
                + " today.\",{\"text\":\"Card " + CARD + ".\"}]}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode sent = gw.sim("c-internet").received().get(0).body().path("documents");
        assertThat(sent.get(0).asText()).isEqualTo("Mail [EMAIL_1] today.");
        assertThat(sent.get(1).path("text").asText()).isEqualTo("Card [CARD_1].");
        List<String> back = new java.util.ArrayList<>();
        for (JsonNode result : Json.MAPPER.readTree(r.body()).path("results")) back.add(result.path("document").path("text").asText());
        assertThat(back).containsExactlyInAnyOrder("Mail " + EMAIL + " today.", "Card " + CARD + ".");
    }

    @Test
    void restoreWorksOnStreamsWherePlaceholdersAreSplitAcrossChunks() throws Exception {
        String text = SimulatorServer.ECHO + "Mail " + EMAIL + " now";
        String body = user("redacting", text).replace("\"messages\"", "\"stream\":true,\"messages\"");
        var r = gw.post("/v1/chat/completions", body);
        assertThat(StreamingTest.events(r.body())).last().isEqualTo("[DONE]");
        assertThat(content(r.body())).isEqualTo("Mail " + EMAIL + " now");
    }

    @Test
    void theOutputGuardRedactsAnswersWholeAndStreamed() throws Exception {
        String text = SimulatorServer.ECHO + "Your card " + CARD + " and key AKIAIOSFODNN7EXAMPLE are on file.";
        var plain = gw.post("/v1/chat/completions", user("guarded", text), "x-request-id", "guard-1");
        String answer = Json.MAPPER.readTree(plain.body()).path("choices").get(0).path("message").path("content").asText();
        assertThat(answer).isEqualTo("Your card [REDACTED_CARD] and key [REDACTED_SECRET] are on file.");
        assertThat(decision("guard-1").path("redactions_in_response").path("card").asInt()).isEqualTo(1);

        var streamed = gw.post("/v1/chat/completions", user("guarded", text).replace("\"messages\"", "\"stream\":true,\"messages\""));
        assertThat(streamed.body()).doesNotContain("1111 1111").doesNotContain("AKIAIOSF");
        assertThat(content(streamed.body())).isEqualTo(answer);
    }

    /** The text of a streamed answer, from its SSE body. */
    static String content(String sse) throws Exception {
        List<String> parts = new java.util.ArrayList<>();
        for (String e : StreamingTest.events(sse)) {
            if (e.equals("[DONE]")) continue;
            for (JsonNode c : Json.MAPPER.readTree(e).path("choices")) parts.add(c.path("delta").path("content").asText(""));
        }
        return parts.stream().collect(Collectors.joining());
    }
}
