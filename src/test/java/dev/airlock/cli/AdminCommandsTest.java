package dev.airlock.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.admin.AdminApi;
import dev.airlock.identity.keys.KeyStore;
import dev.airlock.identity.keys.MutableClock;
import dev.airlock.identity.keys.SpendRow;
import dev.airlock.identity.keys.SpendStore;
import dev.airlock.identity.keys.TenantStore;
import dev.airlock.identity.keys.Vocabulary;
import dev.airlock.store.Store;
import dev.airlock.store.TestDatabases;
import dev.airlock.wire.Json;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The admin commands without a server: flags become the right admin call, and real answers of
 * {@link AdminApi} (on an H2 store) print as the expected tables. Failures that need no server
 * (no master key, a port nobody listens on, error bodies) are checked as they are.
 */
class AdminCommandsTest {
    static final dev.airlock.identity.keys.Actor ADMIN = new dev.airlock.identity.keys.Actor("test administrator", "127.0.0.1", null);
    @TempDir Path dir;

    /** Parses {@code args} against {@code root} and returns the command object that would run. */
    static AdminCommand parse(Object root, String... args) {
        CommandLine cl = new CommandLine(root);
        CommandLine.ParseResult r = cl.parseArgs(args);
        while (r.subcommand() != null) r = r.subcommand();
        return (AdminCommand) r.commandSpec().userObject();
    }

    static String body(AdminClient.Call c) {
        return c.body() == null ? null : Json.write(c.body());
    }

    @Test
    void keysCommandsBecomeAdminCalls() {
        AdminClient.Call create = parse(new KeysCommand(), "create", "--tenant", "payments", "--name", "ci bot", "--routes", "general-tasks, sensitive-tasks",
                "--floor", "restricted", "--rpm", "60", "--tpm", "100000", "--budget", "12.5", "--expires", "2026-12-31",
                "--client", "spiffe://bank.example/ns/ci/sa/bot").request();
        assertThat(create.method()).isEqualTo("POST");
        assertThat(create.path()).isEqualTo("/admin/keys");
        assertThat(body(create)).isEqualTo("{\"tenant\":\"payments\",\"name\":\"ci bot\",\"routes\":[\"general-tasks\",\"sensitive-tasks\"],"
                + "\"classification_floor\":\"restricted\",\"rpm\":60,\"tpm\":100000,\"budget_usd_month\":12.5,\"expires_at\":\"2026-12-31\","
                + "\"client_identity\":\"spiffe://bank.example/ns/ci/sa/bot\"}");
        assertThat(body(parse(new KeysCommand(), "create", "--tenant", "p").request())).isEqualTo("{\"tenant\":\"p\"}");

        AdminClient.Call rotate = parse(new KeysCommand(), "rotate", "key_0123456789ab", "--grace", "7d").request();
        assertThat(rotate.method()).isEqualTo("POST");
        assertThat(rotate.path()).isEqualTo("/admin/keys/key_0123456789ab/rotate");
        assertThat(body(rotate)).isEqualTo("{\"grace\":\"7d\"}");

        AdminClient.Call audit = parse(new AuditCommand(), "--since", "7d", "--target", "payments").request();
        assertThat(audit.method()).isEqualTo("GET");
        assertThat(audit.path()).isEqualTo("/admin/audit?since=7d&target=payments&limit=100");

        AdminClient.Call list = parse(new KeysCommand(), "list").request();
        assertThat(list).isEqualTo(new AdminClient.Call("GET", "/admin/keys", null));
        assertThat(parse(new KeysCommand(), "list", "--tenant", "a b&c").request().path()).isEqualTo("/admin/keys?tenant=a+b%26c");
        assertThat(parse(new KeysCommand(), "revoke", "key_0123456789ab").request()).isEqualTo(new AdminClient.Call("DELETE", "/admin/keys/key_0123456789ab", null));
        assertThat(parse(new KeysCommand(), "list", "--url", "http://gw:9000").url).isEqualTo("http://gw:9000");
        assertThat(parse(new KeysCommand(), "list").url).isEqualTo("http://127.0.0.1:4000");
    }

