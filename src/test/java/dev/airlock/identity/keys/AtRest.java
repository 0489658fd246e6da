package dev.airlock.identity.keys;

import dev.airlock.store.Store;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/** Searches what a store holds at rest: every cell of every table, and the bytes of files on disk. */
public final class AtRest {
    private AtRest() {}

    /** Every table of the store's public schema. */
    public static List<String> tables(Store store) throws SQLException {
        return store.call(c -> {
            List<String> out = new ArrayList<>();
            try (ResultSet t = c.getMetaData().getTables(null, "public", "%", new String[] {"TABLE"})) {
                while (t.next()) out.add(t.getString("TABLE_NAME"));
            }
            return out;
        });
    }

    /** {@code table.column} of every cell, in every table, whose text contains one of {@code needles}. */
    public static List<String> cellsContaining(Store store, List<String> needles) throws SQLException {
        List<String> tables = tables(store);
        return store.call(c -> {
            List<String> hits = new ArrayList<>();
            for (String table : tables) {
                try (ResultSet r = c.createStatement().executeQuery("SELECT * FROM " + table)) {
                    int cols = r.getMetaData().getColumnCount();
                    while (r.next()) {
                        for (int i = 1; i <= cols; i++) {
                            String v = r.getString(i);
                            if (v == null) continue;
                            for (String n : needles) {
                                if (v.contains(n)) hits.add(table + "." + r.getMetaData().getColumnLabel(i).toLowerCase(Locale.ROOT));
                            }
                        }
                    }
                }
            }
            return hits.stream().distinct().toList();
        });
    }

    /** Regular files under {@code root} whose bytes (read as Latin-1, or as UTF-16 at either alignment) contain one of {@code needles}. */
    public static List<Path> filesContaining(Path root, List<String> needles) throws Exception {
        List<Path> hits = new ArrayList<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path p : files.filter(Files::isRegularFile).toList()) {
                byte[] bytes = Files.readAllBytes(p);
                byte[] shifted = bytes.length == 0 ? bytes : java.util.Arrays.copyOfRange(bytes, 1, bytes.length);
                List<String> views = List.of(new String(bytes, StandardCharsets.ISO_8859_1),
                        new String(bytes, StandardCharsets.UTF_16BE), new String(shifted, StandardCharsets.UTF_16BE),
                        new String(bytes, StandardCharsets.UTF_16LE), new String(shifted, StandardCharsets.UTF_16LE));
                for (String n : needles) {
                    if (views.stream().anyMatch(v -> v.contains(n))) hits.add(p);
                }
            }
        }
        return hits.stream().distinct().toList();
    }
}
