package dev.meshplane.sidecar.checks;

import dev.meshplane.api.ApiException;
import dev.meshplane.proto.v1.TlsOptions;
import io.grpc.ManagedChannel;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyChannelBuilder;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;

/**
 * One gRPC channel per (host, port, TLS options), shared by every check that probes the same
 * target and closed when the last of them goes: a check reuses its connection every interval
 * instead of dialling anew, and a thousand checks against one server cost one connection.
 */
final class GrpcChannels implements AutoCloseable {
    /** The largest health response accepted: the real ones are a few bytes. */
    private static final int MAX_RESPONSE_BYTES = 64 * 1024;

    record Key(String host, int port, TlsOptions tls) {}

    private final Map<Key, Entry> channels = new HashMap<>();

    private static final class Entry {
        final ManagedChannel channel;
        int users;

        Entry(ManagedChannel channel) {
            this.channel = channel;
        }
    }

    /** A check's hold on a shared channel. */
    final class Lease {
        private final Key key;
        private final ManagedChannel channel;
        private boolean released;

        private Lease(Key key, ManagedChannel channel) {
            this.key = key;
            this.channel = channel;
        }

        ManagedChannel channel() {
            return channel;
        }

        void release() {
            synchronized (GrpcChannels.this) {
                if (released) {
                    return;
                }
                released = true;
                Entry e = channels.get(key);
                if (e != null && --e.users == 0) {
                    channels.remove(key);
                    e.channel.shutdownNow();
                }
            }
        }
    }

    /** Builds the channel on first use; TLS files are read then, so bad ones fail the registration. */
    synchronized Lease acquire(String field, Key key) {
        Entry e = channels.get(key);
        if (e == null) {
            e = new Entry(build(field, key));
            channels.put(key, e);
        }
        e.users++;
        return new Lease(key, e.channel);
    }

    synchronized int size() {
        return channels.size();
    }

    private static ManagedChannel build(String field, Key key) {
        NettyChannelBuilder b = NettyChannelBuilder.forAddress(key.host(), key.port())
                .userAgent("meshplane-health-check")
                .maxInboundMessageSize(MAX_RESPONSE_BYTES)
                // Checks run every few seconds; the default 30 min idle timeout keeps the connection.
                .idleTimeout(30, TimeUnit.MINUTES)
                // A check is one attempt (GrpcProbe decides when to try once more), so the
                // per-call bookkeeping of transparent retries buys nothing.
                .disableRetry()
                // The answer only completes a future: take it on the event loop, no hand-off.
                .directExecutor();
        TlsOptions tls = key.tls();
        if (!tls.getEnabled()) {
            return b.usePlaintext().build();
        }
        try {
            SslContextBuilder ssl = GrpcSslContexts.forClient().trustManager(TlsSetup.trustManager(field, tls));
            TlsSetup.ClientKey clientKey = TlsSetup.clientKey(field, tls);
            if (clientKey != null) {
                ssl.keyManager(clientKey.key(), clientKey.chain());
            }
            SslContext context = ssl.build();
            b.sslContext(context);
        } catch (SSLException e) {
            throw ApiException.invalidArgument(field, "cannot set up TLS: " + e.getMessage());
        }
        if (!tls.getServerName().isEmpty()) {
            // Both the SNI sent and the name the certificate is verified against.
            b.overrideAuthority(tls.getServerName());
        }
        return b.build();
    }

    @Override
    public synchronized void close() {
        channels.values().forEach(e -> e.channel.shutdownNow());
        channels.clear();
    }
}
