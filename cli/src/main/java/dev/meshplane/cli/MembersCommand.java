package dev.meshplane.cli;

import dev.meshplane.proto.v1.MembersRequest;
import dev.meshplane.proto.v1.PoolMember;
import dev.meshplane.sidecar.gossip.MemberTags;
import io.grpc.ManagedChannel;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "members", mixinStandardHelpOptions = true,
        description = "List the members of the gossip pool as the local agent sees them (LAN, or -wan).")
final class MembersCommand extends ClientCommand {
    @Option(names = {"-wan", "--wan"}, description = "the WAN pool (servers of every datacenter)")
    boolean wan;

    @Option(names = {"-detailed", "--detailed"}, description = "every tag of every member")
    boolean detailed;

    @Override
    int run(ManagedChannel channel) {
        var members = ServicesCommand.agent(channel, client).members(MembersRequest.newBuilder().setWan(wan).build())
                .getMembersList();
        Table table = detailed ? new Table("Node", "Address", "Status", "Tags")
                : new Table("Node", "Address", "Status", "Type", "Build", "DC");
        for (PoolMember m : members) {
            String address = address(m);
            if (detailed) {
                Map<String, String> tags = new TreeMap<>(m.getTagsMap());
                table.row(m.getName(), address, m.getStatus(), tags.entrySet().stream()
                        .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(",")));
            } else {
                String role = m.getTagsOrDefault(MemberTags.ROLE, "");
                table.row(m.getName(), address, m.getStatus(), "server".equals(role) ? "server" : "client",
                        m.getTagsOrDefault(MemberTags.BUILD, ""), m.getTagsOrDefault(MemberTags.DATACENTER, ""));
            }
        }
        table.print(out());
        return 0;
    }

    static String address(PoolMember m) {
        return (m.getAddress().indexOf(':') >= 0 ? "[" + m.getAddress() + "]" : m.getAddress()) + ":" + m.getPort();
    }
}
