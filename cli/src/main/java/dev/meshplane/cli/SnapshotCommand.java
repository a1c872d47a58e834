package dev.meshplane.cli;

import com.google.protobuf.ByteString;
import dev.meshplane.controlplane.state.SnapshotReader;
import dev.meshplane.proto.v1.SnapshotChunk;
import dev.meshplane.proto.v1.SnapshotGrpc;
import dev.meshplane.proto.v1.SnapshotRestoreResponse;
import dev.meshplane.proto.v1.SnapshotSaveRequest;
import io.grpc.ManagedChannel;
import io.grpc.stub.StreamObserver;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Iterator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "snapshot", description = "Save the whole state to a file, or restore it from one.",
        mixinStandardHelpOptions = true,
        subcommands = {SnapshotCommand.Save.class, SnapshotCommand.Restore.class, SnapshotCommand.Inspect.class})
final class SnapshotCommand {

    /** Reads and checks a snapshot file; the message names the file and the problem. */
    static SnapshotReader.Restored verify(Path file) throws IOException {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file))) {
            return SnapshotReader.read(in);
        } catch (NoSuchFileException e) {
            throw new CliException("FILE: no such file " + file);
        } catch (SnapshotReader.SnapshotException e) {
            throw new CliException(file + ": " + e.getMessage());
        }
    }

    @Command(name = "save", description = "Save a point-in-time snapshot of the whole state to FILE.",
            mixinStandardHelpOptions = true)
    static final class Save extends ClientCommand {
        @Parameters(index = "0", paramLabel = "FILE")
        Path file;

        @Override
        int run(ManagedChannel channel) throws IOException {
            Path partial = file.resolveSibling(file.getFileName() + ".partial");
            Iterator<SnapshotChunk> chunks = SnapshotGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(client.timeoutMillis(), TimeUnit.MILLISECONDS)
                    .save(SnapshotSaveRequest.getDefaultInstance());
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(partial))) {
                while (chunks.hasNext()) {
                    chunks.next().getData().writeTo(out);
                }
            } catch (RuntimeException e) {
                Files.deleteIfExists(partial);
                throw e;
            }
            SnapshotReader.Restored checked;
            try {
                checked = verify(partial);
            } catch (CliException e) {
                Files.deleteIfExists(partial);
                throw e;
            }
            Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            out().println("Saved and verified snapshot to index " + checked.index() + ": " + file);
            return 0;
        }
    }

    @Command(name = "restore", description = "Replace the whole state with the snapshot in FILE.",
            mixinStandardHelpOptions = true)
    static final class Restore extends ClientCommand {
        @Parameters(index = "0", paramLabel = "FILE")
        Path file;

        @Override
        int run(ManagedChannel channel) throws Exception {
            verify(file);
            CompletableFuture<SnapshotRestoreResponse> answer = new CompletableFuture<>();
            StreamObserver<SnapshotChunk> upload = SnapshotGrpc.newStub(channel)
                    .withDeadlineAfter(client.timeoutMillis(), TimeUnit.MILLISECONDS)
                    .restore(new StreamObserver<>() {
                        @Override
                        public void onNext(SnapshotRestoreResponse value) {
                            answer.complete(value);
                        }

                        @Override
                        public void onError(Throwable t) {
                            answer.completeExceptionally(t);
                        }

                        @Override
                        public void onCompleted() {
                        }
                    });
            try (InputStream in = new BufferedInputStream(Files.newInputStream(file))) {
                byte[] buf = new byte[256 * 1024];
                int n;
                while ((n = in.readNBytes(buf, 0, buf.length)) > 0 && !answer.isDone()) {
                    upload.onNext(SnapshotChunk.newBuilder().setData(ByteString.copyFrom(buf, 0, n)).build());
                }
            }
            upload.onCompleted();
            SnapshotRestoreResponse r;
            try {
                r = answer.get(client.timeoutMillis(), TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                throw e.getCause() instanceof Exception cause ? cause : e;
            } catch (TimeoutException e) {
                throw new CliException("no answer to the restore within " + client.timeoutSeconds + " s");
            }
            out().println("Restored snapshot of index " + r.getSnapshotIndex() + " (now at index " + r.getIndex() + ")");
            return 0;
        }
    }

    @Command(name = "inspect", description = "Check a snapshot file and print what it holds.",
            mixinStandardHelpOptions = true)
    static final class Inspect implements java.util.concurrent.Callable<Integer> {
        @Parameters(index = "0", paramLabel = "FILE")
        Path file;

        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws IOException {
            SnapshotReader.Restored r = verify(file);
            var out = spec.commandLine().getOut();
            out.println("Index    " + r.index());
            out.println("Records  " + r.records());
            out.println("Size     " + Files.size(file));
            out.flush();
            return 0;
        }
    }
}
