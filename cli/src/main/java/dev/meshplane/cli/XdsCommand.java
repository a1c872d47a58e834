package dev.meshplane.cli;

import dev.meshplane.api.ApiException;
import dev.meshplane.api.NameRules;
import dev.meshplane.sidecar.xds.XdsConfig;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "xds", description = "xDS for stock gRPC clients and servers.", mixinStandardHelpOptions = true,
        subcommands = {XdsCommand.Bootstrap.class})
final class XdsCommand {

    @Command(name = "bootstrap", mixinStandardHelpOptions = true,
            description = {"Print the xDS bootstrap JSON for an application, pointing its gRPC library at the local "
                    + "sidecar.", "Use it as GRPC_XDS_BOOTSTRAP (a file) or GRPC_XDS_BOOTSTRAP_CONFIG (the text), "
                    + "then dial xds:///SERVICE."})
    static final class Bootstrap implements Callable<Integer> {
        @Option(names = {"-service", "--service"}, required = true, paramLabel = "NAME",
                description = "the application's service name")
        String service;

        @Option(names = {"-address", "--address"}, paramLabel = "HOST:PORT",
                defaultValue = "${env:MESH_GRPC_ADDR:-127.0.0.1:8502}",
                description = "the sidecar's gRPC address (default: $MESH_GRPC_ADDR or 127.0.0.1:8502)")
        String address;

        @Option(names = {"-cert-dir", "--cert-dir"}, paramLabel = "DIR",
                description = "the sidecar's cert files directory (its -connect-files-dir); adds a file_watcher "
                        + "certificate provider over DIR/SERVICE/{cert,key,roots}.pem for mTLS")
        Path certDir;

        @Option(names = {"-node-id", "--node-id"}, paramLabel = "ID",
                description = "the xDS node ID (default: SERVICE-<random>)")
        String nodeId;

        @Option(names = {"-datacenter", "--datacenter"}, defaultValue = "dc1",
                description = "the datacenter reported as the node's locality (default: ${DEFAULT-VALUE})")
        String datacenter;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            try {
                NameRules.checkName("-service", service);
                NameRules.checkName("-datacenter", datacenter);
            } catch (ApiException e) {
                throw new CliException(e.getMessage());
            }
            Addresses.parse("-address", address);
            if (nodeId != null && nodeId.isBlank()) {
                throw new CliException("-node-id: must not be blank");
            }
            String id = nodeId != null ? nodeId : service + "-" + HexFormat.of().formatHex(randomBytes());
            spec.commandLine().getOut().print(new XdsBootstrap(service, address, id, datacenter, certDir,
                    XdsConfig.DEFAULT_CERTIFICATE_PROVIDER).toJson());
            spec.commandLine().getOut().flush();
            return 0;
        }

        private static byte[] randomBytes() {
            byte[] b = new byte[4];
            new SecureRandom().nextBytes(b);
            return b;
        }
    }
}
