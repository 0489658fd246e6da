package dev.airlock.policy.limits;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * One Lua script, run by digest. EVALSHA sends 40 bytes instead of the script; when the server does
 * not know it (restarted, failed over, SCRIPT FLUSH) it answers NOSCRIPT and we send the whole script
 * once with EVAL, which also caches it there again. Both run the script atomically, so the fallback
 * changes nothing about correctness.
 */
final class LuaScript {
    private final String source;
    private final String sha;

    private LuaScript(String source) {
        this.source = source;
        this.sha = sha1Hex(source);
    }

    /** Loads {@code name} from this package's resources. */
    static LuaScript resource(String name) {
        try (InputStream in = LuaScript.class.getResourceAsStream(name)) {
            if (in == null) throw new IllegalStateException("missing script resource " + name);
            return new LuaScript(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs the script; every script of this package returns an array of integers. */
    List<Long> run(StatefulRedisConnection<String, String> conn, String[] keys, String... args) {
        List<Object> out;
        try {
            out = conn.sync().evalsha(sha, ScriptOutputType.MULTI, keys, args);
        } catch (RedisNoScriptException e) {
            out = conn.sync().eval(source, ScriptOutputType.MULTI, keys, args);
        }
        return out.stream().map(o -> (Long) o).toList();
    }

    private static String sha1Hex(String s) {
        try {
            byte[] d = java.security.MessageDigest.getInstance("SHA-1").digest(s.getBytes(StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(d);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
