package dev.meshplane.cli;

import dev.meshplane.proto.v1.HealthStatus;
import dev.meshplane.proto.v1.InstanceRef;
import dev.meshplane.proto.v1.KvEntry;
import dev.meshplane.proto.v1.KvPrefixTopic;
import dev.meshplane.proto.v1.ServiceEntry;
import dev.meshplane.proto.v1.ServiceHealthTopic;
import dev.meshplane.proto.v1.ServiceListTopic;
import dev.meshplane.proto.v1.ServiceSummary;
import dev.meshplane.proto.v1.WatchEvent;
import dev.meshplane.proto.v1.WatchGrpc;
import dev.meshplane.proto.v1.WatchRequest;
import io.grpc.ManagedChannel;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "watch", description = "Print a result, then every change to it, until interrupted.",
        mixinStandardHelpOptions = true,
        subcommands = {WatchCommand.ServiceWatch.class, WatchCommand.KvWatch.class, WatchCommand.ServicesWatch.class})
final class WatchCommand {

    /** Streams events, printing each; stops after {@code count} events when count > 0. */
    abstract static class Streaming extends ClientCommand {
        @Option(names = {"-count", "--count"}, paramLabel = "N",
                description = "exit after N events (default: run until interrupted)")
        int count;

        abstract WatchRequest request();

        abstract void print(WatchEvent event, PrintWriter out);

        @Override
        int run(ManagedChannel channel) {
            if (count < 0) {
                throw new CliException("-count: " + count + " must not be negative");
            }
            // No deadline: a watch runs until interrupted.
            Iterator<WatchEvent> events = WatchGrpc.newBlockingStub(channel).watch(request());
            int seen = 0;
            while (events.hasNext()) {
                WatchEvent e = events.next();
                out().println("[index " + e.getIndex() + "] "
                        + (e.getKind() == WatchEvent.Kind.SNAPSHOT ? "snapshot" : "change"));
                print(e, out());
                out().flush();
                if (count > 0 && ++seen >= count) {
                    return 0;
                }
            }
            return 0;
        }
    }

    @Command(name = "service", description = "Watch the instances of a service and their health.",
            mixinStandardHelpOptions = true)
    static final class ServiceWatch extends Streaming {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Option(names = {"-passing", "--passing"}, description = "only instances whose checks all pass")
        boolean passing;

        @Option(names = {"-tag", "--tag"}, paramLabel = "TAG", description = "only instances with this tag (repeatable)")
        List<String> tags = new ArrayList<>();

        @Override
        WatchRequest request() {
            return WatchRequest.newBuilder().setServiceHealth(ServiceHealthTopic.newBuilder().setService(name)
                    .addAllTags(tags).setPassingOnly(passing)).build();
        }

        @Override
        void print(WatchEvent event, PrintWriter out) {
            for (InstanceRef r : event.getServiceHealth().getRemovedList()) {
                out.println("  - " + r.getNode() + "/" + r.getServiceId());
            }
            for (ServiceEntry e : event.getServiceHealth().getUpsertedList()) {
                String address = e.getService().getAddress().isEmpty() ? e.getNode().getAddress()
                        : e.getService().getAddress();
                out.println("  + " + e.getNode().getName() + "/" + e.getService().getId() + " " + address + ":"
                        + e.getService().getPort() + " " + status(e.getAggregatedStatus())
                        + (e.getService().getTagsCount() == 0 ? "" : " " + e.getService().getTagsList()));
            }
        }

        private static String status(HealthStatus s) {
            return s.name().replace("HEALTH_STATUS_", "").toLowerCase(Locale.ROOT);
        }
    }

    @Command(name = "kv", description = "Watch every key under a prefix.", mixinStandardHelpOptions = true)
    static final class KvWatch extends Streaming {
        @Parameters(index = "0", paramLabel = "PREFIX", arity = "0..1", description = "(default: every key)")
        String prefix = "";

        @Override
        WatchRequest request() {
            return WatchRequest.newBuilder().setKvPrefix(KvPrefixTopic.newBuilder().setPrefix(prefix)).build();
        }

        @Override
        void print(WatchEvent event, PrintWriter out) {
            for (String key : event.getKv().getDeletedList()) {
                out.println("  - " + key);
            }
            for (KvEntry e : event.getKv().getUpsertedList()) {
                out.println("  + " + e.getKey() + " = " + e.getValue().toStringUtf8());
            }
        }
    }

    @Command(name = "services", description = "Watch the list of services.", mixinStandardHelpOptions = true)
    static final class ServicesWatch extends Streaming {
        @Override
        WatchRequest request() {
            return WatchRequest.newBuilder().setServiceList(ServiceListTopic.getDefaultInstance()).build();
        }

        @Override
        void print(WatchEvent event, PrintWriter out) {
            for (ServiceSummary s : event.getServiceList().getServicesList()) {
                out.println("  " + s.getName() + " (" + s.getInstances() + ")"
                        + (s.getTagsCount() == 0 ? "" : " " + s.getTagsList()));
            }
        }
    }
}
