package dev.meshplane.cli;

import dev.meshplane.sidecar.gossip.crypto.Keygen;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "keygen", mixinStandardHelpOptions = true,
        description = "Print a new random 32-byte gossip encryption key, base64 (for -encrypt and keyring).")
final class KeygenCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().getOut().println(Keygen.generate());
        return 0;
    }
}
