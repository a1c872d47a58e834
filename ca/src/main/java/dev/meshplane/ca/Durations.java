package dev.meshplane.ca;

import java.time.Duration;

/** Durations as people write them in Consul's configuration: {@code 72h}, {@code 90m}, {@code 1h30m}. */
final class Durations {
    private Durations() {}

    static String format(Duration d) {
        if (d == null) {
            return "null";
        }
        if (d.isZero()) {
            return "0s";
        }
        StringBuilder b = new StringBuilder(d.isNegative() ? "-" : "");
        Duration a = d.abs();
        long hours = a.toHours();
        int minutes = a.toMinutesPart();
        int seconds = a.toSecondsPart();
        int millis = a.toMillisPart();
        if (hours > 0) {
            b.append(hours).append('h');
        }
        if (minutes > 0) {
            b.append(minutes).append('m');
        }
        if (seconds > 0 || millis > 0) {
            b.append(seconds);
            if (millis > 0) {
                b.append('.').append(String.format("%03d", millis));
            }
            b.append('s');
        }
        if (b.isEmpty() || b.toString().equals("-")) {
            b.append(a.toNanos()).append("ns");
        }
        return b.toString();
    }
}
