package dev.meshplane.controlplane.watch;

import dev.meshplane.controlplane.state.Changes;
import dev.meshplane.controlplane.state.ServiceFilter;
import dev.meshplane.controlplane.state.StateQueries;
import dev.meshplane.controlplane.state.StateStore;
import dev.meshplane.proto.v1.WatchRequest;
import io.grpc.stub.ServerCallStreamObserver;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Routes each write's changes to the topics they affect. Topics are created when the first
 * subscriber arrives and dropped when the last leaves.
 *
 * <p>Locking: topics are created, joined and left under the store's read lock (plus this
 * hub's monitor, since readers run concurrently), and fed under its write lock. A new
 * subscriber therefore gets a snapshot at index N and then exactly the deltas after N.
 */
public final class WatchHub implements StateStore.ChangeListener, AutoCloseable {
    private final StateStore store;
    private final StateQueries queries;
    private final WatchConfig config;
    private final ExecutorService sender;

    private final Map<ServiceHealthTopic.Key, ServiceHealthTopic> serviceTopics = new HashMap<>();
    private final Map<String, List<ServiceHealthTopic>> serviceTopicsByName = new HashMap<>();
    private final Map<String, KvPrefixTopic> kvTopics = new HashMap<>();
    private ServiceListTopic serviceListTopic;

    public WatchHub(StateStore store, StateQueries queries, WatchConfig config) {
        this.store = store;
        this.queries = queries;
        this.config = config;
        this.sender = Executors.newFixedThreadPool(config.senderThreads(), daemonThreads("watch-send"));
    }

    /**
     * Subscribes a stream to the request's topic: it receives a SNAPSHOT now and a DELTA for
     * every later change. Must be called from the gRPC handler itself (it installs the
     * stream's cancel and ready handlers).
     */
    public void subscribe(WatchRequest request, ServerCallStreamObserver<EncodedEvent> out) {
        Subscriber[] holder = new Subscriber[1];
        out.setOnCancelHandler(() -> {
            if (holder[0] != null) {
                holder[0].cancel();
            }
        });
        out.setOnReadyHandler(() -> {
            if (holder[0] != null) {
                holder[0].onReady();
            }
        });
        store.read(() -> {
            synchronized (this) {
                Topic topic = topicFor(request);
                Subscriber s = new Subscriber(out, sender, config.maxPendingEvents(),
                        () -> leave(request, holder[0]));
                holder[0] = s;
                s.offer(topic.snapshot(store.lastIndex()));
                topic.add(s);
            }
            return null;
        });
    }

    private Topic topicFor(WatchRequest request) {
        return switch (request.getTopicCase()) {
            case SERVICE_HEALTH -> {
                var t = request.getServiceHealth();
                var key = new ServiceHealthTopic.Key(t.getService(),
                        new ServiceFilter(t.getTagsList(), Map.of(), t.getPassingOnly()));
                yield serviceTopics.computeIfAbsent(key, k -> {
                    ServiceHealthTopic created = new ServiceHealthTopic(k, queries);
                    serviceTopicsByName.computeIfAbsent(k.service(), n -> new ArrayList<>()).add(created);
                    return created;
                });
            }
            case KV_PREFIX -> kvTopics.computeIfAbsent(request.getKvPrefix().getPrefix(),
                    p -> new KvPrefixTopic(p, queries));
            case SERVICE_LIST -> {
                if (serviceListTopic == null) {
                    serviceListTopic = new ServiceListTopic(queries);
                }
                yield serviceListTopic;
            }
            case TOPIC_NOT_SET -> throw new IllegalArgumentException("topic not set");
        };
    }

    /**
     * Runs {@code action} with the request's topic (created when needed) and its snapshot at
     * the current index, while no write can be applied: whatever the action adds to the topic
     * gets exactly the changes after that snapshot.
     */
    <T> T atTopic(WatchRequest request, java.util.function.BiFunction<Topic, EncodedEvent, T> action) {
        return store.read(() -> {
            synchronized (this) {
                Topic topic = topicFor(request);
                return action.apply(topic, topic.snapshot(store.lastIndex()));
            }
        });
    }

    /** Opens a stream of many watches (WatchMany) that sends on {@code out}. */
    public WatchMux openMux(ServerCallStreamObserver<EncodedEvent> out) {
        return new WatchMux(this, out, sender, config.maxPendingEvents());
    }

    void leave(WatchRequest request, Sink s) {
        store.read(() -> {
            synchronized (this) {
                Topic topic = existingTopic(request);
                if (topic != null && topic.remove(s)) {
                    dropTopic(request, topic);
                }
            }
            return null;
        });
    }

    private Topic existingTopic(WatchRequest request) {
        return switch (request.getTopicCase()) {
            case SERVICE_HEALTH -> {
                var t = request.getServiceHealth();
                yield serviceTopics.get(new ServiceHealthTopic.Key(t.getService(),
                        new ServiceFilter(t.getTagsList(), Map.of(), t.getPassingOnly())));
            }
            case KV_PREFIX -> kvTopics.get(request.getKvPrefix().getPrefix());
            case SERVICE_LIST -> serviceListTopic;
            case TOPIC_NOT_SET -> null;
        };
    }

    private void dropTopic(WatchRequest request, Topic topic) {
        switch (topic) {
            case ServiceHealthTopic t -> {
                serviceTopics.remove(t.key());
                List<ServiceHealthTopic> same = serviceTopicsByName.get(t.key().service());
                same.remove(t);
                if (same.isEmpty()) {
                    serviceTopicsByName.remove(t.key().service());
                }
            }
            case KvPrefixTopic t -> kvTopics.remove(t.prefix());
            case ServiceListTopic t -> serviceListTopic = null;
            default -> throw new IllegalStateException("unknown topic " + topic);
        }
    }

    @Override
    public void onApplied(long index, Changes changes) {
        Set<Topic> affected = new LinkedHashSet<>();
        if (changes.isReset()) {
            affected.addAll(serviceTopics.values());
            affected.addAll(kvTopics.values());
            if (serviceListTopic != null) {
                affected.add(serviceListTopic);
            }
        }
        for (String name : changes.serviceNames()) {
            affected.addAll(serviceTopicsByName.getOrDefault(name, List.of()));
        }
        if (!kvTopics.isEmpty()) {
            for (String key : changes.kvKeys()) {
                for (int end = 0; end <= key.length(); end++) {
                    KvPrefixTopic t = kvTopics.get(key.substring(0, end));
                    if (t != null) {
                        affected.add(t);
                    }
                }
            }
        }
        if (serviceListTopic != null && changes.serviceListChanged()) {
            affected.add(serviceListTopic);
        }
        for (Topic t : affected) {
            t.onApplied(index, changes);
        }
    }

    /** Number of live topics and subscribers, for tests and metrics. */
    public synchronized int topicCount() {
        return serviceTopics.size() + kvTopics.size() + (serviceListTopic == null ? 0 : 1);
    }

    @Override
    public void close() {
        sender.shutdownNow();
    }

    static ThreadFactory daemonThreads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
