package dev.meshplane.cli;

import dev.meshplane.proto.v1.SetMaintenanceRequest;
import dev.meshplane.proto.v1.SetMaintenanceResponse;
import io.grpc.ManagedChannel;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "maint", mixinStandardHelpOptions = true,
        description = {"Put the node, or one service, into maintenance or take it out.",
                "In maintenance, discovery treats the node or service as critical."})
final class MaintCommand extends ClientCommand {
    static final class Mode {
        @Option(names = {"-enable", "--enable"}, required = true, description = "enter maintenance")
        boolean enable;

        @Option(names = {"-disable", "--disable"}, required = true, description = "leave maintenance")
        boolean disable;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Mode mode;

    @Option(names = {"-service", "--service"}, paramLabel = "ID", description = "a service instance (default: the node)")
    String service = "";

    @Option(names = {"-reason", "--reason"}, paramLabel = "TEXT", description = "why (shown as the check's notes)")
    String reason = "";

    @Override
    int run(ManagedChannel channel) {
        SetMaintenanceResponse r = ServicesCommand.agent(channel, client).setMaintenance(SetMaintenanceRequest.newBuilder()
                .setServiceId(service).setEnable(mode.enable).setReason(reason).build());
        String what = service.isEmpty() ? "Node" : "Service " + service;
        out().println(what + (mode.enable ? " is in maintenance" : " left maintenance") + " (check " + r.getCheckId() + ")"
                + (r.getSynced() ? "" : "; servers unreachable: the agent will sync it when they return"));
        return 0;
    }
}
