package dev.meshplane.cli;

import dev.meshplane.proto.v1.LeaveRequest;
import io.grpc.ManagedChannel;
import picocli.CommandLine.Command;

@Command(name = "leave", mixinStandardHelpOptions = true,
        description = "Make the local agent leave its gossip pools gracefully and shut down.")
final class LeaveCommand extends ClientCommand {
    @Override
    int run(ManagedChannel channel) {
        ServicesCommand.agent(channel, client).leave(LeaveRequest.getDefaultInstance());
        out().println("Graceful leave complete");
        return 0;
    }
}
