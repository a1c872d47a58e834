package dev.meshplane.cli;

import dev.meshplane.proto.v1.JoinRequest;
import io.grpc.ManagedChannel;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "join", mixinStandardHelpOptions = true,
        description = "Tell the local agent to join the gossip pool through these agents' gossip addresses.")
final class JoinCommand extends ClientCommand {
    @Option(names = {"-wan", "--wan"}, description = "join the WAN pool (servers only; default port 8302)")
    boolean wan;

    @Parameters(paramLabel = "ADDR", arity = "1..*", description = "HOST[:PORT] (default port 8301)")
    List<String> addresses = new ArrayList<>();

    @Override
    int run(ManagedChannel channel) {
        int joined = ServicesCommand.agent(channel, client).join(JoinRequest.newBuilder().addAllAddresses(addresses)
                .setWan(wan).build()).getJoined();
        out().println("Successfully joined cluster by contacting " + joined + " nodes.");
        return 0;
    }
}
