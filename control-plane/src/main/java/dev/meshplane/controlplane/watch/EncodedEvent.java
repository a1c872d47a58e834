package dev.meshplane.controlplane.watch;

import dev.meshplane.proto.v1.WatchEvent;

/**
 * A watch event serialized once and sent as these bytes to every subscriber of its topic:
 * with thousands of watchers, encoding per stream would cost more than the change itself.
 */
public record EncodedEvent(long index, WatchEvent.Kind kind, byte[] bytes) {
    static EncodedEvent of(WatchEvent event) {
        return new EncodedEvent(event.getIndex(), event.getKind(), event.toByteArray());
    }
}