    @Test
    void tenantsAndSpendCommandsBecomeAdminCalls() {
        assertThat(body(parse(new TenantsCommand(), "create", "payments", "--default-level", "confidential", "--routes", "a,b", "--budget", "5000",
                "--rpm", "600", "--tpm", "2000000").request()))
                .isEqualTo("{\"name\":\"payments\",\"default_level\":\"confidential\",\"routes\":[\"a\",\"b\"],\"budget_usd_month\":5000.0,\"rpm\":600,\"tpm\":2000000}");
        assertThat(parse(new TenantsCommand(), "list").request()).isEqualTo(new AdminClient.Call("GET", "/admin/tenants", null));
        assertThat(parse(new TenantsCommand(), "get", "payments").request()).isEqualTo(new AdminClient.Call("GET", "/admin/tenants/payments", null));
        AdminClient.Call update = parse(new TenantsCommand(), "update", "payments", "--budget", "none", "--rpm", "100", "--all-routes").request();
        assertThat(update.method()).isEqualTo("PATCH");
        assertThat(update.path()).isEqualTo("/admin/tenants/payments");
        assertThat(body(update)).isEqualTo("{\"routes\":null,\"budget_usd_month\":null,\"rpm\":100}");
        assertThat(body(parse(new TenantsCommand(), "update", "p", "--tpm", "NONE", "--default-level", "internal").request()))
                .isEqualTo("{\"default_level\":\"internal\",\"tpm\":null}");
        assertThat(body(parse(new TenantsCommand(), "create", "vault", "--no-cache-answers").request()))
                .isEqualTo("{\"name\":\"vault\",\"cache_answers\":false}");
        assertThat(body(parse(new TenantsCommand(), "update", "vault", "--cache-answers", "true").request())).isEqualTo("{\"cache_answers\":true}");
        assertThat(body(parse(new TenantsCommand(), "create", "agents", "--max-in-flight", "16").request()))
                .isEqualTo("{\"name\":\"agents\",\"max_in_flight\":16}");
        assertThat(body(parse(new TenantsCommand(), "update", "agents", "--max-in-flight", "none").request())).isEqualTo("{\"max_in_flight\":null}");
        assertThat(body(parse(new TenantsCommand(), "create", "web", "--end-user-rpm", "20", "--end-user-tpm", "40000").request()))
                .isEqualTo("{\"name\":\"web\",\"end_user_rpm\":20,\"end_user_tpm\":40000}");
        assertThat(body(parse(new TenantsCommand(), "update", "web", "--end-user-rpm", "none", "--end-user-tpm", "5000").request()))
                .isEqualTo("{\"end_user_rpm\":null,\"end_user_tpm\":5000}");
        assertThat(body(parse(new TenantsCommand(), "create", "web", "--end-user-budget", "2.5").request()))
                .isEqualTo("{\"name\":\"web\",\"end_user_budget_usd_month\":2.5}");
        assertThat(body(parse(new TenantsCommand(), "update", "web", "--end-user-budget", "none").request())).isEqualTo("{\"end_user_budget_usd_month\":null}");
        assertThat(body(parse(new TenantsCommand(), "create", "hr", "--retention-days", "30").request())).isEqualTo("{\"name\":\"hr\",\"retention_days\":30}");
        assertThat(body(parse(new TenantsCommand(), "update", "hr", "--retention-days", "none").request())).isEqualTo("{\"retention_days\":null}");
        assertThat(body(parse(new TenantsCommand(), "create", "shop", "--licenses", "apache-2.0,mit").request()))
                .isEqualTo("{\"name\":\"shop\",\"licenses\":[\"apache-2.0\",\"mit\"]}");
        assertThat(body(parse(new TenantsCommand(), "update", "shop", "--any-license").request())).isEqualTo("{\"licenses\":null}");
        assertThat(body(parse(new TenantsCommand(), "create", "eu-bank", "--zones", "eu-onprem,eu-cloud").request()))
                .isEqualTo("{\"name\":\"eu-bank\",\"zones\":[\"eu-onprem\",\"eu-cloud\"]}");
        assertThat(body(parse(new TenantsCommand(), "update", "eu-bank", "--all-zones").request())).isEqualTo("{\"zones\":null}");
        assertThat(body(parse(new KeysCommand(), "create", "--tenant", "agents", "--max-in-flight", "4").request()))
                .isEqualTo("{\"tenant\":\"agents\",\"max_in_flight\":4}");

        assertThat(parse(new SpendCommand()).request().path()).isEqualTo("/admin/spend?group_by=tenant&since=30d");
        assertThat(parse(new SpendCommand(), "--by", "deployment", "--since", "2026-11-01T00:00:00+01:00").request().path())
                .isEqualTo("/admin/spend?group_by=deployment&since=2026-11-01T00%3A00%3A00%2B01%3A00");
    }

