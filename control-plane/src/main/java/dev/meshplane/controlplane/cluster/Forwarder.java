package dev.meshplane.controlplane.cluster;

import dev.meshplane.controlplane.log.Consensus;
import dev.meshplane.proto.internal.v1.Command;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Hands a client's write to the leader and brings back its index and result, over one
 * {@link ForwardStream} per leader address (opened on first use, replaced once broken).
 */
final class Forwarder implements AutoCloseable {
    /** A forwarded write gets as long as a client would wait for any write. */
    static final long TIMEOUT_SECONDS = 30;

    private final PeerTransport transport;
    private final Map<String, ForwardStream> streams = new ConcurrentHashMap<>();

    Forwarder(PeerTransport transport) {
        this.transport = transport;
    }

    CompletableFuture<Consensus.Applied> forward(String leaderAddress, Command command) {
        ForwardStream stream = streams.compute(leaderAddress, (a, s) -> s == null || s.broken()
                ? new ForwardStream(transport.channelTo(a)) : s);
        return stream.forward(command, TIMEOUT_SECONDS);
    }

    @Override
    public void close() {
        // Channels belong to the transport; the streams on them are ours.
        streams.values().forEach(ForwardStream::close);
    }
}
