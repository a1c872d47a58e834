package dev.meshplane.cli;

import dev.meshplane.proto.v1.HealthStatus;
import dev.meshplane.proto.v1.ListLocalChecksRequest;
import dev.meshplane.proto.v1.LocalCheck;
import dev.meshplane.proto.v1.UpdateTtlRequest;
import io.grpc.ManagedChannel;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "check", description = "Report TTL checks and list the checks of the local agent.",
        mixinStandardHelpOptions = true,
        subcommands = {CheckCommand.Pass.class, CheckCommand.Warn.class, CheckCommand.Fail.class,
                CheckCommand.ListChecks.class})
final class CheckCommand {

    /** pass, warn and fail: one TTL report each. */
    abstract static class Report extends ClientCommand {
        @Parameters(index = "0", paramLabel = "ID", description = "the TTL check's ID")
        String checkId;

        @Option(names = {"-note", "--note"}, paramLabel = "TEXT", description = "becomes the check's output")
        String note = "";

        abstract HealthStatus status();

        @Override
        int run(ManagedChannel channel) {
            ServicesCommand.agent(channel, client).updateTtl(UpdateTtlRequest.newBuilder().setCheckId(checkId)
                    .setStatus(status()).setOutput(note).build());
            out().println("Check " + checkId + ": " + name(status()));
            return 0;
        }
    }

    @Command(name = "pass", description = "Mark a TTL check passing.", mixinStandardHelpOptions = true)
    static final class Pass extends Report {
        @Override
        HealthStatus status() {
            return HealthStatus.HEALTH_STATUS_PASSING;
        }
    }

    @Command(name = "warn", description = "Mark a TTL check warning.", mixinStandardHelpOptions = true)
    static final class Warn extends Report {
        @Override
        HealthStatus status() {
            return HealthStatus.HEALTH_STATUS_WARNING;
        }
    }

    @Command(name = "fail", description = "Mark a TTL check critical.", mixinStandardHelpOptions = true)
    static final class Fail extends Report {
        @Override
        HealthStatus status() {
            return HealthStatus.HEALTH_STATUS_CRITICAL;
        }
    }

    @Command(name = "list", description = "List the checks of the local agent with their state.",
            mixinStandardHelpOptions = true)
    static final class ListChecks extends ClientCommand {
        @Override
        int run(ManagedChannel channel) {
            var checks = ServicesCommand.agent(channel, client).listLocalChecks(ListLocalChecksRequest.getDefaultInstance())
                    .getChecksList();
            Table t = new Table("ID", "Service", "Type", "Status", "Synced", "Output");
            for (LocalCheck c : checks) {
                String output = c.getState().getOutput().replaceAll("\\s+", " ");
                t.row(c.getDefinition().getId(), c.getDefinition().getServiceId(), c.getState().getType(),
                        name(c.getState().getStatus()), c.getSynced() ? "yes" : "no",
                        output.length() > 60 ? output.substring(0, 57) + "..." : output);
            }
            t.print(out());
            return 0;
        }
    }

    static String name(HealthStatus s) {
        return s.name().replace("HEALTH_STATUS_", "").toLowerCase(Locale.ROOT);
    }
}
