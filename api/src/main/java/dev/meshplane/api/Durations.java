package dev.meshplane.api;

import java.time.Duration;

/** Conversions between protobuf and Java durations. */
public final class Durations {
    private Durations() {}

    public static Duration toJava(com.google.protobuf.Duration d) {
        return Duration.ofSeconds(d.getSeconds(), d.getNanos());
    }

    public static com.google.protobuf.Duration toProto(Duration d) {
        return com.google.protobuf.Duration.newBuilder().setSeconds(d.getSeconds()).setNanos(d.getNano()).build();
    }
}
