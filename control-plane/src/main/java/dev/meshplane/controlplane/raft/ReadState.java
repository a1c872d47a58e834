package dev.meshplane.controlplane.raft;

import com.google.protobuf.ByteString;

/**
 * The answer to {@link RaftNode#readIndex(ByteString)}: a read tagged {@code context} may be
 * served from local state once this server has applied up to {@code index}.
 */
public record ReadState(long index, ByteString context) {}
