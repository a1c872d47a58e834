package dev.meshplane.cli;

import java.io.PrintStream;
import java.time.Instant;
import java.util.Locale;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.StreamHandler;

/** One line per log record on stderr: time, level, component, message. */
final class Logging {
    private static volatile boolean debug;

    private Logging() {}

    /** Accepts trace, debug, info, warn and error, as Consul does. */
    static Level parseLevel(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "trace" -> Level.FINEST;
            case "debug" -> Level.FINE;
            case "info" -> Level.INFO;
            case "warn", "warning" -> Level.WARNING;
            case "error" -> Level.SEVERE;
            default -> throw new IllegalArgumentException(
                    "-log-level: \"" + name + "\" is not one of trace, debug, info, warn, error");
        };
    }

    static void configure(Level level, PrintStream err) {
        debug = level.intValue() <= Level.FINE.intValue();
        LogManager.getLogManager().reset();
        Logger root = Logger.getLogger("");
        root.setLevel(level);
        Handler handler = new StreamHandler(err, new OneLine()) {
            @Override
            public synchronized void publish(LogRecord record) {
                super.publish(record);
                flush();
            }

            @Override
            public synchronized void close() {
                // Closing would close stderr itself.
                flush();
            }
        };
        handler.setLevel(level);
        root.addHandler(handler);
        // gRPC and Netty are chatty below INFO and say nothing an operator needs.
        Level libraries = level.intValue() < Level.INFO.intValue() && level != Level.FINEST ? Level.INFO : level;
        Logger.getLogger("io.grpc").setLevel(libraries);
        Logger.getLogger("io.netty").setLevel(libraries);
    }

    /** Whether stack traces should be shown: only at -log-level debug or trace. */
    static boolean debug() {
        return debug;
    }

    static final class OneLine extends Formatter {
        @Override
        public String format(LogRecord r) {
            String name = r.getLoggerName() == null ? "" : r.getLoggerName();
            String component = name.substring(name.lastIndexOf('.') + 1);
            StringBuilder b = new StringBuilder()
                    .append(Instant.ofEpochMilli(r.getMillis())).append(' ')
                    .append('[').append(label(r.getLevel())).append("] ")
                    .append(component).append(": ").append(formatMessage(r)).append('\n');
            if (r.getThrown() != null) {
                if (debug) {
                    java.io.StringWriter sw = new java.io.StringWriter();
                    r.getThrown().printStackTrace(new java.io.PrintWriter(sw));
                    b.append(sw);
                } else {
                    b.append("    caused by: ").append(r.getThrown()).append('\n');
                }
            }
            return b.toString();
        }

        private static String label(Level level) {
            if (level.intValue() >= Level.SEVERE.intValue()) {
                return "ERROR";
            }
            if (level.intValue() >= Level.WARNING.intValue()) {
                return "WARN";
            }
            if (level.intValue() >= Level.INFO.intValue()) {
                return "INFO";
            }
            return level.intValue() >= Level.FINE.intValue() ? "DEBUG" : "TRACE";
        }
    }
}
