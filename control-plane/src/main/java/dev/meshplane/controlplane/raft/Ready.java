package dev.meshplane.controlplane.raft;

import dev.meshplane.proto.internal.v1.HardState;
import dev.meshplane.proto.internal.v1.RaftEntry;
import dev.meshplane.proto.internal.v1.RaftMessage;
import dev.meshplane.proto.internal.v1.SnapshotMetadata;
import java.util.List;
import java.util.Optional;

/**
 * Everything the driver must do after some inputs, in this order:
 * <ol>
 *   <li>persist, with one fsync when {@link #mustSync()}: first {@link #snapshot()} if present
 *       (the data that came with it becomes the state machine's; the log is emptied up to and
 *       including its index), then {@link #entries()} (truncating the log at the first entry's
 *       index, then appending), then {@link #hardState()} if present;</li>
 *   <li>send {@link #messages()} (only now: they promise what was just persisted);</li>
 *   <li>apply {@link #committedEntries()} in order, and serve the {@link #readStates()} once
 *       the applied index reaches theirs;</li>
 *   <li>call {@link RaftNode#advance(Ready)}.</li>
 * </ol>
 *
 * @param softState        role and leader now (for logs, metrics and failing pending reads)
 * @param hardState        term, vote and commit, present when changed since the last Ready
 * @param entries          entries to append to the log
 * @param snapshot         a snapshot received from the leader, to install
 * @param messages         messages to send after persisting
 * @param committedEntries entries to apply to the state machine
 * @param readStates       answers to ReadIndex requests
 * @param mustSync         whether persisting needs an fsync (new entries, term or vote; a
 *                         commit-only change may be written lazily: it is recoverable)
 */
public record Ready(
        SoftState softState,
        Optional<HardState> hardState,
        List<RaftEntry> entries,
        Optional<SnapshotMetadata> snapshot,
        List<RaftMessage> messages,
        List<RaftEntry> committedEntries,
        List<ReadState> readStates,
        boolean mustSync) {

    public Ready {
        entries = List.copyOf(entries);
        messages = List.copyOf(messages);
        committedEntries = List.copyOf(committedEntries);
        readStates = List.copyOf(readStates);
    }
}
