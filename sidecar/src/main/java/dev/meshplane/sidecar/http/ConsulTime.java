package dev.meshplane.sidecar.http;

import com.google.protobuf.Timestamp;
import java.time.Instant;

/** Times as Consul's JSON carries them: RFC 3339 in UTC ("2026-11-22T07:13:51Z"). */
final class ConsulTime {
    private ConsulTime() {}

    static String format(Timestamp t) {
        return Instant.ofEpochSecond(t.getSeconds(), t.getNanos()).toString();
    }
}
