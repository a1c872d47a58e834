package dev.meshplane.sidecar.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.meshplane.api.Durations;
import dev.meshplane.proto.v1.ListLocalServicesRequest;
import dev.meshplane.proto.v1.QueryOptions;
import dev.meshplane.proto.v1.SignResponse;
import dev.meshplane.sidecar.connect.SidecarConnect;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * GET /v1/agent/connect/ca/leaf/:service: the leaf (with its private key) that this agent keeps
 * for one of its own mesh services, in Consul's shape. It is a blocking query: with ?index the
 * answer comes when the agent holds a different leaf (a renewal or a root rotation) or when the
 * wait ends. The agent's leaf manager has no change notification, so a waiting request checks
 * it every {@link #POLL}: in memory, on a shared timer, without a thread per waiter.
 */
final class AgentLeafEndpoint {
    private static final String PREFIX = "/v1/agent/connect/ca/leaf/";
    /** How often a parked request looks for a new leaf: renewals are hours apart, so this is plenty. */
    static final Duration POLL = Duration.ofMillis(100);
    /** A plain read of a service whose first leaf is still being signed waits this long for it. */
    static final Duration FIRST_LEAF_WAIT = Duration.ofSeconds(10);
    /** Consul's blocking-query defaults: 5 minutes unless ?wait says otherwise, at most 10. */
    static final Duration DEFAULT_WAIT = Duration.ofMinutes(5);
    static final Duration MAX_WAIT = Duration.ofMinutes(10);

    private static final Executor TICK = CompletableFuture.delayedExecutor(POLL.toMillis(), TimeUnit.MILLISECONDS);

    private final ApiContext c;

    private AgentLeafEndpoint(ApiContext c) {
        this.c = c;
    }

    static void register(Router router, ApiContext c) {
        router.add("GET", PREFIX, new AgentLeafEndpoint(c)::leaf);
    }

    private CompletableFuture<Reply> leaf(Request r) {
        String service = r.tail(PREFIX);
        if (service.isEmpty()) {
            throw HttpError.badRequest("Missing service name");
        }
        QueryOptions options = c.query.options(r);
        SidecarConnect mesh = c.mesh;
        if (mesh == null) {
            throw new HttpError(501, "this agent runs without its mesh side: it keeps no leaf certificates");
        }
        long index = options.getIndex();
        Duration wait = index == 0 ? FIRST_LEAF_WAIT : options.hasWait()
                ? min(Durations.toJava(options.getWait()), MAX_WAIT) : DEFAULT_WAIT;
        long deadline = System.nanoTime() + wait.toNanos();
        return Calls.of(r, c.agent.listLocalServices(ListLocalServicesRequest.getDefaultInstance())).thenCompose(a -> {
            boolean meshService = a.getServicesList().stream()
                    .anyMatch(s -> s.getName().equals(service) && s.hasConnect());
            if (!meshService) {
                throw HttpError.notFound("No leaf certificate for service \"" + service + "\": no service of that name"
                        + " with a Connect block (sidecar_service or native) is registered on this agent");
            }
            CompletableFuture<Reply> answer = new CompletableFuture<>();
            r.onCancel(() -> answer.cancel(false));
            poll(r, mesh, service, index, deadline, answer);
            return answer;
        });
    }

    private void poll(Request r, SidecarConnect mesh, String service, long index, long deadline,
                      CompletableFuture<Reply> answer) {
        if (answer.isDone()) {
            return;
        }
        Optional<SidecarConnect.LocalLeaf> leaf = mesh.localLeaf(service);
        boolean changed = leaf.isPresent() && (index == 0 || index(leaf.get().issued()) != index);
        if (changed || (leaf.isPresent() && System.nanoTime() - deadline >= 0)) {
            answer.complete(reply(r, leaf.get()));
        } else if (System.nanoTime() - deadline >= 0) {
            answer.completeExceptionally(new HttpError(504, "No leaf certificate for service \"" + service
                    + "\" yet: the agent is still obtaining one from the servers; retry"));
        } else {
            CompletableFuture.runAsync(() -> poll(r, mesh, service, index, deadline, answer), TICK);
        }
    }

    private static Reply reply(Request r, SidecarConnect.LocalLeaf leaf) {
        SignResponse s = leaf.issued();
        long index = index(s);
        ObjectNode o = Json.object();
        o.put("SerialNumber", s.getSerialNumber());
        o.put("CertPEM", s.getCertPem());
        o.put("PrivateKeyPEM", leaf.privateKeyPem());
        o.put("Service", s.getService());
        o.put("ServiceURI", s.getServiceUri());
        o.put("ValidAfter", ConsulTime.format(s.getValidAfter()));
        o.put("ValidBefore", ConsulTime.format(s.getValidBefore()));
        o.put("CreateIndex", index);
        o.put("ModifyIndex", index);
        return Json.reply(r, o).withHeader("X-Consul-Index", Long.toString(index));
    }

    /**
     * A leaf has no catalog index. This one grows with the start of validity (renewals move it
     * forward) and differs between two leaves of the same second through their serial numbers.
     */
    static long index(SignResponse s) {
        return Math.max(1, s.getValidAfter().getSeconds() * 1000 + Math.floorMod(s.getSerialNumber().hashCode(), 1000));
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
