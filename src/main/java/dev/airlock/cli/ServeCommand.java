package dev.airlock.cli;

import dev.airlock.config.AirlockConfig;
import dev.airlock.config.ConfigException;
import dev.airlock.ingress.Gateway;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Start the gateway (default: ./airlock.yaml, else the bundled config, on port 4000).")
final class ServeCommand implements Callable<Integer> {
    @Option(names = "--config", paramLabel = "FILE", description = "Configuration file (YAML).")
    Path config;

    @Option(names = "--port", paramLabel = "N", description = "Port to listen on; overrides server.port (0 = any free port).")
    Integer port;

    @Override
    public Integer call() {
        if (port != null && (port < 0 || port > 65535)) {
            System.err.println("--port must be between 0 and 65535, got " + port + ".");
            return 2;
        }
        AirlockConfig cfg;
        try {
            cfg = load();
        } catch (ConfigException e) {
            System.err.println("Airlock cannot start: the configuration has problems:\n" + e.getMessage());
            return 2;
        }
        // before the listener opens: a hang-up as soon as the gateway answers must reload it, not stop it
        // (the JVM's own SIGHUP handler runs the shutdown hooks)
        HangUp hangUp = HangUp.install();
        Gateway gateway;
        try {
            gateway = Gateway.start(cfg, new Gateway.ConfigSource() {
                public AirlockConfig load() { return ServeCommand.this.load(); }

                public java.nio.file.Path file() { return ConfigFiles.path(config); }
            });
        } catch (Exception e) {
            Throwable shown = e;
            while (shown.getCause() != null && (shown instanceof java.util.concurrent.ExecutionException || shown.getMessage() == null)) shown = shown.getCause();
            System.err.println("Airlock cannot start: " + shown.getMessage() + ".");
            return 1;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(gateway::close, "airlock-shutdown"));
        if (hangUp != null) hangUp.started(gateway);
        System.out.println("Airlock listening on " + cfg.server().scheme() + "://" + cfg.server().host() + ":" + gateway.port()
                + " (routes: " + String.join(", ", cfg.routes().keySet()) + "; transport: " + gateway.transport() + ")");
        System.out.flush();
        return 0;
    }

    /** The file as at start, with the same {@code --port}: what a reload reads again. */
    private AirlockConfig load() {
        AirlockConfig cfg = ConfigFiles.load(config);
        return port == null ? cfg : cfg.withServer(cfg.server().withPort(port));
    }

    /**
     * {@code kill -HUP} reloads the configuration, as nginx and Envoy's hot restarters do; the outcome
     * goes to the log (and {@code airlock_config_reloads_total}). Installed before the gateway starts;
     * a hang-up while it starts reloads once it has. Where the JVM offers no signals, the admin API's
     * reload remains.
     */
    private static final class HangUp {
        private Gateway gateway;
        private boolean pending;

        @SuppressWarnings("removal")
        static HangUp install() {
            HangUp h = new HangUp();
            try {
                sun.misc.SignalHandler before = sun.misc.Signal.handle(new sun.misc.Signal("HUP"), sig -> h.signalled());
                if (before == sun.misc.SignalHandler.SIG_IGN) {
                    // started ignoring it (nohup, some supervisors): the JVM then keeps it ignored and installs nothing
                    org.slf4j.LoggerFactory.getLogger(ServeCommand.class).warn("SIGHUP is ignored in this process (started under nohup?), "
                            + "so kill -HUP does not reload the configuration; use ./airlock config reload.");
                    return null;
                }
                return h;
            } catch (IllegalArgumentException | UnsupportedOperationException | LinkageError e) {
                org.slf4j.LoggerFactory.getLogger(ServeCommand.class).warn("SIGHUP cannot reload the configuration here ({}); use ./airlock config reload.", e.toString());
                return null;
            }
        }

        private synchronized void signalled() {
            if (gateway == null) pending = true;
            else reload(gateway);
        }

        void started(Gateway g) {
            boolean now;
            synchronized (this) {
                gateway = g;
                now = pending;
            }
            if (now) reload(g);
        }

        private static void reload(Gateway g) {
            Thread.ofVirtual().name("airlock-reload").start(() -> {
                try {
                    g.reload("signal SIGHUP");
                } catch (RuntimeException refused) {
                    // logged, with the reason, where the reload was refused
                }
            });
        }
    }
}
