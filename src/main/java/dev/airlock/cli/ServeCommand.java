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
        AirlockConfig cfg;
        try {
            cfg = ConfigFiles.load(config);
        } catch (ConfigException e) {
            System.err.println("Airlock cannot start: the configuration has problems:\n" + e.getMessage());
            return 2;
        }
        if (port != null) {
            if (port < 0 || port > 65535) {
                System.err.println("--port must be between 0 and 65535, got " + port + ".");
                return 2;
            }
            cfg = cfg.withServer(cfg.server().withPort(port));
        }
        Gateway gateway;
        try {
            gateway = Gateway.start(cfg);
        } catch (Exception e) {
            Throwable shown = e;
            while (shown.getCause() != null && (shown instanceof java.util.concurrent.ExecutionException || shown.getMessage() == null)) shown = shown.getCause();
            System.err.println("Airlock cannot start: " + shown.getMessage() + ".");
            return 1;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(gateway::close, "airlock-shutdown"));
        System.out.println("Airlock listening on " + cfg.server().scheme() + "://" + cfg.server().host() + ":" + gateway.port()
                + " (routes: " + String.join(", ", cfg.routes().keySet()) + "; transport: " + gateway.transport() + ")");
        System.out.flush();
        return 0;
    }
}
