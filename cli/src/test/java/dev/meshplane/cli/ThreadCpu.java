package dev.meshplane.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * CPU time of this process's threads by name (numbers folded: "http-api-5-1" counts as
 * "http-api-N-N"), user and system separately, read from /proc/self/task (Linux; empty elsewhere).
 * The benchmark takes one snapshot before and one after a measured step and prints where the
 * process's CPU went, kernel time included, which a Java sampling profiler does not see.
 */
final class ThreadCpu {
    /** Clock ticks per second of /proc's utime and stime (USER_HZ, 100 on Linux). */
    private static final double TICKS = 100.0;

    record Times(double user, double system) {}

    private ThreadCpu() {}

    static Map<String, Times> snapshot() {
        Map<String, Times> out = new HashMap<>();
        Path tasks = Path.of("/proc/self/task");
        if (!Files.isDirectory(tasks)) {
            return out;
        }
        try (Stream<Path> list = Files.list(tasks)) {
            list.forEach(task -> {
                try {
                    String stat = Files.readString(task.resolve("stat"));
                    String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')')).replaceAll("\\d+", "N");
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    // Fields after the name: state is f[0]; utime and stime are fields 14 and 15 of stat.
                    double user = Long.parseLong(f[11]) / TICKS;
                    double system = Long.parseLong(f[12]) / TICKS;
                    out.merge(name, new Times(user, system), (a, b) -> new Times(a.user + b.user, a.system + b.system));
                } catch (IOException | RuntimeException e) {
                    // The thread ended between listing and reading.
                }
            });
        } catch (IOException e) {
            return out;
        }
        return out;
    }

    /** The threads that used the most CPU between two snapshots, as one line. */
    static String top(Map<String, Times> before, Map<String, Times> after, int n) {
        StringBuilder b = new StringBuilder();
        after.entrySet().stream()
                .map(e -> {
                    Times was = before.getOrDefault(e.getKey(), new Times(0, 0));
                    return Map.entry(e.getKey(), new Times(e.getValue().user - was.user, e.getValue().system - was.system));
                })
                .filter(e -> e.getValue().user + e.getValue().system > 0)
                .sorted((x, y) -> Double.compare(y.getValue().user + y.getValue().system,
                        x.getValue().user + x.getValue().system))
                .limit(n)
                .forEach(e -> b.append(String.format("%s %.2f user + %.2f sys; ", e.getKey(), e.getValue().user,
                        e.getValue().system)));
        return b.toString();
    }
}
