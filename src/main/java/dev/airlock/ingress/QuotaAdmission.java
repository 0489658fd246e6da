package dev.airlock.ingress;

import dev.airlock.config.Deployment;
import dev.airlock.core.AirlockException;
import dev.airlock.core.ErrorKind;
import dev.airlock.policy.EligibleSet;
import dev.airlock.policy.Quotas;
import dev.airlock.policy.limits.TokenEstimator;
import dev.airlock.provider.UpstreamFailure;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.List;

/**
 * A request's quota admission, between its classification and its send: the key's and tenant's
 * requests in flight, requests and tokens a minute, and budgets, each reserved at the request's worst
 * case ({@link #admit}). One per front end; the exchange carries what it took, and the recorder's
 * settle corrects it to the real usage when the request ends.
 */
final class QuotaAdmission {
    private final Recorder recorder;

    QuotaAdmission(Recorder recorder) {
        this.recorder = recorder;
    }

    /**
     * Quota admission: requests and tokens per minute of key, tenant and (where the tenant limits them)
     * the end user the request names, and the key's and tenant's budgets, reserved
     * at the worst case (a prompt bound plus {@code max_tokens}, or {@value #DEFAULT_MAX_TOKENS} when
     * the client set none, at the priciest eligible deployment). The settle corrects every reservation
     * to the real usage.
     *
     * <p>The prompt is first reserved at {@link TokenEstimator#upperBoundPrompt its UTF-8 bytes}, which no
     * tokenizer exceeds and which costs one pass over the text. Only when that bound is refused are the
     * tokens counted with jtokkit and the request admitted again at the count: near a limit the
     * decision is the count's, as before, and far from it (nearly always) no vocabulary is read, which
     * spares the event loop ~50 ns a character of every new text, milliseconds for a coding agent's file.
     * The price: a request in flight holds its bound, up to four times its tokens, until it settles.
     */
    Future<Quotas.Grant> admit(Exchange ex, List<String> texts, Integer maxTokens) {
        Pipeline pipeline = ex.generation.pipeline;
        var caller = ex.admission.caller();
        // slots counted in Redis are taken off the event loop, with the rest of a remote admission below
        boolean sharedSlots = pipeline.quotas.holdsRemotely(caller);
        if (!sharedSlots) {
            try {
                ex.slots = pipeline.quotas.hold(caller); // given back when the exchange ends, however it ends
            } catch (AirlockException tooMany) {
                return Future.failedFuture(tooMany);
            }
        }
        var key = caller.key();
        var tenant = caller.tenant();
        boolean needsTokens = tenant.countsTokens() || (key != null && key.countsTokens());
        long cheap = 0;
        for (String t : texts) cheap += t.length() / 4 + 1;
        long extra = maxTokens == null ? 0 : maxTokens;
        // per-deployment caps keep what they admit and are never corrected: a plain estimate, not a bound
        ex.dispatch.estimatedTokens(cheap + extra);
        boolean limited = needsTokens || tenant.countsRequests() || (key != null && key.rpm() != null);
        if (!limited && !sharedSlots) return Future.succeededFuture(Quotas.Grant.NONE);
        long first = needsTokens ? reservable(TokenEstimator.upperBoundPrompt(texts)) : cheap;
        java.util.concurrent.Callable<Quotas.Grant> admit = !limited ? () -> Quotas.Grant.NONE : () -> {
            try {
                return admitAt(ex, first, maxTokens);
            } catch (AirlockException refused) {
                if (!needsTokens || (refused.kind() != ErrorKind.RATE_LIMITED && refused.kind() != ErrorKind.BUDGET_EXCEEDED)) throw refused;
                return admitAt(ex, reservable(pipeline.tokens.estimatePrompt(texts, ex.admission.fingerprints())), maxTokens);
            }
        };
        if (!pipeline.quotas.remote()) { // answered on the event loop: the request cannot have ended meanwhile
            try {
                return Future.succeededFuture(granted(ex, admit.call()));
            } catch (Exception e) {
                return Future.failedFuture(e);
            }
        }
        return Vertx.currentContext().owner().executeBlocking(() -> {
            Quotas.Slots slots = sharedSlots ? pipeline.quotas.hold(caller) : Quotas.Slots.NONE;
            try {
                return new Admitted(slots, admit.call());
            } catch (Exception refused) {
                slots.release();
                throw refused;
            }
        }, false).compose(a -> {
            // a remote admission can answer after the client left and the request was recorded: nothing
            // would settle the grant or give the slots back then, so they go back now, and nothing is sent
            if (ex.isEnded()) {
                a.slots().release();
                recorder.settleLate(a.grant());
                return Future.failedFuture(new UpstreamFailure(UpstreamFailure.Kind.CANCELLED,
                        "the client left while its quota was checked"));
            }
            if (sharedSlots) ex.slots = a.slots();
            return Future.succeededFuture(granted(ex, a.grant()));
        });
    }

    /** What a remote admission took: the request's slots in flight and its grant. */
    private record Admitted(Quotas.Slots slots, Quotas.Grant grant) {}

    private static Quotas.Grant granted(Exchange ex, Quotas.Grant g) {
        ex.grant = g;
        ResponseHeaders.rateLimits(ex.response, g);
        return g;
    }

    /**
     * The answers the request asks for ({@code n}, and a text completion's {@code best_of}, which
     * generates them all and bills them), up to {@link #MAX_CHOICES}.
     */
    static int choices(ObjectNode raw) {
        return Math.min(MAX_CHOICES, Math.max(1, Math.max(raw.path("n").asInt(1), raw.path("best_of").asInt(1))));
    }

    /**
     * {@code maxTokens} for each of {@code choices} answers: the completion's worst case, as the upstream
     * would bill it. Without {@code max_tokens} nothing is added to the tokens a minute, as for one
     * answer; the budget's reservation then takes the default for each ({@link #admitAt}).
     */
    static Integer forEveryChoice(Integer maxTokens, int choices) {
        if (maxTokens == null || choices <= 1) return maxTokens;
        return (int) Math.min(Integer.MAX_VALUE, (long) maxTokens * choices);
    }

    /** More answers than this to one request are the upstream's to refuse; the reservation stops counting here. */
    static final int MAX_CHOICES = 128;

    /**
     * jtokkit counts OpenAI's tokenizers; other models' tokenizers and chat templates count more, so a
     * reservation adds a margin to stay a worst case.
     */
    private static long reservable(long promptTokens) {
        return (long) Math.ceil(promptTokens * PROMPT_MARGIN) + TEMPLATE_TOKENS;
    }

    private Quotas.Grant admitAt(Exchange ex, long prompt, Integer maxTokens) {
        long completion = maxTokens == null ? (long) DEFAULT_MAX_TOKENS * ex.choices : maxTokens;
        double worst = 0;
        // the stages hold the deployments themselves: no lookup by id in the config's map
        for (EligibleSet.Stage s : ex.admission.eligible().stages()) {
            for (Deployment d : s.deployments()) worst = Math.max(worst, d.price().cost(prompt, completion) + d.price().audio(ex.reserveAudioSeconds));
        }
        return ex.generation.pipeline.quotas.admit(ex.admission.caller(), ex.endUser, prompt + (maxTokens == null ? 0 : maxTokens), worst, System.currentTimeMillis());
    }

    static final int DEFAULT_MAX_TOKENS = 4096;
    static final double PROMPT_MARGIN = 1.25;
    static final int TEMPLATE_TOKENS = 16;
}
