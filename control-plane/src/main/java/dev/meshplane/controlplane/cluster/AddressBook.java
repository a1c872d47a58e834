package dev.meshplane.controlplane.cluster;

import dev.meshplane.proto.internal.v1.PeerAddresses;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where each server ID is reached. Learned from the bootstrap handshake, from membership
 * changes (their context carries the new server's address) and from a returning server's hello;
 * persisted (atomically) so a restarted server can reach its peers before hearing from them.
 */
final class AddressBook {
    private final Path file;
    private final Map<String, String> addresses = new ConcurrentHashMap<>();

    AddressBook(Path file) throws IOException {
        this.file = file;
        if (Files.exists(file)) {
            addresses.putAll(PeerAddresses.parseFrom(Files.readAllBytes(file)).getAddressesMap());
        }
    }

    Optional<String> address(String id) {
        return Optional.ofNullable(addresses.get(id));
    }

    /** Records an address; returns true when it was new or changed (and persists it). */
    synchronized boolean put(String id, String address) {
        if (address.equals(addresses.get(id))) {
            return false;
        }
        addresses.put(id, address);
        persist();
        return true;
    }

    /** The ID whose address this is, if any. */
    Optional<String> idOf(String address) {
        return addresses.entrySet().stream().filter(e -> e.getValue().equals(address)).map(Map.Entry::getKey)
                .findFirst();
    }

    Map<String, String> all() {
        return Map.copyOf(addresses);
    }

    private void persist() {
        try {
            Files.createDirectories(file.getParent());
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ch.write(java.nio.ByteBuffer.wrap(PeerAddresses.newBuilder().putAllAddresses(addresses).build()
                        .toByteArray()));
                ch.force(true);
            }
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot save the address book " + file, e);
        }
    }
}
