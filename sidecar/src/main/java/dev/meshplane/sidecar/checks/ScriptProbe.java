package dev.meshplane.sidecar.checks;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a program (argv, no shell): exit 0 is passing, 1 warning, anything else critical. The
 * output (stdout and stderr together) keeps the last 4 KiB, as Consul does. On timeout the
 * process and everything it started are killed.
 */
final class ScriptProbe implements Probe {
    static final int OUTPUT_BYTES = 4096;

    private final List<String> args;

    ScriptProbe(List<String> args) {
        this.args = List.copyOf(args);
    }

    @Override
    public CheckResult run(Duration timeout) throws InterruptedException {
        Process process;
        try {
            process = new ProcessBuilder(args).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.PIPE)
                    .start();
        } catch (IOException e) {
            return CheckResult.critical("cannot start " + args.get(0) + ": " + e.getMessage());
        }
        TailBuffer tail = new TailBuffer(OUTPUT_BYTES);
        Thread reader = Thread.ofVirtual().name("script-output").start(() -> drain(process.getInputStream(), tail));
        try {
            process.getOutputStream().close();
        } catch (IOException ignored) {
            // the program does not read its input
        }
        boolean finished;
        try {
            finished = process.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            killTree(process);
            throw e;
        }
        if (!finished) {
            killTree(process);
            reader.join(Duration.ofSeconds(1));
            return CheckResult.critical("timed out after " + Outputs.duration(timeout)
                    + "; killed the process and its children. Output: " + tail.text());
        }
        // A child that outlives the script may hold the pipe open: do not wait for it long.
        reader.join(Duration.ofSeconds(1));
        int exit = process.exitValue();
        String output = tail.text();
        return switch (exit) {
            case 0 -> CheckResult.passing(output);
            case 1 -> CheckResult.warning(output);
            default -> CheckResult.critical(output.isEmpty() ? "exit status " + exit : output);
        };
    }

    private static void drain(InputStream in, TailBuffer tail) {
        byte[] buf = new byte[8192];
        try (in) {
            for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
                tail.write(buf, n);
            }
        } catch (IOException ignored) {
            // the process went away; what was read is the output
        }
    }

    private static void killTree(Process process) {
        // Collect first: once the parent dies its children are re-parented and lost to us.
        List<ProcessHandle> descendants = process.descendants().toList();
        process.destroyForcibly();
        descendants.forEach(ProcessHandle::destroyForcibly);
    }

    /** The last {@code capacity} bytes written. */
    static final class TailBuffer {
        private final byte[] ring;
        private long written;

        TailBuffer(int capacity) {
            ring = new byte[capacity];
        }

        synchronized void write(byte[] b, int n) {
            for (int i = 0; i < n; i++) {
                ring[(int) (written++ % ring.length)] = b[i];
            }
        }

        synchronized String text() {
            int size = (int) Math.min(written, ring.length);
            byte[] out = new byte[size];
            long start = written - size;
            for (int i = 0; i < size; i++) {
                out[i] = ring[(int) ((start + i) % ring.length)];
            }
            return new String(out, StandardCharsets.UTF_8);
        }
    }
}
