package dev.meshplane.cli;

import dev.meshplane.proto.v1.AgentGrpc;
import dev.meshplane.proto.v1.DeregisterServiceRequest;
import dev.meshplane.proto.v1.DeregisterServiceResponse;
import dev.meshplane.proto.v1.ListLocalServicesRequest;
import dev.meshplane.proto.v1.RegisterCheckRequest;
import dev.meshplane.proto.v1.RegisterServiceRequest;
import dev.meshplane.proto.v1.RegisterServiceResponse;
import dev.meshplane.proto.v1.Service;
import dev.meshplane.sidecar.config.ConfigDir;
import dev.meshplane.sidecar.config.ConfigException;
import dev.meshplane.sidecar.config.Definitions;
import dev.meshplane.sidecar.config.ServiceDefinition;
import io.grpc.ManagedChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "services", description = "Register, deregister and list the services of the local agent.",
        mixinStandardHelpOptions = true,
        subcommands = {ServicesCommand.Register.class, ServicesCommand.Deregister.class, ServicesCommand.ListLocal.class})
final class ServicesCommand {

    static AgentGrpc.AgentBlockingStub agent(ManagedChannel channel, ClientOptions client) {
        return AgentGrpc.newBlockingStub(channel).withDeadlineAfter(client.timeoutMillis(), TimeUnit.MILLISECONDS);
    }

    @Command(name = "register", description = {"Register a service instance with the local agent:",
            "from a JSON definition file (Consul's format: \"service\" or \"services\", with checks),",
            "or from flags."}, mixinStandardHelpOptions = true)
    static final class Register extends ClientCommand {
        @Parameters(arity = "0..1", paramLabel = "FILE.json", description = "a service definition file")
        Path file;

        @Option(names = {"-name", "--name"}, description = "service name")
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
            if (file != null) {
                if (name != null) {
                    throw new CommandLine.ParameterException(spec.commandLine(),
                            "give either a definition FILE.json or -name, not both");
                }
                return registerFile(channel);
            }
            if (name == null) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "Missing required option: '--name=<name>' (or give a definition FILE.json)");
            }
            Service service = Service.newBuilder().setName(name).setId(id).addAllTags(tags)
                    .setAddress(serviceAddress).setPort(port).putAllMeta(meta).build();
            report(agent(channel, client).registerService(RegisterServiceRequest.newBuilder().setService(service).build()));
            return 0;
        }

        private int registerFile(ManagedChannel channel) {
            Definitions defs;
            try {
                defs = ConfigDir.loadFile(file, warning -> spec.commandLine().getErr().println("Warning: " + warning));
            } catch (ConfigException e) {
                throw new CliException(e.getMessage());
            }
            if (defs.services().isEmpty() && defs.checks().isEmpty()) {
                throw new CliException(file + ": defines no \"service\", \"services\", \"check\" or \"checks\"");
            }
            for (ServiceDefinition sd : defs.services()) {
                report(agent(channel, client).registerService(RegisterServiceRequest.newBuilder()
                        .setService(sd.service()).addAllChecks(sd.checks()).build()));
            }
            for (Definitions.Located<dev.meshplane.proto.v1.CheckDefinition> c : defs.checks()) {
                String checkId = agent(channel, client).registerCheck(RegisterCheckRequest.newBuilder()
                        .setCheck(c.value()).build()).getCheckId();
                out().println("Registered check: " + checkId);
            }
            return 0;
        }

        private void report(RegisterServiceResponse r) {
            out().println("Registered service: " + r.getServiceId()
                    + (r.getSynced() ? "" : " (servers unreachable: the agent will sync it when they return)"));
        }
    }

    @Command(name = "deregister", description = "Deregister a service instance from the local agent.",
            mixinStandardHelpOptions = true)
    static final class Deregister extends ClientCommand {
        @Parameters(arity = "0..1", paramLabel = "ID", description = "instance ID")
        String positionalId;

        @Option(names = {"-id", "--id"}, description = "instance ID (same as the ID argument)")
        String id;

        @Override
        int run(ManagedChannel channel) {
            if ((positionalId == null) == (id == null)) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "give the instance ID once, as an argument or with -id");
            }
            String target = id != null ? id : positionalId;
            DeregisterServiceResponse r = agent(channel, client)
                    .deregisterService(DeregisterServiceRequest.newBuilder().setServiceId(target).build());
            out().println("Deregistered service: " + target
                    + (r.getSynced() ? "" : " (servers unreachable: the agent will sync it when they return)"));
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
