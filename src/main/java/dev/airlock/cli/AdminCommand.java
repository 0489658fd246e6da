package dev.airlock.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * A command that makes one call to a running Airlock's admin API and prints the answer. Subclasses
 * say what to send ({@link #request}) and how to show the answer ({@link #render}); both are plain
 * functions, tested without a server. Exit codes: 0 done, 1 the server or network said no, 2 usage.
 */
abstract class AdminCommand implements Callable<Integer> {
    @Option(names = "--url", paramLabel = "URL", defaultValue = AdminClient.DEFAULT_URL,
            description = "Airlock to talk to (default: ${DEFAULT-VALUE}). The master key comes from $" + AdminClient.MASTER_KEY_ENV + ".")
    String url;

    @Spec
    CommandSpec spec;

    /** Where environment variables come from (tests replace it). */
    Function<String, String> env = System::getenv;

    /** The admin call this command makes; throws a picocli ParameterException for bad combinations of flags. */
    abstract AdminClient.Call request();

    /** Prints the server's answer for a person at a terminal. */
    abstract void render(JsonNode answer, PrintWriter out);

    /** Makes the call and returns the answer to render; a command that must ask again (a run's progress) does it here. */
    JsonNode exchange(AdminClient client, AdminClient.Call call, PrintWriter err) {
        return client.send(call);
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        AdminClient.Call c = request();
        try {
            JsonNode answer = exchange(AdminClient.create(url, env), c, err);
            render(answer, out);
            out.flush();
            return 0;
        } catch (AdminClient.Failure f) {
            err.println(f.getMessage());
            err.flush();
            return 1;
        }
    }

    private static final DateTimeFormatter MINUTES = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm").withZone(ZoneOffset.UTC);

    /** An ISO-8601 instant as {@code 2026-11-20 12:00} (UTC), or {@code -}. */
    static String time(JsonNode n, String field) {
        String s = Table.text(n, field);
        if (s.equals("-")) return s;
        try {
            return MINUTES.format(Instant.parse(s));
        } catch (DateTimeParseException e) {
            return s;
        }
    }

    /** Prints {@code label value} pairs, labels padded to one width. */
    /** Puts a comma-separated option's names into {@code body} as the array {@code field}, blanks left out; nothing when the option was not given. */
    static void names(com.fasterxml.jackson.databind.node.ObjectNode body, String field, java.util.List<String> names) {
        if (names != null) names.stream().map(String::trim).filter(n -> !n.isEmpty()).forEach(body.withArray("/" + field)::add);
    }

    static void fields(PrintWriter out, String... labelsAndValues) {
        int w = 0;
        for (int i = 0; i < labelsAndValues.length; i += 2) w = Math.max(w, labelsAndValues[i].length());
        for (int i = 0; i < labelsAndValues.length; i += 2) {
            out.println("  " + labelsAndValues[i] + " ".repeat(w - labelsAndValues[i].length() + 2) + labelsAndValues[i + 1]);
        }
    }
}
