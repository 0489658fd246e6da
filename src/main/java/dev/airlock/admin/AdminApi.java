package dev.airlock.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.config.Suggest;
import dev.airlock.core.AirlockException;
import dev.airlock.core.ErrorKind;
import dev.airlock.core.Networks;
import dev.airlock.identity.keys.Actor;
import dev.airlock.identity.keys.AuditTrail;
import dev.airlock.identity.keys.KeyCache;
import dev.airlock.identity.keys.KeyRecord;
import dev.airlock.identity.keys.KeyStore;
import dev.airlock.identity.keys.SpendStore;
import dev.airlock.identity.keys.TenantRecord;
import dev.airlock.identity.keys.TenantStore;
import dev.airlock.identity.keys.VirtualKeys;
import dev.airlock.identity.keys.Vocabulary;
import dev.airlock.policy.limits.Micros;
import dev.airlock.store.Store;
import dev.airlock.wire.Json;
import java.sql.SQLException;
import java.sql.SQLTransientException;
import java.time.Clock;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin API's logic, with no HTTP: each method takes a parsed body or query parameters and
 * returns the JSON answer, or throws an {@link AirlockException} (400 naming the field, 404, 409, 503
 * when the store is unreachable). Never returns a key hash; returns a key's plaintext only from
 * {@link #createKey}, once.
 *
 * <p>Every method blocks on JDBC: call it from a worker thread (e.g. {@code vertx.executeBlocking} or
 * {@link Store#executor()}), never from an event loop.
 */
public final class AdminApi {
    private static final Logger LOG = LoggerFactory.getLogger(AdminApi.class);
    static final List<String> KEY_FIELDS = List.of("tenant", "name", "routes", "classification_floor", "expires_at", "rpm", "tpm", "budget_usd_month", "client_identity", "max_in_flight", "networks");
    static final List<String> TENANT_FIELDS = List.of("name", "default_level", "routes", "budget_usd_month", "rpm", "tpm", "cache_answers", "max_in_flight", "zones",
            "end_user_rpm", "end_user_tpm", "end_user_budget_usd_month", "licenses", "networks", "retention_days");
    static final List<String> TENANT_PATCH_FIELDS = List.of("default_level", "routes", "budget_usd_month", "rpm", "tpm", "cache_answers", "max_in_flight", "zones",
            "end_user_rpm", "end_user_tpm", "end_user_budget_usd_month", "licenses", "networks", "retention_days");
    static final List<String> SPEND_PARAMS = List.of("group_by", "since", "tenant");
    static final List<String> ROTATE_FIELDS = List.of("grace");
    static final List<String> AUDIT_PARAMS = List.of("since", "target", "limit");

    private final KeyStore keys;
    private final TenantStore tenants;
    private final SpendStore spend;
    private final AuditTrail audit;
    private final KeyCache cache;
    private final Clock clock;

    /**
     * @param cache this replica's key cache, emptied of a key when it is revoked here; may be null
     */
    public AdminApi(KeyStore keys, TenantStore tenants, SpendStore spend, AuditTrail audit, KeyCache cache, Clock clock) {
        this.keys = keys;
        this.tenants = tenants;
        this.spend = spend;
        this.audit = audit;
        this.cache = cache;
        this.clock = clock;
    }

    /** The admin API over {@code store}, checking names against {@code vocab} (the config's levels and routes). */
    public static AdminApi open(Store store, Vocabulary vocab, KeyCache cache) {
        return new AdminApi(new KeyStore(store, vocab), new TenantStore(store, vocab), new SpendStore(store), new AuditTrail(store), cache, Clock.systemUTC());
    }

    // ---- keys ------------------------------------------------------------------------------------

    /**
     * {@code POST /admin/keys}: {@code tenant} (required), {@code name}, {@code routes} (array),
     * {@code classification_floor}, {@code expires_at} (date or ISO-8601 time), {@code rpm}, {@code tpm},
     * {@code budget_usd_month}, {@code client_identity} (the client certificate the key must arrive
     * with: a URI or DNS name of it, or its subject), {@code max_in_flight} (its requests at once in each
     * replica), {@code networks} (the client networks it may be used from: CIDR blocks or addresses). The answer is the key's record plus {@code key},
     * the plaintext, shown this once.
     */
    public ObjectNode createKey(JsonNode body, Actor actor) {
        Body b = new Body(body, "key", KEY_FIELDS);
        String tenant = b.text("tenant");
        if (tenant == null) throw new AirlockException(ErrorKind.MISSING_FIELD, "'tenant' is required: the tenant the key belongs to.", "tenant");
        KeyStore.Created created = db(() -> keys.create(new KeyStore.KeySpec(tenant, b.text("name"), b.strings("routes"), b.text("classification_floor"),
                b.endTime("expires_at"), b.integer("rpm"), b.whole("tpm"), b.number("budget_usd_month"), b.text("client_identity"),
                b.integer("max_in_flight"), b.networks("networks")), actor));
        ObjectNode out = Json.object();
        out.put("key", created.plaintext());
        out.setAll(keyJson(created.record(), 0L, clock.instant()));
        out.put("note", "Store this key now: Airlock keeps only its hash and cannot show it again.");
        return out;
    }

    /**
     * {@code POST /admin/keys/{id}/rotate}: a new secret for the key, which keeps its id, limits,
     * budget and spend; {@code grace} (default {@code 24h}, {@code 0} to {@code 30d}) is how long the
     * previous secret keeps working. The answer is the key's record plus {@code key}, the new secret,
     * shown this once.
     */
    public ObjectNode rotateKey(String id, JsonNode body, Actor actor) {
        Body b = new Body(body == null || body.isMissingNode() || body.isNull() ? Json.object() : body, "key rotation", ROTATE_FIELDS);
        String grace = b.text("grace");
        java.time.Duration span = dev.airlock.core.Since.span("grace", grace == null ? "24h" : grace);
        KeyStore.Created rotated = db(() -> keys.rotate(id, span, actor)).orElseThrow(() -> noSuchKey(id));
        if (span.isZero() && cache != null) cache.invalidate(id);
        ObjectNode out = Json.object();
        out.put("key", rotated.plaintext());
        out.setAll(keyJson(rotated.record(), null, clock.instant()));
        out.put("note", "Store this key now: Airlock keeps only its hash and cannot show it again. "
                + (span.isZero() ? "The previous secret no longer works." : "The previous secret works until " + rotated.record().previousSecretUntil() + "."));
        return out;
    }

    /** {@code GET /admin/keys[?tenant=T]}: every key (revoked and expired ones too, with their status), oldest first. */
    public ObjectNode listKeys(String tenant) {
        if (tenant != null) requireTenant(tenant);
        Instant now = clock.instant();
        List<KeyRecord> list = db(() -> keys.list(tenant));
        Map<String, Long> spent = spentThisMonth(SpendStore.GroupBy.KEY, now);
        ObjectNode out = Json.object();
        out.put("object", "list");
        ArrayNode data = out.putArray("data");
        for (KeyRecord k : list) data.add(keyJson(k, spent.getOrDefault(k.id(), 0L), now));
        return out;
    }

    /** {@code GET /admin/keys/{id}}. */
    public ObjectNode getKey(String id) {
        Instant now = clock.instant();
        KeyRecord k = db(() -> keys.get(id)).orElseThrow(() -> noSuchKey(id));
        return keyJson(k, db(() -> spend.spentMicros(SpendStore.Scope.key(k.id()), YearMonth.from(now.atZone(ZoneOffset.UTC)).toString())), now);
    }

    /**
     * {@code DELETE /admin/keys/{id}}: revokes the key (the row stays, for spend reports). This
     * replica refuses it at once; the others within their key cache's TTL.
     */
    public ObjectNode deleteKey(String id, Actor actor) {
        KeyRecord k = db(() -> keys.revoke(id, actor)).orElseThrow(() -> noSuchKey(id));
        if (cache != null) cache.invalidate(id);
        ObjectNode out = keyJson(k, null, clock.instant());
        out.put("deleted", true);
        return out;
    }

    // ---- tenants ---------------------------------------------------------------------------------

    /**
     * {@code POST /admin/tenants}: {@code name} (required), {@code default_level} (default: the lowest
     * level), {@code routes}, {@code budget_usd_month}, {@code rpm}, {@code tpm}, {@code cache_answers}
     * (default true), {@code max_in_flight}, {@code zones} (the zones its data is pinned to), {@code end_user_rpm}
     * and {@code end_user_tpm} (what each end user its requests name may use a minute), {@code end_user_budget_usd_month}
     * (what each may spend a month), {@code licenses} (of the
     * models it may use), {@code networks} (the client networks its requests may come from), {@code retention_days} (how long the ledger keeps
     * its events). 409 if it exists.
     */
    public ObjectNode createTenant(JsonNode body, Actor actor) {
        Body b = new Body(body, "tenant", TENANT_FIELDS);
        String name = b.text("name");
        if (name == null) throw new AirlockException(ErrorKind.MISSING_FIELD, "'name' is required: the tenant's name.", "name");
        TenantRecord t = db(() -> tenants.insert(TenantRecord.of(name, b.text("default_level"), b.strings("routes"),
                b.number("budget_usd_month"), b.integer("rpm"), b.whole("tpm"), !Boolean.FALSE.equals(b.bool("cache_answers"))).withMaxInFlight(b.integer("max_in_flight")).withAllowedZones(b.strings("zones"))
                .withEndUserLimits(b.integer("end_user_rpm"), b.whole("end_user_tpm")).withEndUserBudget(b.number("end_user_budget_usd_month")).withAllowedLicenses(b.strings("licenses")).withNetworks(b.networks("networks"))
                .withRetentionDays(b.integer("retention_days")), actor));
        return tenantJson(t, 0L);
    }

    /** {@code GET /admin/tenants}: every tenant by name, with its spend this month. */
    public ObjectNode listTenants() {
        List<TenantRecord> list = db(tenants::list);
        Map<String, Long> spent = spentThisMonth(SpendStore.GroupBy.TENANT, clock.instant());
        ObjectNode out = Json.object();
        out.put("object", "list");
        ArrayNode data = out.putArray("data");
        for (TenantRecord t : list) data.add(tenantJson(t, spent.getOrDefault(t.name(), 0L)));
        return out;
    }

    /** {@code GET /admin/tenants/{name}}. */
    public ObjectNode getTenant(String name) {
        TenantRecord t = requireTenant(name);
        String month = YearMonth.from(clock.instant().atZone(ZoneOffset.UTC)).toString();
        return tenantJson(t, db(() -> spend.spentMicros(SpendStore.Scope.tenant(name), month)));
    }

    /**
     * {@code PATCH /admin/tenants/{name}}: a JSON merge patch. Fields present change; {@code null}
     * clears a limit ({@code routes: null} allows every route); absent fields stay.
     */
    public ObjectNode patchTenant(String name, JsonNode body, Actor actor) {
        Body b = new Body(body, "tenant change", TENANT_PATCH_FIELDS);
        if (b.isNull("default_level")) {
            throw Body.invalid("default_level", "'default_level' cannot be cleared: every tenant starts its requests at some level.");
        }
        if (b.isNull("cache_answers")) throw Body.invalid("cache_answers", "'cache_answers' is true or false; it cannot be cleared.");
        Boolean cacheAnswers = b.bool("cache_answers");
        String level = b.text("default_level");
        List<String> routes = b.strings("routes");
        Double budget = b.number("budget_usd_month");
        Integer rpm = b.integer("rpm");
        Long tpm = b.whole("tpm");
        Integer maxInFlight = b.integer("max_in_flight");
        List<String> zones = b.strings("zones");
        Integer userRpm = b.integer("end_user_rpm");
        Long userTpm = b.whole("end_user_tpm");
        Double userBudget = b.number("end_user_budget_usd_month");
        List<String> licenses = b.strings("licenses");
        Networks networks = b.networks("networks");
        Integer retentionDays = b.integer("retention_days");
        TenantRecord t = db(() -> tenants.patch(name, cur -> {
            TenantRecord n = cur;
            if (b.has("default_level")) n = n.withDefaultLevel(level);
            if (b.has("routes")) n = n.withAllowedRoutes(routes);
            if (b.has("budget_usd_month")) n = n.withBudgetUsdMonth(budget);
            if (b.has("rpm")) n = n.withRpm(rpm);
            if (b.has("tpm")) n = n.withTpm(tpm);
            if (b.has("max_in_flight")) n = n.withMaxInFlight(maxInFlight);
            if (b.has("zones")) n = n.withAllowedZones(zones);
            if (b.has("end_user_rpm")) n = n.withEndUserLimits(userRpm, n.endUserTpm());
            if (b.has("end_user_tpm")) n = n.withEndUserLimits(n.endUserRpm(), userTpm);
            if (b.has("end_user_budget_usd_month")) n = n.withEndUserBudget(userBudget);
            if (b.has("licenses")) n = n.withAllowedLicenses(licenses);
            if (b.has("networks")) n = n.withNetworks(networks);
            if (b.has("retention_days")) n = n.withRetentionDays(retentionDays);
            if (cacheAnswers != null) n = n.withCacheAnswers(cacheAnswers);
            return n;
        }, actor)).orElseThrow(() -> noSuchTenant(name));
        String month = YearMonth.from(clock.instant().atZone(ZoneOffset.UTC)).toString();
        return tenantJson(t, db(() -> spend.spentMicros(SpendStore.Scope.tenant(name), month)));
    }

    // ---- audit trail -----------------------------------------------------------------------------

    /**
     * {@code GET /admin/audit?since=30d&target=…&limit=100}: the administrative changes, newest first;
     * {@code since} as for spend, {@code target} a key id or tenant name, {@code limit} 1 to
     * {@value AuditTrail#MAX_LIMIT}.
     */
    public ObjectNode audit(Map<String, String> query) {
        requireKnown(query, AUDIT_PARAMS, "/admin/audit");
        Instant now = clock.instant();
        String since = query.get("since"), target = query.get("target");
        Instant from = parseSince(since == null || since.isEmpty() ? "30d" : since, now);
        if (target != null && target.isEmpty()) target = null;
        int limit = 100;
        if (query.get("limit") != null) {
            try {
                limit = Integer.parseInt(query.get("limit"));
            } catch (NumberFormatException e) {
                limit = -1;
            }
            if (limit < 1 || limit > AuditTrail.MAX_LIMIT) {
                throw new AirlockException(ErrorKind.INVALID_REQUEST, "'limit' must be a whole number from 1 to " + AuditTrail.MAX_LIMIT + "; got '"
                        + Body.printable(query.get("limit")) + "'.", "limit");
            }
        }
        int n = limit;
        String of = target;
        // one more than asked, to know whether there are more
        List<AuditTrail.Event> read = db(() -> audit.since(from, of, n + 1));
        List<AuditTrail.Event> events = read.subList(0, Math.min(n, read.size()));
        ObjectNode out = Json.object();
        out.put("object", "list");
        out.put("since", from.toString());
        ArrayNode data = out.putArray("data");
        for (AuditTrail.Event e : events) {
            ObjectNode o = data.addObject();
            o.put("id", e.id());
            o.put("at", e.at().toString());
            o.put("action", e.action());
            o.put("target", e.target());
            o.put("actor", e.actor());
            o.put("address", e.address());
            o.put("request_id", e.requestId());
            o.set("details", e.details());
        }
        out.put("has_more", read.size() > n);
        return out;
    }

    private static void requireKnown(Map<String, String> query, List<String> known, String path) {
        for (String p : query.keySet()) {
            if (!known.contains(p)) {
                String c = Suggest.closest(p, known);
                throw new AirlockException(ErrorKind.INVALID_REQUEST, "Unknown query parameter '" + Body.printable(p) + "' for " + path
                        + (c == null ? "." : "; did you mean '" + c + "'?") + " The parameters are: " + String.join(", ", known) + ".", p);
            }
        }
    }

    // ---- spend -----------------------------------------------------------------------------------

    /** {@code GET /admin/spend?group_by=…&since=…} from the raw query parameters; unknown ones are a 400. */
    public ObjectNode spend(Map<String, String> query) {
        requireKnown(query, SPEND_PARAMS, "/admin/spend");
        String tenant = query.get("tenant");
        if (tenant != null && !tenant.isEmpty()) requireTenant(tenant);
        return spend(query.get("group_by"), query.get("since"), tenant == null || tenant.isEmpty() ? null : tenant);
    }

    /**
     * Spend grouped by {@code tenant} (default), {@code key}, {@code route}, {@code task} or
     * {@code deployment}, since {@code 30d} (default), {@code 24h}, {@code 90m}, a date or an ISO-8601 time.
     */
    public ObjectNode spend(String groupBy, String since) {
        return spend(groupBy, since, null);
    }

    /** The same, of {@code tenant}'s spend only when it is not null. */
    public ObjectNode spend(String groupBy, String since, String tenant) {
        SpendStore.GroupBy by = SpendStore.GroupBy.parse(groupBy == null || groupBy.isEmpty() ? "tenant" : groupBy);
        Instant now = clock.instant();
        Instant from = parseSince(since == null || since.isEmpty() ? "30d" : since, now);
        List<SpendStore.Row> rows = db(() -> spend.report(by, from, tenant));
        ObjectNode out = Json.object();
        out.put("object", "spend_report");
        out.put("group_by", by.wire());
        if (tenant != null) out.put("tenant", tenant);
        out.put("since", from.toString());
        out.put("until", now.toString());
        long requests = 0, cost = 0, estimated = 0;
        ArrayNode data = out.putArray("data");
        for (SpendStore.Row r : rows) {
            ObjectNode o = data.addObject();
            o.put("group", r.group());
            o.put("requests", r.requests());
            o.put("cost_usd", r.costUsd());
            o.put("estimated_requests", r.estimatedRequests());
            o.put("estimated_cost_usd", r.estimatedCostUsd());
            o.put("estimated_share", r.estimatedShare());
            requests += r.requests();
            cost += r.costMicros();
            estimated += r.estimatedCostMicros();
        }
        out.put("total_requests", requests);
        out.put("total_cost_usd", Micros.usd(cost));
        out.put("total_estimated_cost_usd", Micros.usd(estimated));
        return out;
    }

    /**
     * {@code 30d}, {@code 24h}, {@code 90m} (that long before {@code now}), a date {@code 2026-11-01}
     * (its start, UTC) or an ISO-8601 time; anything else is a 400 naming {@code since}.
     */
    /** See {@link dev.airlock.core.Since#parse}. */
    public static Instant parseSince(String since, Instant now) {
        return dev.airlock.core.Since.parse(since, now);
    }

    // ---- JSON ------------------------------------------------------------------------------------

    static ObjectNode keyJson(KeyRecord k, Long spentMicros, Instant now) {
        ObjectNode o = Json.object();
        o.put("id", k.id());
        o.put("object", "key");
        o.put("name", k.name());
        o.put("tenant", k.tenant());
        o.put("status", k.status(now).name().toLowerCase(java.util.Locale.ROOT));
        putNames(o, "routes", k.allowedRoutes());
        o.put("classification_floor", k.classificationFloor());
        o.put("expires_at", time(k.expiresAt()));
        o.put("rpm", k.rpm());
        o.put("tpm", k.tpm());
        o.put("budget_usd_month", k.budgetUsdMonth());
        o.put("max_in_flight", k.maxInFlight());
        o.put("client_identity", k.clientBinding() == null ? null : k.clientBinding().text());
        putNames(o, "networks", k.networks().text());
        o.put("previous_secret_expires_at", k.previousSecretUntil() != null && k.previousSecretUntil().isAfter(now) ? time(k.previousSecretUntil()) : null);
        if (spentMicros != null) o.put("spent_usd_month", Micros.usd(spentMicros));
        o.put("created_at", time(k.createdAt()));
        o.put("revoked_at", time(k.revokedAt()));
        return o;
    }

    static ObjectNode tenantJson(TenantRecord t, Long spentMicros) {
        ObjectNode o = Json.object();
        o.put("name", t.name());
        o.put("object", "tenant");
        o.put("default_level", t.defaultLevel());
        putNames(o, "routes", t.allowedRoutes());
        o.put("budget_usd_month", t.budgetUsdMonth());
        o.put("rpm", t.rpm());
        o.put("tpm", t.tpm());
        o.put("cache_answers", t.cacheAnswers());
        o.put("max_in_flight", t.maxInFlight());
        putNames(o, "zones", t.allowedZones());
        o.put("end_user_rpm", t.endUserRpm());
        o.put("end_user_tpm", t.endUserTpm());
        o.put("end_user_budget_usd_month", t.endUserBudgetUsdMonth());
        putNames(o, "licenses", t.allowedLicenses());
        putNames(o, "networks", t.networks().text());
        o.put("retention_days", t.retentionDays());
        if (spentMicros != null) o.put("spent_usd_month", Micros.usd(spentMicros));
        o.put("created_at", time(t.createdAt()));
        o.put("updated_at", time(t.updatedAt()));
        return o;
    }

    /** An empty list means every one (route, zone): written as null so nobody reads it as "none". */
    private static void putNames(ObjectNode o, String field, List<String> names) {
        if (names.isEmpty()) o.putNull(field);
        else names.forEach(o.putArray(field)::add);
    }

    private static String time(Instant t) {
        return t == null ? null : t.toString();
    }

    // ---- helpers ---------------------------------------------------------------------------------

    private Map<String, Long> spentThisMonth(SpendStore.GroupBy by, Instant now) {
        Instant monthStart = YearMonth.from(now.atZone(ZoneOffset.UTC)).atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant();
        Map<String, Long> out = new HashMap<>();
        for (SpendStore.Row r : db(() -> spend.report(by, monthStart))) out.put(r.group(), r.costMicros());
        return out;
    }

    private TenantRecord requireTenant(String name) {
        return db(() -> tenants.get(name)).orElseThrow(() -> noSuchTenant(name));
    }

    private AirlockException noSuchTenant(String name) {
        List<String> names = db(tenants::list).stream().map(TenantRecord::name).toList();
        String c = Suggest.closest(name, names);
        return new AirlockException(ErrorKind.NOT_FOUND, "There is no tenant named '" + Body.printable(name) + "'"
                + (c != null ? "; did you mean '" + c + "'?" : names.isEmpty() ? "; there are no tenants yet." : "."), "tenant");
    }

    private static AirlockException noSuchKey(String id) {
        return new AirlockException(ErrorKind.NOT_FOUND, "There is no key with id '" + Body.printable(id) + "'"
                + (VirtualKeys.isKeyId(id) ? "." : "; key ids look like key_0123456789ab (GET /admin/keys lists them)."), "id");
    }

    @FunctionalInterface
    private interface StoreCall<T> {
        T run() throws SQLException;
    }

    /** Runs a store call, turning database failures into 503 (unreachable) or 500 answers logged here once. */
    private static <T> T db(StoreCall<T> call) {
        try {
            return call.run();
        } catch (SQLException e) {
            if (e instanceof SQLTransientException || (e.getSQLState() != null && e.getSQLState().startsWith("08"))) {
                LOG.warn("admin API: the store is unreachable: {}", e.getMessage());
                throw new AirlockException(ErrorKind.NOT_READY, "The store is unreachable; try again shortly.");
            }
            LOG.error("admin API: store operation failed", e);
            throw new AirlockException(ErrorKind.INTERNAL, "The store failed to carry out this change; the operator's log has the details.");
        }
    }

}
