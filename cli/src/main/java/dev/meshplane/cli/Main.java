package dev.meshplane.cli;

import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;

/** meshctl's entry point. Exit codes: 0 ok, 1 error (one line on stderr), 2 usage error. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, OutputStream out, PrintStream err) {
        CommandLine cl = new CommandLine(new Meshctl(out));
        // "@FILE" means a file's content as a value (kv put), as in Consul, not an argument file.
        cl.setExpandAtFiles(false);
        cl.setOut(new PrintWriter(out, true, StandardCharsets.UTF_8));
        cl.setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
        cl.setExecutionExceptionHandler((failure, command, parseResult) -> {
            Throwable shown = failure;
            String address = null;
            if (command.getCommand() instanceof ClientCommand c && c.client != null) {
                address = c.client.address;
            }
            command.getErr().println("Error: " + Failures.describe(shown, address));
            if (Logging.debug()) {
                failure.printStackTrace(command.getErr());
            }
            command.getErr().flush();
            return 1;
        });
        return cl.execute(args);
    }
}