    /** Runs {@code args} the way Main does and returns exit code, stdout and stderr. */
    record Run(int code, String out, String err) {}

    static Run run(Object root, Map<String, String> env, String... args) {
        CommandLine cl = new CommandLine(root);
        StringWriter out = new StringWriter(), err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        setEnv(cl, env);
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    private static void setEnv(CommandLine cl, Map<String, String> env) {
        if (cl.getCommand() instanceof AdminCommand a) a.env = env::get;
        cl.getSubcommands().values().forEach(sub -> setEnv(sub, env));
    }

    @Test
    void helpDescribesEveryCommand() {
        Run keys = run(new KeysCommand(), Map.of(), "create", "--help");
        assertThat(keys.code()).isZero();
        assertThat(keys.out()).contains("--tenant=TENANT", "--budget=USD", "--expires=DATE", "--floor=LEVEL",
                "--url=URL", "Airlock to talk to (default: http://127.0.0.1:4000).", "$AIRLOCK_MASTER_KEY");
        assertThat(run(new TenantsCommand(), Map.of(), "update", "--help").out()).contains("--budget=USD|none", "--all-routes");
        // picocli wraps the descriptions to the widest option: compared with the wrapping undone
        assertThat(run(new SpendCommand(), Map.of(), "--help").out().replaceAll("\\s+", " "))
                .contains("tenant, key, route, task or deployment (default: tenant).", "--tenant=TENANT Only this tenant's spend");
        assertThat(run(new KeysCommand(), Map.of()).out()).contains("create", "list", "revoke");
    }

    @Test
    void usageMistakesExitWith2AndSaySo() {
        Map<String, String> env = Map.of("AIRLOCK_MASTER_KEY", "m");
        Run r = run(new KeysCommand(), env, "create", "--name", "x");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("Missing required option: '--tenant=TENANT'");
        assertThat(run(new KeysCommand(), env, "create", "--tenant", "p", "--rpm", "lots").err()).contains("'lots' is not an int");
        Run revokeKey = run(new KeysCommand(), env, "revoke", "sk-airlock-" + "a".repeat(43));
        assertThat(revokeKey.code()).isEqualTo(2);
        assertThat(revokeKey.err()).contains("Give the key's id (key_…, see `airlock keys list`), not the key itself");
        Run nothing = run(new TenantsCommand(), env, "update", "payments");
        assertThat(nothing.code()).isEqualTo(2);
        assertThat(nothing.err()).contains("Nothing to change: give at least one of --default-level");
        assertThat(run(new TenantsCommand(), env, "update", "p", "--rpm", "ten").err())
                .contains("Invalid value for option '--rpm': 'ten' is not a whole number or 'none'.");
        assertThat(run(new TenantsCommand(), env, "update", "p", "--routes", "a", "--all-routes").err()).contains("Give --routes or --all-routes, not both.");
    }

    @Test
    void failuresWithoutAServerAreOneSentence() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Run refused = run(new KeysCommand(), Map.of("AIRLOCK_MASTER_KEY", "m"), "list", "--url", "http://127.0.0.1:" + port);
        assertThat(refused.code()).isEqualTo(1);
        assertThat(refused.err().strip()).isEqualTo("Cannot reach Airlock at http://127.0.0.1:" + port + ": connection refused. Is `airlock serve` running there?");
        assertThat(refused.out()).isEmpty();

        Run noKey = run(new SpendCommand(), Map.of(), "--url", "http://127.0.0.1:" + port);
        assertThat(noKey.code()).isEqualTo(1);
        assertThat(noKey.err().strip()).isEqualTo("Set AIRLOCK_ADMIN_TOKEN to your sign-in token from the identity provider (admin.oidc), "
                + "or AIRLOCK_MASTER_KEY to the server's admin master key (admin.master_key in its airlock.yaml).");

        Run badUrl = run(new TenantsCommand(), Map.of("AIRLOCK_MASTER_KEY", "m"), "list", "--url", "127.0.0.1:4000");
        assertThat(badUrl.code()).isEqualTo(1);
        assertThat(badUrl.err().strip()).isEqualTo("--url must be an http(s) URL like http://127.0.0.1:4000; got '127.0.0.1:4000'.");
    }

