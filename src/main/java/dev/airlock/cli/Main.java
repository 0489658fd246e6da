package dev.airlock.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of {@code ./airlock}. */
@Command(name = "airlock", mixinStandardHelpOptions = true, version = "airlock 0.1.0",
        description = {
            "Airlock: one OpenAI-compatible endpoint in front of self-hosted and managed models,",
            "that never lets classified data leave the zones it may reach."},
        subcommands = {ServeCommand.class, ConfigCommand.class, KeysCommand.class, TenantsCommand.class, SpendCommand.class, AuditCommand.class,
                RequestsCommand.class, TcoCommand.class, CanaryCommand.class, DeploymentsCommand.class, EndUsersCommand.class, EvalCommand.class, CacheCommand.class,
                ReportCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        int code = new CommandLine(new Main())
                .setExecutionExceptionHandler((ex, cmd, parsed) -> {
                    cmd.getErr().println("Airlock failed: " + ex.getMessage());
                    return 1;
                })
                .execute(args);
        if (code != 0 || args.length == 0 || !args[0].equals("serve")) System.exit(code);
    }
}
