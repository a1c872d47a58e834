package dev.meshplane.cli;

import dev.meshplane.proto.v1.AgentGrpc;
import dev.meshplane.proto.v1.DeregisterServiceRequest;
import dev.meshplane.proto.v1.ListLocalServicesRequest;
import dev.meshplane.proto.v1.RegisterServiceRequest;
import dev.meshplane.proto.v1.RegisterServiceResponse;
import dev.meshplane.proto.v1.Service;
import io.grpc.ManagedChannel;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "services", description = "Register, deregister and list the services of the local agent.",
        mixinStandardHelpOptions = true,
        subcommands = {ServicesCommand.Register.class, ServicesCommand.Deregister.class, ServicesCommand.ListLocal.class})
final class ServicesCommand {

    static AgentGrpc.AgentBlockingStub agent(ManagedChannel channel, ClientOptions client) {
        return AgentGrpc.newBlockingStub(channel).withDeadlineAfter(client.timeoutMillis(), TimeUnit.MILLISECONDS);
    }

    @Command(name = "register", description = "Register a service instance with the local agent.",
            mixinStandardHelpOptions = true)
    static final class Register extends ClientCommand {
        @Option(names = {"-name", "--name"}, required = true, description = "service name")
        String name;

        @Option(names = {"-id", "--id"}, description = "instance ID, unique on this node (default: the name)")
        String id = "";

        @Option(names = {"-tag", "--tag"}, paramLabel = "TAG", description = "a tag (repeatable)")
        List<String> tags = new ArrayList<>();

        @Option(names = {"-service-address", "--service-address"}, paramLabel = "ADDR",
                description = "address of the instance (default: the node's address)")
        String serviceAddress = "";

        @Option(names = {"-port", "--port"}, description = "port of the instance")
        int port;

        @Option(names = {"-meta", "--meta"}, paramLabel = "KEY=VALUE", description = "metadata (repeatable)")
        Map<String, String> meta = new LinkedHashMap<>();

        @Override
        int run(ManagedChannel channel) {
            Service service = Service.newBuilder().setName(name).setId(id).addAllTags(tags)
                    .setAddress(serviceAddress).setPort(port).putAllMeta(meta).build();
            RegisterServiceResponse r = agent(channel, client)
                    .registerService(RegisterServiceRequest.newBuilder().setService(service).build());
            out().println("Registered service: " + r.getServiceId());
            return 0;
        }
    }

    @Command(name = "deregister", description = "Deregister a service instance from the local agent.",
            mixinStandardHelpOptions = true)
    static final class Deregister extends ClientCommand {
        @Option(names = {"-id", "--id"}, required = true, description = "instance ID")
        String id;

        @Override
        int run(ManagedChannel channel) {
            agent(channel, client).deregisterService(DeregisterServiceRequest.newBuilder().setServiceId(id).build());
            out().println("Deregistered service: " + id);
            return 0;
        }
    }

    @Command(name = "list", description = "List the services registered with the local agent.",
            mixinStandardHelpOptions = true)
    static final class ListLocal extends ClientCommand {
        @Override
        int run(ManagedChannel channel) {
            var services = agent(channel, client).listLocalServices(ListLocalServicesRequest.getDefaultInstance())
                    .getServicesList();
            Table t = new Table("ID", "Name", "Address", "Port", "Tags");
            for (Service s : services) {
                t.row(s.getId(), s.getName(), s.getAddress(), String.valueOf(s.getPort()), String.join(",", s.getTagsList()));
            }
            t.print(out());
            return 0;
        }
    }
}
