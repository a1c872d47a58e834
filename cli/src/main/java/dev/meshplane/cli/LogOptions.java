package dev.meshplane.cli;

import picocli.CommandLine.Option;

/** -log-level, on every command: debug also shows stack traces of failures. */
final class LogOptions {
    @Option(names = {"-log-level", "--log-level"}, paramLabel = "LEVEL", defaultValue = "info",
            description = "trace, debug, info, warn or error (default: ${DEFAULT-VALUE}); "
                    + "debug shows stack traces of failures")
    String level;
}
