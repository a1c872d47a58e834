package dev.meshplane.cli;

import dev.meshplane.proto.v1.ListRaftPeersRequest;
import dev.meshplane.proto.v1.OperatorGrpc;
import dev.meshplane.proto.v1.RaftPeer;
import dev.meshplane.proto.v1.RemoveRaftPeerRequest;
import dev.meshplane.proto.v1.TransferLeadershipRequest;
import io.grpc.ManagedChannel;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "operator", description = "Operate the server cluster.", mixinStandardHelpOptions = true,
        subcommands = {OperatorCommand.Raft.class})
final class OperatorCommand {

    @Command(name = "raft", description = "Inspect and change the Raft configuration.", mixinStandardHelpOptions = true,
            subcommands = {ListPeers.class, RemovePeer.class, TransferLeader.class})
    static final class Raft {
    }

    static OperatorGrpc.OperatorBlockingStub operator(ManagedChannel channel, ClientOptions client) {
        return OperatorGrpc.newBlockingStub(channel).withDeadlineAfter(client.timeoutMillis(), TimeUnit.MILLISECONDS);
    }

    @Command(name = "list-peers", description = "List the servers in the Raft configuration.",
            mixinStandardHelpOptions = true)
    static final class ListPeers extends ClientCommand {
        @Override
        int run(ManagedChannel channel) {
            var r = operator(channel, client).listRaftPeers(ListRaftPeersRequest.getDefaultInstance());
            Table t = new Table("Node", "ID", "Address", "State", "Voter", "Match");
            for (RaftPeer p : r.getPeersList()) {
                t.row(p.getId(), p.getId(), p.getAddress(), p.getLeader() ? "leader" : "follower",
                        String.valueOf(p.getVoter()), p.getMatchIndex() == 0 ? "-" : String.valueOf(p.getMatchIndex()));
            }
            t.print(out());
            return 0;
        }
    }

    @Command(name = "remove-peer", description = "Remove a server from the Raft configuration.",
            mixinStandardHelpOptions = true)
    static final class RemovePeer extends ClientCommand {
        @Option(names = {"-id", "--id"}, description = "the server's ID (its node name)")
        String id = "";

        @Option(names = {"-server-address", "--server-address"}, paramLabel = "HOST:PORT",
                description = "the server's RPC address")
        String serverAddress = "";

        @Override
        int run(ManagedChannel channel) {
            if (id.isEmpty() == serverAddress.isEmpty()) {
                throw new CliException("remove-peer: give exactly one of -id and -server-address");
            }
            var r = operator(channel, client).removeRaftPeer(RemoveRaftPeerRequest.newBuilder().setId(id)
                    .setAddress(serverAddress).build());
            out().println("Removed peer " + (id.isEmpty() ? serverAddress : id) + " (index " + r.getIndex() + ")");
            return 0;
        }
    }

    @Command(name = "transfer-leader", description = "Hand leadership to another server.",
            mixinStandardHelpOptions = true)
    static final class TransferLeader extends ClientCommand {
        @Option(names = {"-id", "--id"}, description = "the new leader (default: the most caught-up voter)")
        String id = "";

        @Override
        int run(ManagedChannel channel) {
            var r = operator(channel, client).transferLeadership(TransferLeadershipRequest.newBuilder()
                    .setTargetId(id).build());
            out().println("Leadership handed to " + r.getNewLeaderId());
            return 0;
        }
    }
}
