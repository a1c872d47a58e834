package dev.meshplane.cli;

import java.io.OutputStream;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "meshctl", mixinStandardHelpOptions = true, versionProvider = VersionCommand.Provider.class,
        description = "Meshplane: a gRPC-native service-mesh control plane. One binary for the agent and the CLI.",
        subcommands = {AgentCommand.class, ServicesCommand.class, CheckCommand.class, MaintCommand.class,
                ReloadCommand.class, CatalogCommand.class, KvCommand.class, WatchCommand.class, SnapshotCommand.class,
                XdsCommand.class, OperatorCommand.class, ConnectCommand.class, IntentionCommand.class, MembersCommand.class,
                JoinCommand.class, LeaveCommand.class, KeygenCommand.class, KeyringCommand.class, VersionCommand.class,
                HelpCommand.class})
final class Meshctl implements Callable<Integer> {
    /** Where commands that print bytes (kv get) write them, unmangled by a Writer. */
    private final OutputStream rawOut;

    @Spec
    CommandSpec spec;

    Meshctl(OutputStream rawOut) {
        this.rawOut = rawOut;
    }

    static OutputStream rawOut(CommandSpec anyCommand) {
        return ((Meshctl) anyCommand.root().userObject()).rawOut;
    }

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return 2;
    }
}
