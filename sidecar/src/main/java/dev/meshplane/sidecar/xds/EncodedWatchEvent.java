package dev.meshplane.sidecar.xds;

import dev.meshplane.proto.v1.WatchEvent;

/**
 * A watch event serialized once and handed as these bytes to every local subscriber of its topic.
 *
 * @param snapshot whether the event replaces everything the subscriber holds
 */
record EncodedWatchEvent(long index, boolean snapshot, byte[] bytes) {
    static EncodedWatchEvent of(WatchEvent event) {
        return new EncodedWatchEvent(event.getIndex(), event.getKind() == WatchEvent.Kind.SNAPSHOT,
                event.toByteArray());
    }
}
