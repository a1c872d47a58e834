package dev.meshplane.cli;

import com.google.protobuf.ByteString;
import dev.meshplane.proto.v1.KVGrpc;
import dev.meshplane.proto.v1.KvDeleteRequest;
import dev.meshplane.proto.v1.KvEntry;
import dev.meshplane.proto.v1.KvGetRequest;
import dev.meshplane.proto.v1.KvGetResponse;
import dev.meshplane.proto.v1.KvListRequest;
import dev.meshplane.proto.v1.KvPutRequest;
import io.grpc.ManagedChannel;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "kv", description = "Read and write the key/value store.", mixinStandardHelpOptions = true,
        subcommands = {KvCommand.Put.class, KvCommand.Get.class, KvCommand.Delete.class, KvCommand.ListKeys.class})
final class KvCommand {

    static KVGrpc.KVBlockingStub kv(ManagedChannel channel, ClientOptions client) {
        return KVGrpc.newBlockingStub(channel).withDeadlineAfter(client.timeoutMillis(), TimeUnit.MILLISECONDS);
    }

    @Command(name = "put", description = "Write a value: given inline, '-' for stdin, or '@FILE'.",
            mixinStandardHelpOptions = true)
    static final class Put extends ClientCommand {
        @Parameters(index = "0", paramLabel = "KEY")
        String key;

        @Parameters(index = "1", paramLabel = "VALUE", arity = "0..1", description = "the value (default: empty)")
        String value = "";

        @Option(names = {"-flags", "--flags"}, description = "opaque flags stored with the value")
        long flags;

        @Option(names = {"-cas", "--cas"}, description = "write only if the key's modify index equals -modify-index")
        boolean cas;

        @Option(names = {"-modify-index", "--modify-index"}, paramLabel = "INDEX",
                description = "with -cas: the expected modify index (0: only if the key does not exist)")
        Long modifyIndex;

        @Override
        int run(ManagedChannel channel) throws IOException {
            if (modifyIndex != null && !cas) {
                throw new CliException("-modify-index: only meaningful with -cas");
            }
            if (cas && modifyIndex == null) {
                throw new CliException("-cas: needs -modify-index (0 to write only if the key does not exist)");
            }
            KvPutRequest.Builder req = KvPutRequest.newBuilder().setKey(key).setValue(readValue(value)).setFlags(flags);
            if (cas) {
                req.setCas(modifyIndex);
            }
            if (!kv(channel, client).put(req.build()).getApplied()) {
                throw new CliException("did not write to " + key + ": its modify index is not " + modifyIndex);
            }
            out().println("Success! Data written to: " + key);
            return 0;
        }

        private static ByteString readValue(String value) throws IOException {
            if (value.equals("-")) {
                return ByteString.readFrom(System.in);
            }
            if (value.startsWith("@")) {
                try {
                    return ByteString.copyFrom(Files.readAllBytes(Path.of(value.substring(1))));
                } catch (NoSuchFileException e) {
                    throw new CliException("VALUE: no such file " + value.substring(1));
                }
            }
            return ByteString.copyFromUtf8(value);
        }
    }

    @Command(name = "get", description = "Print the value of a key.", mixinStandardHelpOptions = true)
    static final class Get extends ClientCommand {
        @Parameters(index = "0", paramLabel = "KEY")
        String key;

        @Option(names = {"-detailed", "--detailed"}, description = "print the indexes and flags too")
        boolean detailed;

        @Override
        int run(ManagedChannel channel) throws IOException {
            KvGetResponse r = kv(channel, client).get(KvGetRequest.newBuilder().setKey(key).build());
            if (!r.getFound()) {
                throw new CliException("no key exists at: " + key);
            }
            KvEntry e = r.getEntry();
            if (detailed) {
                Table t = new Table("CreateIndex", String.valueOf(e.getCreateIndex()));
                t.row("Flags", String.valueOf(e.getFlags()));
                t.row("Key", e.getKey());
                t.row("LockIndex", String.valueOf(e.getLockIndex()));
                t.row("ModifyIndex", String.valueOf(e.getModifyIndex()));
                t.row("Session", e.getSession().isEmpty() ? "-" : e.getSession());
                t.row("Value", e.getValue().toStringUtf8());
                t.print(out());
                return 0;
            }
            // The value goes out as bytes: it need not be text.
            out().flush();
            OutputStream raw = Meshctl.rawOut(spec);
            e.getValue().writeTo(raw);
            raw.write('\n');
            raw.flush();
            return 0;
        }
    }

    @Command(name = "delete", description = "Delete a key, or every key under a prefix.", mixinStandardHelpOptions = true)
    static final class Delete extends ClientCommand {
        @Parameters(index = "0", paramLabel = "KEY")
        String key;

        @Option(names = {"-recurse", "--recurse"}, description = "delete every key starting with KEY")
        boolean recurse;

        @Option(names = {"-cas", "--cas"}, description = "delete only if the key's modify index equals -modify-index")
        boolean cas;

        @Option(names = {"-modify-index", "--modify-index"}, paramLabel = "INDEX")
        Long modifyIndex;

        @Override
        int run(ManagedChannel channel) {
            if (cas && modifyIndex == null) {
                throw new CliException("-cas: needs -modify-index");
            }
            if (modifyIndex != null && !cas) {
                throw new CliException("-modify-index: only meaningful with -cas");
            }
            KvDeleteRequest.Builder req = KvDeleteRequest.newBuilder().setKey(key).setRecurse(recurse);
            if (cas) {
                req.setCas(modifyIndex);
            }
            if (!kv(channel, client).delete(req.build()).getApplied()) {
                throw new CliException("did not delete " + key + ": its modify index is not " + modifyIndex);
            }
            out().println(recurse ? "Success! Deleted keys with prefix: " + key : "Success! Deleted key: " + key);
            return 0;
        }
    }

    @Command(name = "list", description = "List the keys under a prefix.", mixinStandardHelpOptions = true)
    static final class ListKeys extends ClientCommand {
        @Parameters(index = "0", paramLabel = "PREFIX", arity = "0..1", description = "(default: every key)")
        String prefix = "";

        @Option(names = {"-separator", "--separator"}, description = "roll keys up to the first SEPARATOR after PREFIX")
        String separator = "";

        @Override
        int run(ManagedChannel channel) {
            var keys = kv(channel, client).list(KvListRequest.newBuilder().setPrefix(prefix).setKeysOnly(true)
                    .setSeparator(separator).build()).getKeysList();
            keys.forEach(k -> out().println(k));
            out().flush();
            return 0;
        }
    }
}
