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
        return forAddresses(new ServerAddresses(hostPorts));
    }

    /** A channel that follows {@code servers} as gossip learns of servers coming and going. */
    public static ManagedChannel forAddresses(ServerAddresses servers) {
        return NettyChannelBuilder.forTarget(SCHEME + ":///servers").usePlaintext()
                .nameResolverFactory(new FixedResolverProvider(servers))
                .defaultLoadBalancingPolicy("pick_first")
                .maxInboundMessageSize(64 << 20)
                .defaultServiceConfig(ClientRetry.serviceConfig()).enableRetry()
                .build();
    }

    private static List<SocketAddress> socketAddresses(List<String> hostPorts) {
        List<SocketAddress> addresses = new ArrayList<>();
        for (String hp : hostPorts) {
            int colon = hp.lastIndexOf(':');
            addresses.add(new InetSocketAddress(hp.substring(0, colon),
                    Integer.parseInt(hp.substring(colon + 1))));
        }
        return addresses;
    }

    private static final class FixedResolverProvider extends NameResolverProvider {
        private final ServerAddresses servers;

        FixedResolverProvider(ServerAddresses servers) {
            this.servers = servers;
        }

        @Override
        public NameResolver newNameResolver(URI targetUri, NameResolver.Args args) {
            return new NameResolver() {
                private java.util.function.Consumer<List<String>> subscription;

                @Override
                public String getServiceAuthority() {
                    return "servers";
                }

                @Override
                public void start(Listener2 listener) {
                    subscription = now -> publish(listener, now);
                    servers.onChange(subscription);
                    publish(listener, servers.current());
                }

                private void publish(Listener2 listener, List<String> hostPorts) {
                    // One group: pick_first walks its addresses in order and fails over between them.
                    listener.onResult(ResolutionResult.newBuilder()
                            .setAddresses(List.of(new EquivalentAddressGroup(socketAddresses(hostPorts))))
                            .setAttributes(Attributes.EMPTY).build());
                }

                @Override
                public void shutdown() {
                    if (subscription != null) {
                        servers.removeListener(subscription);
                    }
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
