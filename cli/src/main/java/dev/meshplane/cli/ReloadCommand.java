package dev.meshplane.cli;

import dev.meshplane.proto.v1.ReloadRequest;
import dev.meshplane.proto.v1.ReloadResponse;
import io.grpc.ManagedChannel;
import picocli.CommandLine.Command;

@Command(name = "reload", mixinStandardHelpOptions = true,
        description = {"Make the local agent re-read its -config-dir (as SIGHUP does).",
                "All files apply, or none: a bad file is reported and the running configuration stays."})
final class ReloadCommand extends ClientCommand {
    @Override
    int run(ManagedChannel channel) {
        ReloadResponse r = ServicesCommand.agent(channel, client).reload(ReloadRequest.getDefaultInstance());
        out().println("Configuration reload: " + r.getFiles() + " files; added " + list(r.getAddedList())
                + ", changed " + list(r.getChangedList()) + ", removed " + list(r.getRemovedList()));
        return 0;
    }

    private static String list(java.util.List<String> ids) {
        return ids.isEmpty() ? "none" : String.join(", ", ids);
    }
}
