package dev.meshplane.client;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.NameResolver;
import io.grpc.NameResolverProvider;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.URI;
import java.util.Collection;
import java.util.List;

/**
 * The {@code mesh:///<service>} name resolver: healthy instances of a service, pushed by the local
 * sidecar's Watch stream (for applications that do not use xDS). Found by gRPC's service loader,
 * so {@code Grpc.newChannelBuilder("mesh:///greeter", creds)} works once this jar is on the class
 * path; the sidecar is at $MESH_GRPC_ADDR or 127.0.0.1:8502, or wherever the target's authority
 * says: {@code mesh://10.0.0.7:8502/greeter}.
 */
public final class MeshNameResolverProvider extends NameResolverProvider {
    public static final String SCHEME = "mesh";

    private final MeshResolverConfig config;

    /** For the service loader: settings from the environment. */
    public MeshNameResolverProvider() {
        this(MeshResolverConfig.defaults());
    }

    public MeshNameResolverProvider(MeshResolverConfig config) {
        this.config = config;
    }

    @Override
    public NameResolver newNameResolver(URI target, NameResolver.Args args) {
        if (!SCHEME.equals(target.getScheme())) {
            return null;
        }
        String path = target.getPath();
        if (path == null || !path.startsWith("/") || path.length() < 2 || path.indexOf('/', 1) >= 0) {
            throw new IllegalArgumentException("target " + target + ": expected mesh:///SERVICE");
        }
        String service = path.substring(1);
        // mesh://HOST:PORT/SERVICE names the sidecar, as dns://SERVER/NAME names a DNS server.
        MeshResolverConfig c = target.getAuthority() == null || target.getAuthority().isEmpty() ? config
                : config.withSidecarAddress(target.getAuthority());
        return new MeshNameResolver(service, service, () -> sidecarChannel(c.sidecarAddress()), c, args);
    }

    /** The resolver's own plaintext channel to the sidecar on the node. */
    private static ManagedChannel sidecarChannel(String address) {
        return Grpc.newChannelBuilder(address, InsecureChannelCredentials.create()).build();
    }

    @Override
    public String getDefaultScheme() {
        return SCHEME;
    }

    @Override
    protected boolean isAvailable() {
        return true;
    }

    @Override
    protected int priority() {
        return 5;
    }

    @Override
    public Collection<Class<? extends SocketAddress>> getProducedSocketAddressTypes() {
        return List.of(InetSocketAddress.class);
    }
}
