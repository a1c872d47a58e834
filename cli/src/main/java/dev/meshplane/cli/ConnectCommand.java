package dev.meshplane.cli;

import dev.meshplane.proto.v1.CaRoot;
import dev.meshplane.proto.v1.CaRootsRequest;
import dev.meshplane.proto.v1.CaRootsResponse;
import dev.meshplane.proto.v1.ConnectCAGrpc;
import dev.meshplane.proto.v1.RotateRequest;
import dev.meshplane.proto.v1.RotateResponse;
import dev.meshplane.proto.v1.SetRootRequest;
import io.grpc.ManagedChannel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "connect", description = "The service mesh: the certificate authority.", mixinStandardHelpOptions = true,
        subcommands = {ConnectCommand.Ca.class})
final class ConnectCommand {

    static ConnectCAGrpc.ConnectCABlockingStub ca(ManagedChannel channel, ClientOptions client) {
        return ConnectCAGrpc.newBlockingStub(channel).withDeadlineAfter(client.timeoutMillis(), TimeUnit.MILLISECONDS);
    }

    @Command(name = "ca", description = "Inspect and rotate the CA.", mixinStandardHelpOptions = true,
            subcommands = {Roots.class, Rotate.class, SetRoot.class})
    static final class Ca {}

    @Command(name = "roots", description = "List the CA roots every sidecar trusts (public certificates only).",
            mixinStandardHelpOptions = true)
    static final class Roots extends ClientCommand {
        @Option(names = {"-pem", "--pem"}, description = "print the trust bundle as PEM instead of a table")
        boolean pem;

        @Override
        int run(ManagedChannel channel) {
            CaRootsResponse r = ca(channel, client).roots(CaRootsRequest.getDefaultInstance());
            if (r.getActiveRootId().isEmpty()) {
                throw new CliException("the cluster has no CA yet (the leader creates it when elected)");
            }
            if (pem) {
                r.getRootsList().forEach(root -> out().print(root.getRootCert()));
                out().flush();
                return 0;
            }
            out().println("Trust domain: " + r.getTrustDomain());
            Table t = new Table("ID", "Name", "Active", "NotAfter", "RotatedOutAt");
            for (CaRoot root : r.getRootsList()) {
                t.row(root.getId(), root.getName(), String.valueOf(root.getActive()),
                        Instant.ofEpochSecond(root.getNotAfter().getSeconds()).toString(),
                        root.hasRotatedOutAt() ? Instant.ofEpochSecond(root.getRotatedOutAt().getSeconds()).toString()
                                : "-");
            }
            t.print(out());
            return 0;
        }
    }

    @Command(name = "rotate", description = {"Generate a new root, cross-signed by the active one, and make it active.",
            "Both roots stay trusted until the old one is dropped (twice the leaf TTL later)."},
            mixinStandardHelpOptions = true)
    static final class Rotate extends ClientCommand {
        @Override
        int run(ManagedChannel channel) {
            print(ca(channel, client).rotate(RotateRequest.getDefaultInstance()));
            return 0;
        }

        void print(RotateResponse r) {
            out().println("Rotated the CA: active root " + r.getActiveRootId());
            out().println("Previous root (still trusted): " + r.getPreviousRootId());
            out().flush();
        }
    }

    @Command(name = "set-root", description = "Make an operator-provided root (P-256) active, cross-signed by the active one.",
            mixinStandardHelpOptions = true)
    static final class SetRoot extends ClientCommand {
        @Option(names = {"-cert", "--cert"}, required = true, paramLabel = "FILE", description = "root certificate, PEM")
        Path cert;

        @Option(names = {"-key", "--key"}, required = true, paramLabel = "FILE", description = "its private key, PEM")
        Path key;

        @Override
        int run(ManagedChannel channel) throws IOException {
            RotateResponse r = ca(channel, client).setRoot(SetRootRequest.newBuilder()
                    .setRootCertPem(read(cert, "-cert")).setPrivateKeyPem(read(key, "-key")).build());
            out().println("Rotated the CA: active root " + r.getActiveRootId());
            out().println("Previous root (still trusted): " + r.getPreviousRootId());
            out().flush();
            return 0;
        }

        private static String read(Path file, String flag) {
            try {
                return Files.readString(file);
            } catch (IOException e) {
                throw new CliException(flag + ": cannot read " + file + ": " + e.getMessage());
            }
        }
    }
}
