package dev.airlock.provider.bedrock;

import dev.airlock.provider.UpstreamFailure;
import dev.airlock.provider.UpstreamFailure.Kind;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.bedrockruntime.model.AccessDeniedException;
import software.amazon.awssdk.services.bedrockruntime.model.InternalServerException;
import software.amazon.awssdk.services.bedrockruntime.model.ModelErrorException;
import software.amazon.awssdk.services.bedrockruntime.model.ModelNotReadyException;
import software.amazon.awssdk.services.bedrockruntime.model.ModelStreamErrorException;
import software.amazon.awssdk.services.bedrockruntime.model.ModelTimeoutException;
import software.amazon.awssdk.services.bedrockruntime.model.ResourceNotFoundException;
import software.amazon.awssdk.services.bedrockruntime.model.ServiceQuotaExceededException;
import software.amazon.awssdk.services.bedrockruntime.model.ServiceUnavailableException;
import software.amazon.awssdk.services.bedrockruntime.model.ThrottlingException;
import software.amazon.awssdk.services.bedrockruntime.model.ValidationException;

/**
 * SDK exceptions → {@link UpstreamFailure}. Bedrock's typed exceptions decide first (ModelNotReady is a
 * 429 that means "warming up", not "slow down"); the HTTP status decides for the rest. Client-side
 * failures are told apart by their cause chain, since the SDK wraps them all in SdkClientException.
 */
final class Errors {
    private static final int MAX_DETAIL = 300;

    private Errors() {}

    static UpstreamFailure map(String deployment, Throwable thrown) {
        Throwable t = unwrap(thrown);
        if (t instanceof UpstreamFailure f) return f;
        String who = "deployment '" + deployment + "'";
        if (t instanceof CancellationException) return new UpstreamFailure(Kind.CANCELLED, who + ": the attempt was cancelled");
        if (t instanceof AwsServiceException e) return service(who, e);
        // the pool gave no connection in time: connecting failed (or a refused connect was lost), not the model
        if (mentions(t, "acquire operation took longer")) return new UpstreamFailure(Kind.CONNECT, who + " could not be connected to in time");
        if (timedOut(t)) return new UpstreamFailure(Kind.TIMEOUT, who + " timed out: " + describe(t));
        if (t instanceof SdkClientException && mentions(t, "credential")) {
            return new UpstreamFailure(Kind.MISCONFIGURED, who + " (bedrock) has no usable AWS credentials: " + describe(t));
        }
        if (t instanceof SdkClientException && (mentions(t, "unmarshall") || causedBy(t, "JsonParseException") || causedBy(t, "JsonEOFException"))) {
            return new UpstreamFailure(Kind.MALFORMED, who + " answered with a body that is not a Converse response");
        }
        if (causedBy(t, ConnectException.class) || causedBy(t, UnknownHostException.class) || causedBy(t, IOException.class)) {
            return new UpstreamFailure(Kind.CONNECT, who + " could not be reached: " + describe(t));
        }
        return new UpstreamFailure(Kind.CONNECT, who + " failed: " + describe(t));
    }

    private static UpstreamFailure service(String who, AwsServiceException e) {
        int status = e.statusCode();
        String code = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
        String detail = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorMessage();
        String msg = who + " answered HTTP " + status + (code == null ? "" : " " + code)
                + (detail == null || detail.isBlank() ? "" : ": " + trim(detail));
        Kind kind;
        if (e instanceof ModelNotReadyException || e instanceof ServiceUnavailableException || e instanceof InternalServerException
                || e instanceof ModelErrorException || e instanceof ModelStreamErrorException) kind = Kind.SERVER_ERROR;
        else if (e instanceof ThrottlingException || e instanceof ServiceQuotaExceededException || status == 429) kind = Kind.RATE_LIMITED;
        else if (e instanceof ModelTimeoutException || status == 408) kind = Kind.TIMEOUT;
        else if (e instanceof AccessDeniedException || e instanceof ResourceNotFoundException) kind = Kind.MISCONFIGURED;
        else if (e instanceof ValidationException) kind = Kind.REJECTED;
        else if (status >= 500) kind = Kind.SERVER_ERROR;
        else if (status == 400 || status == 413 || status == 422) kind = Kind.REJECTED;
        else kind = Kind.MISCONFIGURED; // 401, 403 (bad signature, expired token), 404 and the rest
        return new UpstreamFailure(kind, status, retryAfter(e), msg);
    }

    private static long retryAfter(AwsServiceException e) {
        if (e.awsErrorDetails() == null || e.awsErrorDetails().sdkHttpResponse() == null) return -1;
        String v = e.awsErrorDetails().sdkHttpResponse().firstMatchingHeader("retry-after").orElse(null);
        if (v == null) return -1;
        try {
            return (long) (Double.parseDouble(v.trim()) * 1000);
        } catch (NumberFormatException ex) {
            return -1;
        }
    }

    private static boolean timedOut(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof ApiCallTimeoutException || c instanceof ApiCallAttemptTimeoutException || c instanceof TimeoutException
                    || c instanceof SocketTimeoutException || c.getClass().getSimpleName().contains("Timeout")) return true;
            String m = c.getMessage();
            if (m != null && (m.contains("timed out") || m.contains("timeout"))) return true;
        }
        return false;
    }

    static Throwable unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) t = t.getCause();
        return t;
    }

    private static boolean causedBy(Throwable t, Class<?> type) {
        for (Throwable c = t; c != null; c = c.getCause()) if (type.isInstance(c)) return true;
        return false;
    }

    private static boolean causedBy(Throwable t, String simpleName) {
        for (Throwable c = t; c != null; c = c.getCause()) if (c.getClass().getSimpleName().equals(simpleName)) return true;
        return false;
    }

    private static boolean mentions(Throwable t, String word) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c.getMessage() != null && c.getMessage().toLowerCase(java.util.Locale.ROOT).contains(word)) return true;
        }
        return false;
    }

    /** The innermost cause's message: the SDK's outer messages repeat boilerplate. */
    static String describe(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) root = root.getCause();
        String m = root.getMessage();
        return trim(m == null ? root.getClass().getSimpleName() : m);
    }

    private static String trim(String s) {
        return s.length() > MAX_DETAIL ? s.substring(0, MAX_DETAIL) + "…" : s;
    }
}
