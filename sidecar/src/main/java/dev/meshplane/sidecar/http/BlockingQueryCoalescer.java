package dev.meshplane.sidecar.http;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Lets identical blocking queries in flight share one gRPC call and one encoded answer, as
 * Consul's agent does with its cache for watchers of the same service: ten thousand clients
 * parked on the same URI cost one parked query on the servers and one JSON encoding when it
 * wakes, not ten thousand. Only blocking reads (?index) share, and not ?consistent ones; a plain
 * read always makes its own call, so a client reads its own writes. A shared call is cancelled
 * when the last client waiting on it goes away.
 */
final class BlockingQueryCoalescer {
    private final class Shared {
        final Request call;
        final CompletableFuture<Reply> answer;
        final AtomicInteger waiting = new AtomicInteger();

        Shared(Request call, CompletableFuture<Reply> answer) {
            this.call = call;
            this.answer = answer;
        }
    }

    private final ConcurrentHashMap<String, Shared> inFlight = new ConcurrentHashMap<>();

    static boolean shareable(Request r) {
        return r.method().equals("GET") && r.has("index") && !r.has("consistent");
    }

    /** @param key the request's identity: method, path and the raw query string */
    CompletableFuture<Reply> dispatch(String key, Request request, Router router) {
        while (true) {
            Shared shared = inFlight.get(key);
            if (shared == null) {
                Request call = request.copyForSharing();
                CompletableFuture<Reply> answer = new CompletableFuture<>();
                Shared fresh = new Shared(call, answer);
                if (inFlight.putIfAbsent(key, fresh) != null) {
                    continue;
                }
                CompletableFuture<Reply> result;
                try {
                    result = router.dispatch(call);
                } catch (RuntimeException e) {
                    result = CompletableFuture.failedFuture(e);
                }
                result.whenComplete((reply, failure) -> {
                    inFlight.remove(key, fresh);
                    if (failure != null) {
                        answer.completeExceptionally(failure);
                    } else {
                        answer.complete(reply);
                    }
                });
                shared = fresh;
            }
            if (join(shared, request)) {
                return shared.answer;
            }
            // The shared call was being abandoned by its last client: start another.
            inFlight.remove(key, shared);
        }
    }

    private boolean join(Shared shared, Request request) {
        while (true) {
            int n = shared.waiting.get();
            if (n < 0) {
                return false;
            }
            if (shared.waiting.compareAndSet(n, n + 1)) {
                break;
            }
        }
        request.onCancel(() -> {
            if (shared.waiting.decrementAndGet() == 0 && shared.waiting.compareAndSet(0, -1)) {
                shared.call.cancel();
            }
        });
        return true;
    }

    /** Distinct blocking queries currently sharing calls (for tests and the benchmark). */
    int inFlight() {
        return inFlight.size();
    }
}
