package dev.airlock.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.testing.FakeIssuer;
import dev.airlock.testing.Scratch;
import dev.airlock.wire.Json;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Who may sign in changes with a reload, not a restart: administrators moved to another identity
 * provider, a cluster's workload tokens added, keys made a requirement.
 */
class IssuerReloadTest {
    static final String OLD = "https://sso.bank.example/realms/old";
    static final String NEW = "https://sso.bank.example/realms/new";
    static final String CLUSTER = "https://kubernetes.default.svc.cluster.local";
    static final String MASTER = "Bearer " + TestGateway.MASTER_KEY;
    static FakeIssuer oldIdp;
    static FakeIssuer newIdp;
    static FakeIssuer cluster;
    TestGateway gw;

    @BeforeAll
    static void issuers() throws Exception {
        oldIdp = new FakeIssuer();
        newIdp = new FakeIssuer();
        cluster = new FakeIssuer();
    }

    @AfterAll
    static void stopIssuers() throws Exception {
        oldIdp.close();
        newIdp.close();
        cluster.close();
    }

    @AfterEach
    void stop() { if (gw != null) gw.close(); }

    static String admin(FakeIssuer idp, String issuer) throws Exception {
        return "Bearer " + FakeIssuer.sign(idp.k1, FakeIssuer.claims(issuer, "airlock", "sub-ann").claim("preferred_username", "ann")
                .claim("realm_access", Map.of("roles", List.of("airlock-admin"))).build());
    }

    static String oidc(String issuer, FakeIssuer idp) {
        return "  oidc: { issuer: \"" + issuer + "\", jwks_url: \"" + idp.jwksUrl() + "\", audience: airlock, roles_claim: realm_access.roles }\n";
    }

    @Test
    void aReloadPutsNewIssuersAndTheKeyRequirementInForce() throws Exception {
        String yaml = TestGateway.isolated(TestGateway.YAML.replace("admin: { master_key: \"${AIRLOCK_TEST_MASTER}\" }",
                "admin:\n  master_key: \"${AIRLOCK_TEST_MASTER}\"\n" + oidc(OLD, oldIdp)));
        Path file = Scratch.dir("airlock-issuer-reload").resolve("airlock.yaml");
        Files.writeString(file, yaml);
        gw = TestGateway.fromFile(file);
        var first = gw.get("/admin/tenants", "authorization", admin(oldIdp, OLD));
        assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
        assertThat(gw.post("/v1/chat/completions", TestGateway.chat("local", "hi")).statusCode()).as("no key needed yet").isEqualTo(200);
        gw.createKey("{\"tenant\":\"default\",\"client_identity\":\"system:serviceaccount:payments:api\"}");
        String key = gw.createKey("{\"tenant\":\"default\"}").path("key").asText();

        Files.writeString(file, yaml.replace(oidc(OLD, oldIdp), oidc(NEW, newIdp)) + "auth:\n  require_keys: true\n  workloads: { issuer: \"" + CLUSTER
                + "\", jwks_url: \"" + cluster.jwksUrl() + "\", audience: airlock }\n");
        HttpResponse<String> reloaded = gw.post("/admin/config/reload", "", "authorization", MASTER);
        assertThat(reloaded.statusCode()).as(reloaded.body()).isEqualTo(200);
        JsonNode changes = Json.MAPPER.readTree(reloaded.body()).path("changes");
        assertThat(changes.toString()).contains("admin.oidc", "auth.require_keys", "auth.workloads");

        assertThat(gw.get("/admin/tenants", "authorization", admin(newIdp, NEW)).statusCode()).as("the new provider's administrators").isEqualTo(200);
        var old = gw.get("/admin/tenants", "authorization", admin(oldIdp, OLD));
        assertThat(old.statusCode()).as("the old provider's tokens no longer").isEqualTo(401);
        assertThat(gw.post("/v1/chat/completions", TestGateway.chat("local", "hi")).statusCode()).as("a key is required now").isEqualTo(401);
        assertThat(gw.post("/v1/chat/completions", TestGateway.chat("local", "hi"), "authorization", "Bearer " + key).statusCode()).isEqualTo(200);
        String workload = "Bearer " + FakeIssuer.sign(cluster.k1, FakeIssuer.claims(CLUSTER, "airlock", "system:serviceaccount:payments:api").build());
        var asWorkload = gw.post("/v1/chat/completions", TestGateway.chat("local", "hi"), "authorization", workload);
        assertThat(asWorkload.statusCode()).as(asWorkload.body()).isEqualTo(200);

        Files.writeString(file, yaml.replace(oidc(OLD, oldIdp), oidc(NEW, newIdp)) + "auth: { require_keys: true, key_cache_seconds: 2 }\n");
        var restart = gw.post("/admin/config/reload", "", "authorization", MASTER);
        assertThat(restart.statusCode()).as("the key cache's bound still takes a restart").isEqualTo(409);
        assertThat(restart.body()).contains("auth.key_cache_seconds");
    }
}
