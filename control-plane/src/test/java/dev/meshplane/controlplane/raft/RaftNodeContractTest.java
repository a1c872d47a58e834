package dev.meshplane.controlplane.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.meshplane.proto.internal.v1.ConfState;
import dev.meshplane.proto.internal.v1.HardState;
import dev.meshplane.proto.internal.v1.MessageType;
import dev.meshplane.proto.internal.v1.RaftEntry;
import dev.meshplane.proto.internal.v1.RaftMessage;
import java.util.random.RandomGenerator;
import java.util.random.RandomGeneratorFactory;
import org.junit.jupiter.api.Test;

/** The driver-facing contract: bad input is refused clearly, Ready and advance pair up. */
class RaftNodeContractTest {
    private static RandomGenerator random() {
        return RandomGeneratorFactory.of("L64X128MixRandom").create(7);
    }

    private static RaftNode single(MemoryRaftLog log) {
        return RaftNode.found(RaftConfig.defaults("a"), log, ConfState.newBuilder().addVoters("a").build(), random());
    }

    /** Persists, applies and advances one Ready, as a driver would. */
    private static Ready cycle(RaftNode node, MemoryRaftLog log) {
        Ready rd = node.ready();
        log.append(rd.entries());
        node.advance(rd);
        return rd;
    }

    @Test
    void messagesForSomeoneElseOrWithoutTypeAreRefused() {
        RaftNode node = single(new MemoryRaftLog());
        assertEquals("raft message for 'b' delivered to 'a'", assertThrows(IllegalArgumentException.class,
                () -> node.step(RaftMessage.newBuilder().setType(MessageType.MESSAGE_TYPE_HEARTBEAT)
                        .setFrom("c").setTo("b").setTerm(1).build())).getMessage());
        assertEquals("raft message from 'c' has no type", assertThrows(IllegalArgumentException.class,
                () -> node.step(RaftMessage.newBuilder().setFrom("c").setTo("a").build())).getMessage());
        assertThrows(IllegalArgumentException.class, () -> node.readIndex(ByteString.EMPTY));
    }

    @Test
    void readyMustBeAdvancedBeforeTheNext() {
        MemoryRaftLog log = new MemoryRaftLog();
        RaftNode node = single(log);
        Ready rd = node.ready();
        assertFalse(node.hasReady(), "no second Ready while one is outstanding");
        assertThrows(IllegalStateException.class, node::ready);
        log.append(rd.entries());
        Ready other = new Ready(rd.softState(), rd.hardState(), rd.entries(), rd.snapshot(), rd.messages(),
                rd.committedEntries(), rd.readStates(), rd.mustSync());
        assertThrows(IllegalStateException.class, () -> node.advance(other));
        node.advance(rd);
    }

    @Test
    void aSingleServerCommitsOnlyWhatItHasPersisted() {
        MemoryRaftLog log = new MemoryRaftLog();
        RaftNode node = single(log);
        cycle(node, log); // founding membership
        node.campaign();
        assertEquals(RaftRole.LEADER, node.role());
        ProposeResult r = node.propose(ByteString.copyFromUtf8("x"));
        assertTrue(r.accepted());
        long index = ((ProposeResult.Accepted) r).index();
        Ready rd = node.ready();
        assertTrue(rd.entries().stream().anyMatch(e -> e.getIndex() == index));
        assertTrue(rd.committedEntries().stream().noneMatch(e -> e.getIndex() == index),
                "an entry must not be handed out as committed in the Ready that persists it");
        assertTrue(node.commitIndex() < index);
        log.append(rd.entries());
        node.advance(rd);
        assertEquals(index, node.commitIndex());
        Ready next = cycle(node, log);
        assertTrue(next.committedEntries().stream().map(RaftEntry::getIndex).anyMatch(i -> i == index));
    }

    @Test
    void restartRefusesAHardStateAheadOfTheLog() {
        MemoryRaftLog log = new MemoryRaftLog();
        HardState lying = HardState.newBuilder().setTerm(3).setCommit(10).build();
        assertEquals("hard state commit 10 is beyond the last log index 0: the log lost entries",
                assertThrows(IllegalArgumentException.class,
                        () -> new RaftNode(RaftConfig.defaults("a"), log, lying, random())).getMessage());
    }

    @Test
    void foundingTwiceIsRefused() {
        MemoryRaftLog log = new MemoryRaftLog();
        RaftNode node = single(log);
        cycle(node, log);
        assertThrows(IllegalArgumentException.class,
                () -> RaftNode.found(RaftConfig.defaults("a"), log, ConfState.newBuilder().addVoters("a").build(), random()));
    }

    @Test
    void followersRefuseProposalsAndNameTheLeaderWhenKnown() {
        MemoryRaftLog log = new MemoryRaftLog();
        RaftNode node = RaftNode.found(RaftConfig.defaults("a"), log,
                ConfState.newBuilder().addVoters("a").addVoters("b").build(), random());
        cycle(node, log);
        ProposeResult r = node.propose(ByteString.copyFromUtf8("x"));
        assertEquals(ProposeResult.Reason.NOT_LEADER, ((ProposeResult.Rejected) r).reason());
        node.step(RaftMessage.newBuilder().setType(MessageType.MESSAGE_TYPE_HEARTBEAT).setFrom("b").setTo("a")
                .setTerm(2).build());
        ProposeResult.Rejected again = (ProposeResult.Rejected) node.propose(ByteString.copyFromUtf8("x"));
        assertEquals("b", again.leaderHint());
    }
}
