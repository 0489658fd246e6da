package dev.airlock.ingress;

import dev.airlock.admin.AdminApi;
import dev.airlock.ledger.DecisionLog;
import dev.airlock.store.Store;
import dev.airlock.ledger.Ledger;
import dev.airlock.ledger.EventLookup;
import dev.airlock.ledger.Metrics;
import dev.airlock.ledger.Reports;

/** What the HTTP front ends share besides the decision core: records, ledger, reports and metrics. */
record Services(DecisionLog decisions, Recorder recorder, Ledger ledger, Reports reports, EventLookup events, dev.airlock.tco.TcoReports tco, dev.airlock.canary.Canaries canaries,
                dev.airlock.eval.EvalRunner evals, dev.airlock.eval.EvalStore evalRuns, Metrics metrics, AdminApi admin,
                Store store, dev.airlock.cache.AnswerCache cache, dev.airlock.shadow.Shadows shadows) {}
