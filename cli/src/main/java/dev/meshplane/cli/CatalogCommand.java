package dev.meshplane.cli;

import dev.meshplane.proto.v1.CatalogGrpc;
import dev.meshplane.proto.v1.ListNodesRequest;
import dev.meshplane.proto.v1.ListServicesRequest;
import dev.meshplane.proto.v1.Node;
import dev.meshplane.proto.v1.ServiceSummary;
import io.grpc.ManagedChannel;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "catalog", description = "Query the catalog of the whole datacenter.", mixinStandardHelpOptions = true,
        subcommands = {CatalogCommand.Services.class, CatalogCommand.Nodes.class})
final class CatalogCommand {

    static CatalogGrpc.CatalogBlockingStub catalog(ManagedChannel channel, ClientOptions client) {
        return CatalogGrpc.newBlockingStub(channel).withDeadlineAfter(client.timeoutMillis(), TimeUnit.MILLISECONDS);
    }

    @Command(name = "services", description = "List every registered service.", mixinStandardHelpOptions = true)
    static final class Services extends ClientCommand {
        @Option(names = {"-tags", "--tags"}, description = "show the tags of each service")
        boolean tags;

        @Override
        int run(ManagedChannel channel) {
            var services = catalog(channel, client).listServices(ListServicesRequest.getDefaultInstance())
                    .getServicesList();
            if (!tags) {
                services.forEach(s -> out().println(s.getName()));
                out().flush();
                return 0;
            }
            Table t = new Table("Name", "Instances", "Tags");
            for (ServiceSummary s : services) {
                t.row(s.getName(), String.valueOf(s.getInstances()), String.join(",", s.getTagsList()));
            }
            t.print(out());
            return 0;
        }
    }

    @Command(name = "nodes", description = "List every registered node.", mixinStandardHelpOptions = true)
    static final class Nodes extends ClientCommand {
        @Override
        int run(ManagedChannel channel) {
            var nodes = catalog(channel, client).listNodes(ListNodesRequest.getDefaultInstance()).getNodesList();
            Table t = new Table("Node", "Address", "DC");
            for (Node n : nodes) {
                t.row(n.getName(), n.getAddress(), n.getDatacenter());
            }
            t.print(out());
            return 0;
        }
    }
}
