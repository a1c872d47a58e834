package dev.meshplane.sidecar.xds;

import dev.meshplane.proto.v1.WatchRequest;
import io.grpc.Channel;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The sidecar's shared watches on the servers, one per distinct topic (service health with its
 * filters, or the service list), opened for the first local subscriber and closed after the last.
 */
public final class UpstreamWatches {
    private final Channel servers;
    private final ScheduledExecutorService scheduler;
    private final Duration maxBackoff;
    private final Map<WatchRequest, SharedTopic> topics = new HashMap<>();

    UpstreamWatches(Channel servers, ScheduledExecutorService scheduler, Duration maxBackoff) {
        this.servers = servers;
        this.scheduler = scheduler;
        this.maxBackoff = maxBackoff;
    }

    /** A handle on one listener's subscription. */
    interface Subscription extends AutoCloseable {
        SharedTopic topic();

        @Override
        void close();
    }

    /** Subscribes a listener to a service-health or service-list topic. */
    Subscription subscribe(WatchRequest request, SharedTopic.Listener listener) {
        while (true) {
            SharedTopic topic;
            synchronized (this) {
                topic = topics.get(request);
                if (topic == null) {
                    SharedTopic[] holder = new SharedTopic[1];
                    topic = new SharedTopic(request, servers, scheduler, maxBackoff, () -> forget(request, holder[0]));
                    holder[0] = topic;
                    topics.put(request, topic);
                }
            }
            // A topic that closed between the lookup and the add is already being forgotten: take a fresh one.
            if (topic.add(listener)) {
                SharedTopic subscribed = topic;
                return new Subscription() {
                    @Override
                    public SharedTopic topic() {
                        return subscribed;
                    }

                    @Override
                    public void close() {
                        subscribed.remove(listener);
                    }
                };
            }
            forget(request, topic);
        }
    }

    private synchronized void forget(WatchRequest request, SharedTopic topic) {
        topics.remove(request, topic);
    }

    /** How many upstream topics are open (each is one stream to the servers). */
    public synchronized int openTopics() {
        return topics.size();
    }

    synchronized void closeAll() {
        for (SharedTopic t : topics.values()) {
            t.close();
        }
        topics.clear();
    }
}