    /** The JVM's TLS settings are read once per process, so this runs the CLI in a JVM of its own. */
    @Test
    void tlsSettingsTheJvmCannotLoadAreOneSentence() throws Exception {
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Djavax.net.ssl.keyStore=" + dev.airlock.testing.TestTls.file("payments.p12"), "-Djavax.net.ssl.keyStorePassword=wrong",
                "-cp", System.getProperty("java.class.path"), Main.class.getName(), "keys", "list", "--url", "https://127.0.0.1:1")
                .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("AIRLOCK_MASTER_KEY", "m");
        Process p = pb.start();
        p.getOutputStream().close();
        String err = new String(p.getErrorStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(p.waitFor()).isEqualTo(1);
        assertThat(err.lines().filter(l -> !l.startsWith("WARNING")).toList()).containsExactly("The JVM's TLS settings could not be loaded "
                + "(keystore password was incorrect); check javax.net.ssl.keyStore, trustStore and their passwords in AIRLOCK_JAVA_OPTS.");
    }

    @Test
    void aGatewayCertificateTheJvmDoesNotTrustIsOneSentence() throws Exception {
        try (var gw = new dev.airlock.ingress.TestGateway(dev.airlock.ingress.TestGateway.YAML.replace("server: { port: 0, max_body_bytes: 65536 }",
                "server: { port: 0, max_body_bytes: 65536, tls: { cert_file: \"%s\", key_file: \"%s\" } }".formatted(
                        dev.airlock.testing.TestTls.file("cert.pem"), dev.airlock.testing.TestTls.file("key.pem"))))) {
            String url = "https://localhost:" + gw.port();
            Run r = run(new KeysCommand(), Map.of("AIRLOCK_MASTER_KEY", "m"), "list", "--url", url);
            assertThat(r.code()).isEqualTo(1);
            assertThat(r.err().strip()).isEqualTo("Airlock at " + url + " presented a certificate this JVM does not trust; give it the CA that signed it, "
                    + "e.g. AIRLOCK_JAVA_OPTS=\"-Djavax.net.ssl.trustStore=CA.p12 -Djavax.net.ssl.trustStorePassword=...\".");
        }
    }

