package dev.meshplane.cli;

import dev.meshplane.proto.v1.Intention;
import dev.meshplane.proto.v1.IntentionAction;
import dev.meshplane.proto.v1.IntentionCheckRequest;
import dev.meshplane.proto.v1.IntentionCheckResponse;
import dev.meshplane.proto.v1.IntentionDeleteRequest;
import dev.meshplane.proto.v1.IntentionGetRequest;
import dev.meshplane.proto.v1.IntentionListRequest;
import dev.meshplane.proto.v1.IntentionListResponse;
import dev.meshplane.proto.v1.IntentionMatchRequest;
import dev.meshplane.proto.v1.IntentionUpsertRequest;
import dev.meshplane.proto.v1.IntentionsGrpc;
import io.grpc.ManagedChannel;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "intention", description = "Manage which services may connect to which.", mixinStandardHelpOptions = true,
        subcommands = {IntentionCommand.Allow.class, IntentionCommand.Deny.class, IntentionCommand.Check.class,
                IntentionCommand.ListAll.class, IntentionCommand.Get.class, IntentionCommand.Delete.class,
                IntentionCommand.Match.class})
final class IntentionCommand {

    static IntentionsGrpc.IntentionsBlockingStub api(ManagedChannel channel, ClientOptions client) {
        return IntentionsGrpc.newBlockingStub(channel).withDeadlineAfter(client.timeoutMillis(), TimeUnit.MILLISECONDS);
    }

    static String action(Intention i) {
        return i.getAction() == IntentionAction.INTENTION_ACTION_ALLOW ? "allow" : "deny";
    }

    static String describe(Intention i) {
        return i.getSourceName() + " => " + i.getDestinationName() + " (" + action(i) + ")";
    }

    /** allow and deny: create or replace the intention for SRC => DST. */
    abstract static class Write extends ClientCommand {
        @Parameters(index = "0", paramLabel = "SRC", description = "source service name, or * for every service")
        String source;

        @Parameters(index = "1", paramLabel = "DST", description = "destination service name, or *")
        String destination;

        @Option(names = {"-description", "--description"}, defaultValue = "", description = "why this intention exists")
        String description;

        abstract IntentionAction action();

        @Override
        int run(ManagedChannel channel) {
            Intention i = Intention.newBuilder().setSourceName(source).setDestinationName(destination)
                    .setAction(action()).setDescription(description).build();
            api(channel, client).upsert(IntentionUpsertRequest.newBuilder().setIntention(i).build());
            out().println("Intention written: " + describe(i));
            out().flush();
            return 0;
        }
    }

    @Command(name = "allow", description = "Allow SRC to connect to DST.", mixinStandardHelpOptions = true)
    static final class Allow extends Write {
        @Override
        IntentionAction action() {
            return IntentionAction.INTENTION_ACTION_ALLOW;
        }
    }

    @Command(name = "deny", description = "Deny SRC connections to DST.", mixinStandardHelpOptions = true)
    static final class Deny extends Write {
        @Override
        IntentionAction action() {
            return IntentionAction.INTENTION_ACTION_DENY;
        }
    }

    @Command(name = "check", description = {"Whether SRC may connect to DST: exit 0 allowed, 1 denied.",
            "Prints which intention (or the default policy) decided."}, mixinStandardHelpOptions = true)
    static final class Check extends ClientCommand {
        @Parameters(index = "0", paramLabel = "SRC")
        String source;

        @Parameters(index = "1", paramLabel = "DST")
        String destination;

        @Override
        int run(ManagedChannel channel) {
            IntentionCheckResponse r = api(channel, client).check(IntentionCheckRequest.newBuilder()
                    .setSourceName(source).setDestinationName(destination).build());
            out().println(r.getAllowed() ? "Allowed" : "Denied");
            out().println(r.getReason());
            out().flush();
            return r.getAllowed() ? 0 : 1;
        }
    }

    @Command(name = "list", description = "List every intention, in evaluation order.", mixinStandardHelpOptions = true)
    static final class ListAll extends ClientCommand {
        @Override
        int run(ManagedChannel channel) {
            print(api(channel, client).list(IntentionListRequest.getDefaultInstance()));
            return 0;
        }

        void print(IntentionListResponse r) {
            Table t = new Table("Source", "Action", "Destination", "Precedence", "Description");
            for (Intention i : r.getIntentionsList()) {
                t.row(i.getSourceName(), action(i), i.getDestinationName(), String.valueOf(i.getPrecedence()),
                        i.getDescription());
            }
            t.print(out());
            out().println("Default policy: " + (r.getDefaultAllow() ? "allow" : "deny"));
            out().flush();
        }
    }

    @Command(name = "get", description = "Show the intention for exactly SRC => DST.", mixinStandardHelpOptions = true)
    static final class Get extends ClientCommand {
        @Parameters(index = "0", paramLabel = "SRC")
        String source;

        @Parameters(index = "1", paramLabel = "DST")
        String destination;

        @Override
        int run(ManagedChannel channel) {
            Intention i = api(channel, client).get(IntentionGetRequest.newBuilder().setSourceName(source)
                    .setDestinationName(destination).build()).getIntention();
            Table t = new Table("Field", "Value");
            t.row("Source", i.getSourceName()).row("Destination", i.getDestinationName()).row("Action", action(i))
                    .row("Precedence", String.valueOf(i.getPrecedence())).row("Description", i.getDescription())
                    .row("CreateIndex", String.valueOf(i.getCreateIndex()))
                    .row("ModifyIndex", String.valueOf(i.getModifyIndex()));
            t.print(out());
            return 0;
        }
    }

    @Command(name = "delete", description = "Delete the intention for SRC => DST.", mixinStandardHelpOptions = true)
    static final class Delete extends ClientCommand {
        @Parameters(index = "0", paramLabel = "SRC")
        String source;

        @Parameters(index = "1", paramLabel = "DST")
        String destination;

        @Override
        int run(ManagedChannel channel) {
            api(channel, client).delete(IntentionDeleteRequest.newBuilder().setSourceName(source)
                    .setDestinationName(destination).build());
            out().println("Intention deleted: " + source + " => " + destination);
            out().flush();
            return 0;
        }
    }

    @Command(name = "match", description = "The intentions that apply to a source or a destination, in evaluation order.",
            mixinStandardHelpOptions = true)
    static final class Match extends ClientCommand {
        static final class By {
            @Option(names = {"-source", "--source"}, required = true, description = "match by source")
            boolean source;

            @Option(names = {"-destination", "--destination"}, required = true, description = "match by destination")
            boolean destination;
        }

        @ArgGroup(exclusive = true, multiplicity = "1")
        By by;

        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Override
        int run(ManagedChannel channel) {
            IntentionListResponse r = api(channel, client).match(IntentionMatchRequest.newBuilder()
                    .setBy(by.source ? IntentionMatchRequest.By.BY_SOURCE : IntentionMatchRequest.By.BY_DESTINATION)
                    .setName(name).build());
            for (Intention i : r.getIntentionsList()) {
                out().println(describe(i));
            }
            out().flush();
            return 0;
        }
    }
}
