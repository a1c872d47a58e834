package dev.meshplane.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The bootstrap an application's gRPC library reads (GRPC_XDS_BOOTSTRAP or
 * GRPC_XDS_BOOTSTRAP_CONFIG) to talk xDS to its local sidecar: the sidecar as the one xDS server
 * (plaintext: it is on the node, usually on loopback), the node's identity, a file_watcher
 * certificate provider over the sidecar's cert files for the service, and the name template
 * XdsServerBuilder needs for server-side Listeners.
 *
 * @param service        the application's service name
 * @param agentAddress   the sidecar's gRPC address, host:port
 * @param nodeId         the xDS node ID the sidecar logs the application under
 * @param datacenter     the locality region the node reports
 * @param certDir        the sidecar's cert files directory (one subdirectory per service), or null for none
 * @param providerName   the certificate provider instance the sidecar's TLS contexts name
 */
record XdsBootstrap(String service, String agentAddress, String nodeId, String datacenter, Path certDir,
                    String providerName) {
    /** What XdsServerBuilder fills with the address it listens on. */
    static final String SERVER_LISTENER_TEMPLATE = "grpc/server?xds.resource.listening_address=%s";
    /** How often grpc-java's file_watcher looks at the cert files (the sidecar renews days ahead). */
    static final String CERT_REFRESH_INTERVAL = "60s";

    String toJson() {
        List<String> top = new ArrayList<>();
        top.add(field("xds_servers", "[" + object(List.of(
                field("server_uri", quote(agentAddress)),
                field("channel_creds", "[" + object(List.of(field("type", quote("insecure")))) + "]"),
                // The sidecar is the node's own agent: trusted. Resource deletions are not ignored, so a
                // deregistered service fails fast rather than being served from a stale copy.
                field("server_features", "[" + quote("trusted_xds_server") + "]"))) + "]"));
        List<String> metadata = new ArrayList<>(List.of(field("MESH_SERVICE", quote(service))));
        if (certDir != null) {
            // Tells the sidecar this application holds mesh certificates: its server Listeners get mTLS.
            metadata.add(field("MESH_CERTIFICATE_PROVIDER", quote(providerName)));
        }
        top.add(field("node", object(List.of(
                field("id", quote(nodeId)),
                field("cluster", quote(service)),
                field("locality", object(List.of(field("region", quote(datacenter))))),
                field("metadata", object(metadata))))));
        if (certDir != null) {
            Path dir = certDir.resolve(service).toAbsolutePath();
            top.add(field("certificate_providers", object(List.of(field(providerName, object(List.of(
                    field("plugin_name", quote("file_watcher")),
                    field("config", object(List.of(
                            field("certificate_file", quote(dir.resolve("cert.pem").toString())),
                            field("private_key_file", quote(dir.resolve("key.pem").toString())),
                            field("ca_certificate_file", quote(dir.resolve("roots.pem").toString())),
                            field("refresh_interval", quote(CERT_REFRESH_INTERVAL))))))))))));
        }
        top.add(field("server_listener_resource_name_template", quote(SERVER_LISTENER_TEMPLATE)));
        return object(top) + "\n";
    }

    private static String field(String name, String json) {
        return quote(name) + ": " + json;
    }

    private static String object(List<String> fields) {
        return "{" + String.join(", ", fields) + "}";
    }

    static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }
}
