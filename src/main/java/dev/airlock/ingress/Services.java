package dev.airlock.ingress;

import dev.airlock.admin.AdminApi;
import dev.airlock.ledger.DecisionLog;
import dev.airlock.store.Store;
import dev.airlock.ledger.Ledger;
import dev.airlock.ledger.EventLookup;
import dev.airlock.ledger.Metrics;
import dev.airlock.ledger.Reports;

/**
 * What the HTTP front ends share: the configuration in force ({@link Generations}), and what outlives
 * a reload (records, ledger, reports, the evaluation runs started here, metrics, the admin API, the answer cache, and the
 * check of administrators' sign-in tokens, null without {@code admin.oidc}).
 */
record Services(DecisionLog decisions, Recorder recorder, Ledger ledger, Reports reports, EventLookup events, Generations generations,
                dev.airlock.eval.EvalStore evalRuns, java.util.concurrent.ConcurrentMap<String, EvalRunning> evals, Metrics metrics, AdminApi admin,
                Store store, dev.airlock.cache.AnswerCache cache, TokenIssuers issuers,
                dev.airlock.admin.DisabledDeployments disabled, dev.airlock.admin.EndUsers endUsers) {}
