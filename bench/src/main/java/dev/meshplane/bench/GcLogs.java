package dev.meshplane.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** Reads servers' unified GC logs (-Xlog:gc) for the heap they used. */
final class GcLogs {
    /** "Pause Young (Normal) (G1 Evacuation Pause) 120M->45M(1024M) 3.2ms". */
    private static final Pattern PAUSE = Pattern.compile("(\\d+)M->(\\d+)M\\((\\d+)M\\)");

    private GcLogs() {}

    static String summary(Path dir) throws IOException {
        StringBuilder out = new StringBuilder();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.getFileName().toString().startsWith("gc-")).sorted().toList()) {
                long maxBefore = 0;
                long maxAfter = 0;
                long capacity = 0;
                for (String line : Files.readAllLines(f)) {
                    Matcher m = PAUSE.matcher(line);
                    if (m.find()) {
                        maxBefore = Math.max(maxBefore, Long.parseLong(m.group(1)));
                        maxAfter = Math.max(maxAfter, Long.parseLong(m.group(2)));
                        capacity = Math.max(capacity, Long.parseLong(m.group(3)));
                    }
                }
                out.append(String.format("%s: peak %d MiB before GC, %d MiB live after GC, committed %d MiB; ",
                        f.getFileName(), maxBefore, maxAfter, capacity));
            }
        }
        return out.toString();
    }
}