    @Test
    void aSignInTokenIsSentInsteadOfTheMasterKeyAndNamedWhenRefused() throws Exception {
        java.util.List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        com.sun.net.httpserver.HttpServer server = com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", ex -> {
            seen.add(ex.getRequestHeaders().getFirst("authorization"));
            byte[] body = "{\"error\":{\"message\":\"Airlock refused the sign-in token: Expired JWT.\",\"type\":\"authentication_error\",\"code\":\"invalid_api_key\"}}"
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("content-type", "application/json");
            ex.sendResponseHeaders(401, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        server.start();
        try {
            String url = "http://127.0.0.1:" + server.getAddress().getPort();
            Run r = run(new KeysCommand(), Map.of("AIRLOCK_ADMIN_TOKEN", "eyJ.a.b", "AIRLOCK_MASTER_KEY", "m"), "list", "--url", url);
            assertThat(seen).containsExactly("Bearer eyJ.a.b");
            assertThat(r.code()).isEqualTo(1);
            assertThat(r.err().strip()).isEqualTo("Airlock at " + url + " refused the sign-in token in AIRLOCK_ADMIN_TOKEN (401): Airlock refused the sign-in token: Expired JWT.");
            run(new KeysCommand(), Map.of("AIRLOCK_MASTER_KEY", "m"), "list", "--url", url);
            assertThat(seen).last().isEqualTo("Bearer m");
        } finally {
            server.stop(0);
        }
    }

    @Test
    void errorAnswersBecomeTheServersSentence() {
        URI base = URI.create("http://gw:4000");
        AdminClient.Call call = AdminClient.Call.get("/admin/keys", Map.of("tenant", "x"));
        String validation = "{\"error\":{\"message\":\"'rpm' must be a whole number, not a string.\",\"type\":\"invalid_request_error\",\"code\":\"invalid_request\",\"param\":\"rpm\"}}";
        assertThat(AdminClient.errorSentence(400, validation, base, call)).isEqualTo("'rpm' must be a whole number, not a string.");
        String unauthorized = "{\"error\":{\"message\":\"The admin API needs the master key as 'Authorization: Bearer <key>'.\",\"type\":\"authentication_error\",\"code\":\"invalid_api_key\",\"param\":null}}";
        assertThat(AdminClient.errorSentence(401, unauthorized, base, call)).isEqualTo("Airlock at http://gw:4000 refused the master key (401): "
                + "The admin API needs the master key as 'Authorization: Bearer <key>'. Check that AIRLOCK_MASTER_KEY matches the server's admin.master_key.");
        String noCertificate = "{\"error\":{\"message\":\"This listener requires a client certificate.\",\"type\":\"authentication_error\",\"code\":\"client_certificate_required\",\"param\":null}}";
        assertThat(AdminClient.errorSentence(401, noCertificate, base, call)).isEqualTo("Airlock at http://gw:4000 requires a client certificate (401); "
                + "give the JVM one, e.g. AIRLOCK_JAVA_OPTS=\"-Djavax.net.ssl.keyStore=FILE.p12 -Djavax.net.ssl.keyStorePassword=...\".");
        assertThat(AdminClient.errorSentence(503, "{\"error\":{\"message\":\"The store is unreachable; try again shortly.\"}}", base, call))
                .isEqualTo("The store is unreachable; try again shortly. (HTTP 503)");
        assertThat(AdminClient.errorSentence(404, "<html>nope</html>", base, call))
                .isEqualTo("Airlock at http://gw:4000 has no /admin/keys (404); is the admin API enabled in this version?");
        assertThat(AdminClient.errorSentence(502, "", base, call)).isEqualTo("Airlock at http://gw:4000 answered GET /admin/keys with HTTP 502.");
    }

    /** Real answers from the admin API, printed by each command. */
    @Test
    void answersPrintAsTables() throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2026-11-20T12:00:00Z"));
        Vocabulary vocab = new Vocabulary(List.of("public", "internal", "confidential"), Set.of("general-tasks", "sensitive-tasks"));
        try (Store store = Store.open(TestDatabases.fresh(TestDatabases.Kind.H2, dir))) {
            SpendStore spend = new SpendStore(store, clock);
            AdminApi api = new AdminApi(new KeyStore(store, vocab, clock), new TenantStore(store, vocab, clock), spend, new dev.airlock.identity.keys.AuditTrail(store), null, clock);

            JsonNode tenant = api.createTenant(AdminApiJson.parse("{'name':'payments','default_level':'confidential','routes':['general-tasks'],"
                    + "'budget_usd_month':5000,'rpm':600,'tpm':2000000,'max_in_flight':8,'end_user_rpm':20}"), ADMIN);
            assertThat(render(new TenantsCommand.CreateTenant(), tenant)).isEqualTo("""
                    Created tenant payments.
                      default level     confidential
                      routes            general-tasks
                      rpm               600
                      tpm               2,000,000
                      max in flight     8
                      zones             (any)
                      each end user     20 rpm
                      licenses          (any)
                      networks          (any)
                      ledger keeps      ledger.retention_days
                      budget            $5,000.00 a month
                      spent this month  $0.00
                      answer cache      may keep its answers
                      created           2026-11-20 12:00
                      updated           2026-11-20 12:00
                    """);
            api.createTenant(AdminApiJson.parse("{'name':'search'}"), ADMIN);

            JsonNode created = api.createKey(AdminApiJson.parse("{'tenant':'payments','name':'ci','rpm':60,'budget_usd_month':12.5,'max_in_flight':4,'expires_at':'2026-12-31',"
                    + "'client_identity':'spiffe://bank.example/ns/ci/sa/bot','networks':['10.20.0.0/16','fd00:1::/64']}"), ADMIN);
            String id = created.get("id").asText(), key = created.get("key").asText();
            assertThat(render(new KeysCommand.CreateKey(), created)).isEqualTo(("""
                    Created key ID for tenant payments:

                        KEY

                    Store it now: Airlock keeps only its hash and cannot show it again.

                      name           ci
                      routes         (all)
                      floor          -
                      rpm            60
                      tpm            -
                      budget         $12.50 a month
                      max in flight  4
                      expires        2027-01-01 00:00
                      client         spiffe://bank.example/ns/ci/sa/bot
                      networks       10.20.0.0/16,fd00:1::/64
                    """).replace("ID", id).replace("KEY", key));
            clock.advance(Duration.ofMinutes(5));
            String other = api.createKey(AdminApiJson.parse("{'tenant':'search','routes':['sensitive-tasks']}"), ADMIN).get("id").asText();
            spend.record(new SpendRow("r1", "payments", id, "general-tasks", "review", "claude-bedrock", 1234.5, false, clock.instant()));
            spend.record(new SpendRow("r2", "payments", id, "general-tasks", null, "glm5-onprem", 0.000042, true, clock.instant()));
            spend.record(new SpendRow("r3", "search", other, "sensitive-tasks", "summarize", "glm5-onprem", 0.25, true, clock.instant()));

            assertThat(render(new KeysCommand.ListKeys(), api.listKeys(null))).isEqualTo(("""
                    ID                NAME  TENANT    STATUS  ROUTES           FLOOR  RPM  TPM  BUDGET/MONTH  SPENT THIS MONTH  EXPIRES           CREATED           CLIENT
                    AAAAAAAAAAAAAAAA  ci    payments  active  (all)            -       60    -        $12.50         $1,234.50  2027-01-01 00:00  2026-11-20 12:00  spiffe://bank.example/ns/ci/sa/bot
                    BBBBBBBBBBBBBBBB  -     search    active  sensitive-tasks  -        -    -             -             $0.25  -                 2026-11-20 12:05  -
                    """).replace("AAAAAAAAAAAAAAAA", id).replace("BBBBBBBBBBBBBBBB", other));
            KeysCommand.ListKeys none = new KeysCommand.ListKeys();
            none.tenant = "nobody";
            assertThat(render(none, Json.MAPPER.readTree("{\"object\":\"list\",\"data\":[]}"))).isEqualTo("Tenant nobody has no keys.\n");

            assertThat(render(new TenantsCommand.ListTenants(), api.listTenants())).isEqualTo("""
                    NAME      LEVEL         ROUTES         RPM        TPM  BUDGET/MONTH  SPENT THIS MONTH  UPDATED
                    payments  confidential  general-tasks  600  2,000,000     $5,000.00         $1,234.50  2026-11-20 12:00
                    search    public        (all)            -          -             -             $0.25  2026-11-20 12:00
                    """);

            clock.advance(Duration.ofMinutes(1));
            assertThat(render(new TenantsCommand.UpdateTenant(), api.patchTenant("search", AdminApiJson.parse("{'rpm':30}"), ADMIN))).startsWith("""
                    Updated tenant search.
                      default level     public
                      routes            (all)
                      rpm               30
                    """);

            assertThat(render(new SpendCommand(), api.spend("deployment", "24h"))).isEqualTo("""
                    Spend by deployment from 2026-11-19 12:06 to 2026-11-20 12:06 UTC:

                    DEPLOYMENT      REQUESTS       COST  ESTIMATED
                    claude-bedrock         1  $1,234.50       0.0%
                    glm5-onprem            2      $0.25     100.0%
                    TOTAL                  3  $1,234.75       0.0%

                    ESTIMATED: share of the cost computed from estimated tokens (the upstream reported no usage).
                    """);
            assertThat(render(new SpendCommand(), api.spend("task", "2026-12-01"))).isEqualTo("""
                    Spend by task from 2026-12-01 00:00 to 2026-11-20 12:06 UTC:
                      nothing recorded.
                    """);

            JsonNode rotated = api.rotateKey(id, AdminApiJson.parse("{'grace':'24h'}"), ADMIN);
            assertThat(render(new KeysCommand.RotateKey(), rotated)).isEqualTo(("""
                    Rotated key ID of tenant payments; its new secret:

                        KEY

                    Store it now: Airlock keeps only its hash and cannot show it again.
                    The previous secret works until 2026-11-21 12:06 UTC.
                    """).replace("ID", id).replace("KEY", rotated.get("key").asText()));
            assertThat(render(new KeysCommand.RevokeKey(), api.deleteKey(id, ADMIN)))
                    .isEqualTo("Revoked key " + id + " (ci) of tenant payments at 2026-11-20 12:06 UTC.\n");

            AuditCommand audit = new AuditCommand();
            audit.target = "search";
            assertThat(render(audit, api.audit(Map.of("since", "1h", "target", "search")))).isEqualTo("""
                    AT (UTC)             ACTION         TARGET  BY                  FROM       DETAILS
                    2026-11-20 12:06:00  tenant.update  search  test administrator  127.0.0.1  rpm -→30
                    2026-11-20 12:00:00  tenant.create  search  test administrator  127.0.0.1  default_level=public
                    """);
            assertThat(render(new AuditCommand(), api.audit(Map.of("limit", "1")))).contains("key.revoke", id, "tenant=payments, name=ci")
                    .endsWith("(more changes before these: use --limit or --since)\n");
            assertThat(api.audit(Map.of("target", "search", "limit", "2")).path("has_more").asBoolean()).as("exactly two, none more").isFalse();
            assertThat(api.audit(Map.of("target", "search", "limit", "1")).path("has_more").asBoolean()).isTrue();
            audit.target = "nobody";
            assertThat(render(audit, api.audit(Map.of("target", "nobody")))).isEqualTo("No changes since 2026-10-21 12:06 UTC to nobody.\n");
        }
    }

