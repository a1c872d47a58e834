package dev.meshplane.controlplane.state;

import com.google.protobuf.CodedOutputStream;
import dev.meshplane.proto.internal.v1.IndexRecord;
import dev.meshplane.proto.internal.v1.RestoreStaging;
import dev.meshplane.proto.internal.v1.ServiceRecord;
import dev.meshplane.proto.internal.v1.SnapshotHeader;
import dev.meshplane.proto.internal.v1.SnapshotRecord;
import dev.meshplane.proto.internal.v1.SnapshotTrailer;
import dev.meshplane.proto.internal.v1.TombstoneRecord;
import dev.meshplane.proto.v1.Check;
import dev.meshplane.proto.v1.KvEntry;
import dev.meshplane.proto.v1.Node;
import dev.meshplane.proto.v1.Service;
import dev.meshplane.proto.v1.Session;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * Writes the whole state store to a stream: an 8-byte magic, a header with the index, one
 * length-delimited record per stored object (nodes, services, checks, sessions, KV entries,
 * tombstones, the CA, intentions, indexes — in that order, so references resolve as they are read), and a trailer
 * with the record count and a CRC32C of everything before it. {@link SnapshotReader} reads it.
 *
 * <p>The records are captured under the read lock (references to immutable objects, no
 * copying of values) and written after it is released, so a large snapshot does not stall the
 * log.
 */
public final class StateSnapshot {
    /** "MPSNAP", then the format's major version. */
    static final byte[] MAGIC = {'M', 'P', 'S', 'N', 'A', 'P', 0, 1};
    static final int FORMAT_VERSION = 1;

    private StateSnapshot() {}

    /** The store's records at one index, captured under its read lock, to be written later. */
    public static final class Captured {
        private final long index;
        private final List<SnapshotRecord> records;

        private Captured(long index, List<SnapshotRecord> records) {
            this.index = index;
            this.records = records;
        }

        /** The state store index the records reflect. */
        public long index() {
            return index;
        }

        /** Writes the snapshot file's bytes; may run on any thread, after the capture. */
        public void writeTo(OutputStream out, String producer) throws IOException {
            write(index, records, out, producer);
        }
    }

    /** Captures the store as it is now (references to its immutable records; cheap). */
    public static Captured capture(StateStore store) {
        return store.read(() -> new Captured(store.lastIndex(), capture(store.tables())));
    }

    /** Writes a snapshot of the store as it is now; returns the index it reflects. */
    public static long write(StateStore store, OutputStream out, String producer) throws IOException {
        Captured captured = capture(store);
        captured.writeTo(out, producer);
        return captured.index();
    }

    private static void write(long index, List<SnapshotRecord> records, OutputStream out, String producer)
            throws IOException {
        CRC32C crc = new CRC32C();
        OutputStream checked = new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                crc.update(b);
                out.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                crc.update(b, off, len);
                out.write(b, off, len);
            }
        };
        CodedOutputStream coded = CodedOutputStream.newInstance(checked, 64 * 1024);
        coded.writeRawBytes(MAGIC);
        writeDelimited(coded, SnapshotHeader.newBuilder().setFormatVersion(FORMAT_VERSION).setIndex(index)
                .setCreatedUnixMillis(System.currentTimeMillis()).setProducer(producer).build().toByteArray());
        for (SnapshotRecord r : records) {
            writeDelimited(coded, r.toByteArray());
        }
        coded.flush();
        byte[] trailer = SnapshotRecord.newBuilder().setTrailer(SnapshotTrailer.newBuilder()
                .setRecordCount(records.size()).setCrc32C((int) crc.getValue())).build().toByteArray();
        CodedOutputStream tail = CodedOutputStream.newInstance(out);
        writeDelimited(tail, trailer);
        tail.flush();
        out.flush();
    }

    private static void writeDelimited(CodedOutputStream out, byte[] bytes) throws IOException {
        out.writeUInt32NoTag(bytes.length);
        out.writeRawBytes(bytes);
    }

    /** Every record of the tables, in the order a reader needs them. Call under the read lock. */
    static List<SnapshotRecord> capture(StateStore.Tables t) {
        List<SnapshotRecord> out = new ArrayList<>();
        CatalogTable c = t.catalog;
        for (Node n : c.nodes()) {
            out.add(SnapshotRecord.newBuilder().setNode(n).build());
        }
        for (Map.Entry<String, Collection<Service>> e : c.allServices().entrySet()) {
            for (Service s : e.getValue()) {
                out.add(SnapshotRecord.newBuilder().setService(ServiceRecord.newBuilder().setNode(e.getKey())
                        .setService(s)).build());
            }
        }
        for (Collection<Check> checks : c.allChecks().values()) {
            for (Check check : checks) {
                out.add(SnapshotRecord.newBuilder().setCheck(check).build());
            }
        }
        for (Session s : t.sessions.all()) {
            out.add(SnapshotRecord.newBuilder().setSession(s).build());
        }
        for (KvEntry e : t.kv.prefix("").values()) {
            out.add(SnapshotRecord.newBuilder().setKv(e).build());
        }
        for (Map.Entry<String, Long> e : t.kv.tombstones().entrySet()) {
            out.add(SnapshotRecord.newBuilder().setTombstone(TombstoneRecord.newBuilder().setKey(e.getKey())
                    .setIndex(e.getValue())).build());
        }
        for (Map.Entry<String, List<com.google.protobuf.ByteString>> e : new java.util.TreeMap<>(t.restores).entrySet()) {
            out.add(SnapshotRecord.newBuilder().setRestoreStaging(RestoreStaging.newBuilder()
                    .setRestoreId(e.getKey()).addAllChunks(e.getValue())).build());
        }
        if (t.ca.state() != null) {
            out.add(SnapshotRecord.newBuilder().setCa(t.ca.state()).build());
        }
        for (var intention : t.intentions.all()) {
            out.add(SnapshotRecord.newBuilder().setIntention(intention).build());
        }
        out.add(index(IndexRecord.Kind.NODES, "", c.nodesIndex()));
        out.add(index(IndexRecord.Kind.SERVICES, "", c.servicesIndex()));
        out.add(index(IndexRecord.Kind.CHECKS, "", c.checksIndex()));
        out.add(index(IndexRecord.Kind.KV, "", t.kv.tableIndex()));
        out.add(index(IndexRecord.Kind.SESSIONS, "", t.sessions.tableIndex()));
        out.add(index(IndexRecord.Kind.CA, "", t.ca.tableIndex()));
        out.add(index(IndexRecord.Kind.INTENTIONS, "", t.intentions.tableIndex()));
        c.serviceNameIndexes().forEach((name, i) -> out.add(index(IndexRecord.Kind.SERVICE_NAME, name, i)));
        c.nodeNameIndexes().forEach((name, i) -> out.add(index(IndexRecord.Kind.NODE_NAME, name, i)));
        return out;
    }

    private static SnapshotRecord index(IndexRecord.Kind kind, String name, long index) {
        return SnapshotRecord.newBuilder().setIndex(IndexRecord.newBuilder().setKind(kind).setName(name)
                .setIndex(index)).build();
    }
}
