package dev.meshplane.cli;

import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import java.util.logging.Level;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** A command that talks to an agent over gRPC: one channel, one clear line on failure. */
abstract class ClientCommand implements Callable<Integer> {
    @Mixin
    ClientOptions client;

    @Mixin
    LogOptions logOptions;

    @Spec
    CommandSpec spec;

    /** Runs the command; returns its exit code. */
    abstract int run(ManagedChannel channel) throws Exception;

    @Override
    public final Integer call() throws Exception {
        Level level = Logging.parseLevel(logOptions.level);
        // A client command's own output is the answer; library chatter stays out unless asked for.
        Logging.configure(level == Level.INFO ? Level.WARNING : level, System.err);
        ManagedChannel channel = client.channel();
        try {
            return run(channel);
        } catch (StatusRuntimeException e) {
            throw new CliException(Failures.describe(e, client.address));
        } finally {
            channel.shutdownNow();
        }
    }

    PrintWriter out() {
        return spec.commandLine().getOut();
    }
}
