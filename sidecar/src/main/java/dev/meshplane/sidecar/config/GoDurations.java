package dev.meshplane.sidecar.config;

import java.math.BigDecimal;
import java.time.Duration;

/** Durations as Consul writes them (Go's syntax): "10s", "1m30s", "500ms", "1.5h", "0". */
public final class GoDurations {
    private GoDurations() {}

    /** Returns the duration, or null when {@code text} is not one (the caller names the field). */
    public static Duration parse(String text) {
        String s = text.trim();
        if (s.equals("0")) {
            return Duration.ZERO;
        }
        if (s.isEmpty() || s.startsWith("-")) {
            return null;
        }
        if (s.startsWith("+")) {
            s = s.substring(1);
        }
        BigDecimal totalNanos = BigDecimal.ZERO;
        int i = 0;
        while (i < s.length()) {
            int start = i;
            while (i < s.length() && (Character.isDigit(s.charAt(i)) || s.charAt(i) == '.')) {
                i++;
            }
            if (start == i) {
                return null;
            }
            BigDecimal number;
            try {
                number = new BigDecimal(s.substring(start, i));
            } catch (NumberFormatException e) {
                return null;
            }
            int unitStart = i;
            while (i < s.length() && !Character.isDigit(s.charAt(i)) && s.charAt(i) != '.') {
                i++;
            }
            long unitNanos = switch (s.substring(unitStart, i)) {
                case "ns" -> 1L;
                case "us", "µs", "μs" -> 1_000L;
                case "ms" -> 1_000_000L;
                case "s" -> 1_000_000_000L;
                case "m" -> 60_000_000_000L;
                case "h" -> 3_600_000_000_000L;
                default -> -1L;
            };
            if (unitNanos < 0) {
                return null;
            }
            totalNanos = totalNanos.add(number.multiply(BigDecimal.valueOf(unitNanos)));
        }
        try {
            return Duration.ofNanos(totalNanos.longValueExact());
        } catch (ArithmeticException e) {
            return totalNanos.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0 ? null
                    : Duration.ofNanos(totalNanos.longValue());
        }
    }
}