    @Test
    void requestsFindsALedgerEventByIdOrTraceAndPrintsIt() throws Exception {
        AdminCommand byId = parse(new RequestsCommand(), "--id", "req-7");
        assertThat(byId.request()).isEqualTo(new AdminClient.Call("GET", "/admin/requests?request_id=req-7&limit=100", null));
        assertThat(parse(new RequestsCommand(), "--trace", "4bf92f3577b34da6a3ce929d0e0e4736", "--limit", "5").request().path())
                .isEqualTo("/admin/requests?trace_id=4bf92f3577b34da6a3ce929d0e0e4736&limit=5");
        assertThatThrownBy(() -> parse(new RequestsCommand(), "--id", "a", "--trace", "b")).isInstanceOf(CommandLine.ParameterException.class);
        assertThatThrownBy(() -> parse(new RequestsCommand())).isInstanceOf(CommandLine.ParameterException.class);

        JsonNode answer = AdminApiJson.parse("""
                {'data':[{'request_id':'req-7','started_at':'2026-11-20T12:06:01.250Z','status':499,'route':'local','deployment':'glm5-onprem',
                 'zone':'on-prem','classification':'confidential','input_tokens':1250,'output_tokens':0,'tokens_estimated':true,'cost_usd':0.00125,
                 'total_us':2400500,'error_code':null}],'has_more':false}
                """);
        assertThat(render(byId, answer)).isEqualTo("""
                STARTED (UTC)        REQUEST  STATUS  ROUTE  DEPLOYMENT   ZONE     LEVEL         TOKENS IN/OUT  COST      TOTAL MS  ERROR
                2026-11-20 12:06:01  req-7    499     local  glm5-onprem  on-prem  confidential  1,250/0 est.   $0.00125  2401      -
                """);
        assertThat(render(byId, AdminApiJson.parse("{'data':[],'has_more':false}"))).startsWith("The ledger has no request with id req-7 ");
    }

    static String render(AdminCommand c, JsonNode answer) {
        StringWriter sw = new StringWriter();
        PrintWriter pw = new PrintWriter(sw);
        c.render(answer, pw);
        pw.flush();
        return sw.toString().replace(System.lineSeparator(), "\n");
    }

    /** JSON with single quotes, for readable fixtures. */
    static final class AdminApiJson {
        static com.fasterxml.jackson.databind.node.ObjectNode parse(String s) throws Exception {
            return (com.fasterxml.jackson.databind.node.ObjectNode) Json.MAPPER.readTree(s.replace('\'', '"'));
        }
    }
}
