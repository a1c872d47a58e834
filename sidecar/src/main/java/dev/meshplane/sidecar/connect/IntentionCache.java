package dev.meshplane.sidecar.connect;

import dev.meshplane.api.IntentionDecider;
import dev.meshplane.proto.v1.IntentionListResponse;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The intentions as the servers last reported them, kept current by a blocking query, so every
 * new connection is decided locally. Until the first answer arrives every connection is
 * refused: a sidecar that does not know the rules fails closed.
 */
final class IntentionCache {
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
    private volatile IntentionDecider decider;

    void update(IntentionListResponse r) {
        decider = new IntentionDecider(r.getIntentionsList(), r.getDefaultAllow());
        listeners.forEach(Runnable::run);
    }

    boolean loaded() {
        return decider != null;
    }

    IntentionDecider.Decision decide(String source, String destination) {
        IntentionDecider d = decider;
        if (d == null) {
            return new IntentionDecider.Decision(false, java.util.Optional.empty(),
                    "denied: this sidecar has not received the intentions yet");
        }
        return d.decide(source, destination);
    }

    /** Called (on the watch's thread) after each change. */
    void onChange(Runnable listener) {
        listeners.add(listener);
    }
}
