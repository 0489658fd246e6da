package dev.airlock.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** A plain text table: a header row, then rows, columns padded to their widest cell; numbers right-aligned. */
final class Table {
    private final List<String> headers;
    private final boolean[] rightAligned;
    private final List<List<String>> rows = new ArrayList<>();

    /** Headers ending in {@code >} are right-aligned (the marker is not printed). */
    Table(String... headers) {
        this.headers = new ArrayList<>();
        this.rightAligned = new boolean[headers.length];
        for (int i = 0; i < headers.length; i++) {
            rightAligned[i] = headers[i].endsWith(">");
            this.headers.add(rightAligned[i] ? headers[i].substring(0, headers[i].length() - 1) : headers[i]);
        }
    }

    Table row(String... cells) {
        if (cells.length != headers.size()) throw new IllegalArgumentException("expected " + headers.size() + " cells, got " + cells.length);
        rows.add(List.of(cells));
        return this;
    }

    boolean isEmpty() { return rows.isEmpty(); }

    void print(PrintWriter out) {
        int[] width = new int[headers.size()];
        for (int i = 0; i < width.length; i++) width[i] = headers.get(i).length();
        for (List<String> r : rows) for (int i = 0; i < width.length; i++) width[i] = Math.max(width[i], r.get(i).length());
        line(out, headers, width);
        for (List<String> r : rows) line(out, r, width);
        out.flush();
    }

    private void line(PrintWriter out, List<String> cells, int[] width) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < cells.size(); i++) {
            String c = cells.get(i);
            String pad = " ".repeat(width[i] - c.length());
            if (i > 0) sb.append("  ");
            sb.append(rightAligned[i] ? pad + c : c + (i == cells.size() - 1 ? "" : pad));
        }
        out.println(sb.toString().stripTrailing());
    }

    // ---- cell formatting shared by the admin commands ----

    /** Text of a field, or {@code -} when absent or null. */
    static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? "-" : v.asText();
    }

    /** US dollars: two decimals with thousands separators, or up to six for amounts under a cent. */
    static String usd(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? "-" : usd(v.asDouble());
    }

    static String usd(double v) {
        if (v != 0 && Math.abs(v) < 0.01) {
            String s = String.format(Locale.ROOT, "%.6f", v).replaceAll("0+$", "");
            return "$" + s;
        }
        return String.format(Locale.ROOT, "$%,.2f", v);
    }

    /** A whole number with thousands separators, or {@code -}. */
    static String count(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? "-" : String.format(Locale.ROOT, "%,d", v.asLong());
    }

    /** A route list, {@code (all)} when null (no restriction). */
    static String routes(JsonNode n) {
        return names(n, "routes", "(all)");
    }

    /** A list of names, {@code none} when null or empty (no restriction). */
    static String names(JsonNode n, String field, String none) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull() || v.isEmpty()) return none;
        List<String> names = new ArrayList<>();
        v.forEach(r -> names.add(r.asText()));
        return String.join(",", names);
    }

    /** A share 0..1 as a percentage with one decimal. */
    static String percent(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? "-" : String.format(Locale.ROOT, "%.1f%%", v.asDouble() * 100);
    }
}
