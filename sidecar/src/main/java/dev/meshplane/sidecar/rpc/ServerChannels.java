package dev.meshplane.sidecar.rpc;

import dev.meshplane.api.ClientRetry;
import io.grpc.Attributes;
import io.grpc.EquivalentAddressGroup;
import io.grpc.ManagedChannel;
import io.grpc.NameResolver;
import io.grpc.NameResolverProvider;
import io.grpc.netty.NettyChannelBuilder;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/**
 * A channel to the servers of a datacenter given as a fixed list of server RPC addresses: the
 * channel connects to the first that answers and moves on to the next when it goes away (gRPC's
 * pick_first over all of them), so an agent keeps working while servers come and go. Any server
 * accepts any request: followers forward writes to the leader.
 */
public final class ServerChannels {
    private static final String SCHEME = "meshplane-servers";

    private ServerChannels() {}

    public static ManagedChannel forAddresses(List<String> hostPorts) {
        List<SocketAddress> addresses = new ArrayList<>();
        for (String hp : hostPorts) {
            int colon = hp.lastIndexOf(':');
            addresses.add(new InetSocketAddress(hp.substring(0, colon), Integer.parseInt(hp.substring(colon + 1))));
        }
        return NettyChannelBuilder.forTarget(SCHEME + ":///servers").usePlaintext()
                .nameResolverFactory(new FixedResolverProvider(addresses))
                .defaultLoadBalancingPolicy("pick_first")
                .maxInboundMessageSize(64 << 20)
                .defaultServiceConfig(ClientRetry.serviceConfig()).enableRetry()
                .build();
    }

    private static final class FixedResolverProvider extends NameResolverProvider {
        private final List<SocketAddress> addresses;

        FixedResolverProvider(List<SocketAddress> addresses) {
            this.addresses = addresses;
        }

        @Override
        public NameResolver newNameResolver(URI targetUri, NameResolver.Args args) {
            return new NameResolver() {
                @Override
                public String getServiceAuthority() {
                    return "servers";
                }

                @Override
                public void start(Listener2 listener) {
                    // One group: pick_first walks its addresses in order and fails over between them.
                    listener.onResult(ResolutionResult.newBuilder()
                            .setAddresses(List.of(new EquivalentAddressGroup(addresses)))
                            .setAttributes(Attributes.EMPTY).build());
                }

                @Override
                public void shutdown() {
                }
            };
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
    }
}
