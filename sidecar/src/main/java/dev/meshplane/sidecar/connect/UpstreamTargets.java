package dev.meshplane.sidecar.connect;

import dev.meshplane.proto.v1.CatalogGrpc;
import dev.meshplane.proto.v1.ServiceEntriesResponse;
import dev.meshplane.proto.v1.ServiceEntry;
import dev.meshplane.proto.v1.ServiceQuery;
import dev.meshplane.sidecar.rpc.BlockingQueryLoop;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The public listeners of a destination's healthy instances (all checks passing, with a
 * sidecar), kept current by a blocking query on the catalog's health. Instances are handed
 * out round-robin: each connection starts at the next one and, on failure, walks on.
 */
final class UpstreamTargets implements AutoCloseable {
    private final String destination;
    private final BlockingQueryLoop<ServiceEntriesResponse> watch;
    private final AtomicInteger next = new AtomicInteger();
    private volatile List<InetSocketAddress> healthy = List.of();
    private volatile boolean loaded;

    UpstreamTargets(String destination, CatalogGrpc.CatalogBlockingStub catalog, Duration maxBackoff) {
        this.destination = destination;
        this.watch = new BlockingQueryLoop<>("health of " + destination, options -> catalog
                .withDeadlineAfter(BlockingQueryLoop.CALL_DEADLINE_SECONDS, TimeUnit.SECONDS)
                .serviceHealth(ServiceQuery.newBuilder().setService(destination).setPassingOnly(true)
                        .setOptions(options).build()),
                r -> BlockingQueryLoop.indexOf(r.getMeta()), this::update, maxBackoff);
    }

    UpstreamTargets start() {
        watch.start();
        return this;
    }

    private void update(ServiceEntriesResponse r) {
        List<InetSocketAddress> out = new ArrayList<>();
        for (ServiceEntry e : r.getEntriesList()) {
            int port = e.getService().getConnect().getSidecarService().getPort();
            if (port > 0) {
                String host = e.getService().getAddress().isEmpty() ? e.getNode().getAddress() : e.getService().getAddress();
                out.add(new InetSocketAddress(host, port));
            }
        }
        healthy = List.copyOf(out);
        loaded = true;
    }

    /** Every healthy instance, starting at the next in round-robin order. */
    List<InetSocketAddress> order() {
        List<InetSocketAddress> h = healthy;
        if (h.isEmpty()) {
            return h;
        }
        int start = Math.floorMod(next.getAndIncrement(), h.size());
        List<InetSocketAddress> out = new ArrayList<>(h.size());
        for (int i = 0; i < h.size(); i++) {
            out.add(h.get((start + i) % h.size()));
        }
        return out;
    }

    boolean loaded() {
        return loaded;
    }

    String destination() {
        return destination;
    }

    @Override
    public void close() {
        watch.close();
    }
}
