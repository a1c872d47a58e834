package dev.meshplane.cli;

import dev.meshplane.proto.v1.KeyringMemberResult;
import dev.meshplane.proto.v1.KeyringOp;
import dev.meshplane.proto.v1.KeyringRequest;
import dev.meshplane.proto.v1.KeyringResponse;
import io.grpc.ManagedChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "keyring", mixinStandardHelpOptions = true,
        description = {"Manage gossip encryption keys on every alive member of the pool.",
                "Rotate with -install NEW, then -use NEW, then -remove OLD."})
final class KeyringCommand extends ClientCommand {
    @ArgGroup(exclusive = true, multiplicity = "1")
    Action action;

    static final class Action {
        @Option(names = {"-list", "--list"}, description = "list the keys each member holds")
        boolean list;
        @Option(names = {"-install", "--install"}, paramLabel = "KEY", description = "add a key (not used to send yet)")
        String install;
        @Option(names = {"-use", "--use"}, paramLabel = "KEY", description = "make an installed key the primary")
        String use;
        @Option(names = {"-remove", "--remove"}, paramLabel = "KEY", description = "remove a key that is not the primary")
        String remove;
    }

    @Option(names = {"-wan", "--wan"}, description = "the WAN pool's keyring")
    boolean wan;

    @Override
    int run(ManagedChannel channel) {
        KeyringRequest.Builder req = KeyringRequest.newBuilder().setWan(wan);
        String verb;
        if (action.list) {
            req.setOp(KeyringOp.KEYRING_OP_LIST);
            verb = "list";
        } else if (action.install != null) {
            req.setOp(KeyringOp.KEYRING_OP_INSTALL).setKey(action.install);
            verb = "install";
        } else if (action.use != null) {
            req.setOp(KeyringOp.KEYRING_OP_USE).setKey(action.use);
            verb = "use";
        } else {
            req.setOp(KeyringOp.KEYRING_OP_REMOVE).setKey(action.remove);
            verb = "remove";
        }
        KeyringResponse r = ServicesCommand.agent(channel, client).keyring(req.build());
        int members = r.getResultsCount();
        List<String> failures = new ArrayList<>();
        Map<String, Integer> holders = new TreeMap<>();
        for (KeyringMemberResult m : r.getResultsList()) {
            if (!m.getOk()) {
                failures.add(m.getNode() + ": " + m.getError());
            }
            m.getKeysList().forEach(k -> holders.merge(k, 1, Integer::sum));
        }
        if (action.list) {
            out().println((wan ? "WAN" : "LAN") + " gossip encryption keys (" + members + " members):");
            holders.forEach((k, n) -> out().println("  " + k + " [" + n + "/" + members + "]"));
        }
        out().flush();
        if (!failures.isEmpty()) {
            throw new CliException("keyring " + verb + " failed on " + failures.size() + " of " + members
                    + " members: " + String.join("; ", failures));
        }
        if (!action.list) {
            out().println("Keyring " + verb + " done on " + members + " members");
        }
        return 0;
    }
}
