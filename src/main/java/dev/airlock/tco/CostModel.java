package dev.airlock.tco;

import dev.airlock.config.AirlockConfig;
import dev.airlock.config.Deployment;
import dev.airlock.config.Price;
import dev.airlock.policy.Residency;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Turns what the ledger saw ({@link LedgerTraffic}) and what the config says things cost into a
 * {@link TcoReport}. Synchronous, no I/O: the same figures from the same inputs.
 *
 * <p>The formulas, with {@code h} the window's hours and {@code M} = {@value #HOURS_PER_MONTH} hours a month:
 * <ul>
 *   <li>cost = {@code price.hourly_usd} × h + the token cost the ledger recorded (per-token prices);</li>
 *   <li>per month = {@code hourly_usd} × M + token cost ÷ h × M; volumes per month likewise ÷ h × M;</li>
 *   <li>a price at a traffic's mix, in USD per million tokens, with {@code s} its input tokens' share of
 *       all its tokens: s × input price + (1 − s) × output price;</li>
 *   <li>break-even volume of an hourly deployment H against a per-token one A, in millions of tokens a
 *       month: H's {@code hourly_usd} × M ÷ (A's price at the mix − H's own per-token price at the mix),
 *       none when A is not dearer per token. Above it, H's fixed price costs less than A's bill;</li>
 *   <li>an hourly deployment's traffic on an API: its input that its prefix cache served (vLLM reports
 *       it with {@code --enable-prompt-tokens-details}) at the API's cache-read price, the rest at its
 *       input price, its output at its output price; the API's cache writes are not known and not counted;</li>
 *   <li>movable traffic: the tokens whose recorded level residency lets into the other deployment's
 *       zone ({@link Residency#allowsZone(String, String)}, the gateway's own check). Restricted code
 *       that may only stay on-premises is never counted as something an API could have served.</li>
 * </ul>
 * Quality is not priced: a cheaper deployment may answer worse, which the report cannot know.
 */
public final class CostModel {
    public static final int HOURS_PER_MONTH = 730;

    private final AirlockConfig config;
    private final Residency residency;

    public CostModel(AirlockConfig config) {
        this.config = config;
        this.residency = new Residency(config);
    }

    /** What each deployment cost from {@code since} to {@code now}, and what it would have cost elsewhere. */
    public TcoReport report(LedgerTraffic traffic, Instant since, Instant now) {
        Instant from = traffic.firstEvent() == null || traffic.firstEvent().isBefore(since) ? since : traffic.firstEvent();
        double hours = Math.max(Duration.between(from, now).toMillis(), 1) / 3_600_000.0;
        Map<String, Served> served = new LinkedHashMap<>();
        for (Deployment d : config.deployments().values()) served.put(d.id(), new Served(d.id()));
        for (LedgerTraffic.Usage u : traffic.usage()) served.computeIfAbsent(u.deployment(), Served::new).add(u);
        Served all = new Served(null);
        traffic.usage().forEach(all::add);

        Window w = new Window(hours, all);
        List<TcoReport.DeploymentCost> rows = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        for (Served s : served.values()) {
            Deployment d = config.deployments().get(s.id);
            rows.add(d == null ? removed(s, w) : row(d, s, served, w, traffic));
            if (d == null) {
                notes.add(s.id + " is in the ledger but not in the config (removed or renamed): shown with the token cost recorded, no hourly cost and no comparison.");
            } else if (pricing(d.price()).equals("hourly") && s.cacheRead > 0 && !row(rows).againstApis().isEmpty()) {
                notes.add(String.format(Locale.ROOT, "%s's prefix cache served %.1f %% of its input: on an API that part is priced at the API's "
                        + "cache-read price, as its prompt cache would have served it (the writes that fill that cache are not counted).",
                        s.id, 100.0 * s.cacheRead / s.in));
            } else if (pricing(d.price()).equals("none") && s.tokens() > 0) {
                notes.add(s.id + " served " + s.tokens() + " tokens but has no price: they count at $0. Set price.hourly_usd for a deployment paid by the hour "
                        + "(own GPUs, provisioned throughput) or per-token prices for an API.");
            }
        }
        rows.sort(Comparator.comparingDouble(TcoReport.DeploymentCost::costUsd).reversed()
                .thenComparing(Comparator.comparingLong((TcoReport.DeploymentCost r) -> r.inputTokens() + r.outputTokens()).reversed())
                .thenComparing(TcoReport.DeploymentCost::deployment));
        if (from.isAfter(since)) {
            notes.add("The ledger begins at " + from + ", after the window's start: hourly prices are charged from then.");
        }
        if (hours < 24) {
            notes.add("The window holds " + length(hours) + ": monthly figures project them onto " + HOURS_PER_MONTH + " hours.");
        }
        if (config.deployments().values().stream().noneMatch(d -> pricing(d.price()).equals("per_token"))) {
            notes.add("No deployment has per-token prices only: there is no API to compare the hourly ones with.");
        }
        double fixed = rows.stream().mapToDouble(TcoReport.DeploymentCost::fixedCostUsd).sum();
        double tokenCost = all.costMicros / 1e6;
        TcoReport.Totals totals = new TcoReport.Totals(all.requests, all.in, all.out, fixed, tokenCost, fixed + tokenCost);
        return new TcoReport("tco_report", since.toString(), from.toString(), now.toString(), hours, totals, rows, notes);
    }

    private TcoReport.DeploymentCost row(Deployment d, Served s, Map<String, Served> served, Window w, LedgerTraffic traffic) {
        Price p = d.price();
        String pricing = pricing(p);
        double fixed = p.hourlyUsd() * w.hours;
        double tokenCost = s.costMicros / 1e6;
        TcoReport.CapacityUse capacity = null;
        if (d.capacity().declared()) {
            double cap = d.capacity().outputTokensPerSecond();
            double avg = w.perSecond(s.out);
            // a window shorter than an hour holds less than a clock hour: its busiest one is spread over it, not over 3,600 s
            double peak = traffic.peakHourOutputTokens().getOrDefault(d.id(), 0L) / Math.min(3600.0, w.hours * 3600);
            capacity = new TcoReport.CapacityUse(cap, avg, peak, avg / cap, peak / cap,
                    p.hourlyUsd() > 0 ? p.hourlyUsd() / (cap * 3600 / 1e6) : null);
        }
        List<TcoReport.ApiComparison> apis = new ArrayList<>();
        List<TcoReport.HostedComparison> hosted = new ArrayList<>();
        Double mix = w.inputShare(s);
        for (Deployment other : config.deployments().values()) {
            String otherPricing = pricing(other.price());
            // the traffic residency would have let into the other deployment's zone, level by level
            List<LedgerTraffic.Usage> movable = s.levels.values().stream().filter(u -> residency.allowsZone(other.zone(), u.level())).toList();
            if (pricing.equals("hourly") && otherPricing.equals("per_token")) {
                Price op = other.price();
                apis.add(new TcoReport.ApiComparison(other.id(), other.zone(), onApi(op, s.in, s.out, s.cacheRead, s.audioSeconds), s.share(movable),
                        movable.stream().mapToDouble(u -> onApi(op, u.inputTokens(), u.outputTokens(), u.cacheReadTokens(), u.audioSeconds())).sum(),
                        breakEven(p, op, mix), audioBreakEven(p, op)));
            } else if (pricing.equals("per_token") && otherPricing.equals("hourly")) {
                double spend = movable.stream().mapToLong(LedgerTraffic.Usage::costMicros).sum() / 1e6;
                double movableTps = w.perSecond(movable.stream().mapToLong(LedgerTraffic.Usage::outputTokens).sum());
                Double spare = other.capacity().declared()
                        ? other.capacity().outputTokensPerSecond() - w.perSecond(served.get(other.id()).out) : null;
                hosted.add(new TcoReport.HostedComparison(other.id(), other.zone(), s.share(movable), spend, w.perMonth(spend),
                        other.price().hourlyUsd() * HOURS_PER_MONTH, movableTps, spare, spare == null ? null : movableTps <= spare,
                        breakEven(other.price(), p, mix), audioBreakEven(other.price(), p)));
            }
        }
        return new TcoReport.DeploymentCost(d.id(), d.zone(), d.provider().name().toLowerCase(Locale.ROOT), pricing, s.requests, s.in, s.out,
                s.cacheRead, p.hourlyUsd(), fixed, tokenCost, fixed + tokenCost, perMtok(fixed + tokenCost, s.tokens()), w.perMonth(s.tokens() / 1e6),
                p.hourlyUsd() * HOURS_PER_MONTH + w.perMonth(tokenCost), capacity, apis, hosted, s.audioSeconds / 60, w.perMonth(s.audioSeconds / 60));
    }

    private static TcoReport.DeploymentCost row(List<TcoReport.DeploymentCost> rows) {
        return rows.get(rows.size() - 1);
    }

    private static TcoReport.DeploymentCost removed(Served s, Window w) {
        double cost = s.costMicros / 1e6;
        return new TcoReport.DeploymentCost(s.id, null, null, "not_in_config", s.requests, s.in, s.out, s.cacheRead, 0, 0, cost, cost,
                perMtok(cost, s.tokens()), w.perMonth(s.tokens() / 1e6), w.perMonth(cost), null, List.of(), List.of(), s.audioSeconds / 60,
                w.perMonth(s.audioSeconds / 60));
    }

    /**
     * Self-hosted traffic at an API's prices: what the self-hosted prefix cache served ({@code cacheRead})
     * at the API's cache-read price, as the API's prompt cache would have served it, the rest of the
     * input at its input price, and the audio it transcribed at the API's price a minute. The writes
     * that would have filled the API's cache are not known, and are not counted.
     */
    static double onApi(Price api, long in, long out, long cacheRead, double audioSeconds) {
        return api.cost(in, cacheRead, 0, out) + api.audio(audioSeconds);
    }

    /**
     * {@code hourly} if it has an hourly price, else {@code per_token} if it has a token price or a
     * price a minute of audio (an API billed by use), else {@code none}.
     */
    static String pricing(Price p) {
        if (p.hourlyUsd() > 0) return "hourly";
        return p.inputPerMtok() > 0 || p.outputPerMtok() > 0 || p.audioPerMinute() > 0 ? "per_token" : "none";
    }

    /** Minutes of audio a month above which {@code hosted}'s hourly price beats {@code api}'s price a minute; null if the API has none. */
    static Double audioBreakEven(Price hosted, Price api) {
        double extra = api.audioPerMinute() - hosted.audioPerMinute();
        return extra > 0 ? hosted.hourlyUsd() * HOURS_PER_MONTH / extra : null;
    }

    /** Millions of tokens a month above which {@code hosted}'s hourly price beats {@code api}'s token prices; null if never. */
    static Double breakEven(Price hosted, Price api, Double inputShare) {
        if (inputShare == null) return null;
        double apiPerMtok = inputShare * api.inputPerMtok() + (1 - inputShare) * api.outputPerMtok();
        double hostedPerMtok = inputShare * hosted.inputPerMtok() + (1 - inputShare) * hosted.outputPerMtok();
        return apiPerMtok > hostedPerMtok ? hosted.hourlyUsd() * HOURS_PER_MONTH / (apiPerMtok - hostedPerMtok) : null;
    }

    /** {@code hours} in the unit a person would say it in. */
    public static String length(double hours) {
        if (hours >= 1) return String.format(Locale.ROOT, "%.1f hours", hours);
        return hours * 60 >= 1 ? String.format(Locale.ROOT, "%.1f minutes", hours * 60) : String.format(Locale.ROOT, "%.1f seconds", hours * 3600);
    }

    private static Double perMtok(double usd, long tokens) {
        return tokens == 0 ? null : usd / (tokens / 1e6);
    }

    /** The window's length, and the whole traffic's mix for a deployment that has none of its own. */
    private record Window(double hours, Served all) {
        double perSecond(long tokens) { return tokens / (hours * 3600); }

        double perMonth(double amount) { return amount / hours * HOURS_PER_MONTH; }

        Double inputShare(Served s) {
            Served by = s.tokens() > 0 ? s : all;
            return by.tokens() == 0 ? null : by.in / (double) by.tokens();
        }
    }

    /** One deployment's traffic, summed over levels and kept per level. */
    private static final class Served {
        final String id;
        final Map<String, LedgerTraffic.Usage> levels = new LinkedHashMap<>();
        long requests, in, out, costMicros, cacheRead;
        double audioSeconds;

        Served(String id) {
            this.id = id;
        }

        void add(LedgerTraffic.Usage u) {
            levels.merge(String.valueOf(u.level()), u, (a, b) -> new LedgerTraffic.Usage(a.deployment(), a.level(), a.requests() + b.requests(),
                    a.inputTokens() + b.inputTokens(), a.outputTokens() + b.outputTokens(), a.costMicros() + b.costMicros(),
                    a.cacheReadTokens() + b.cacheReadTokens(), a.audioSeconds() + b.audioSeconds()));
            requests += u.requests();
            cacheRead += u.cacheReadTokens();
            in += u.inputTokens();
            out += u.outputTokens();
            costMicros += u.costMicros();
            audioSeconds += u.audioSeconds();
        }

        long tokens() { return in + out; }

        /** The share of its tokens that {@code part} (some of its levels) holds; null without tokens. */
        Double share(List<LedgerTraffic.Usage> part) {
            long moved = part.stream().mapToLong(u -> u.inputTokens() + u.outputTokens()).sum();
            return tokens() == 0 ? null : moved / (double) tokens();
        }
    }
}
