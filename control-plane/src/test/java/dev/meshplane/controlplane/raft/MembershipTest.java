package dev.meshplane.controlplane.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.meshplane.proto.internal.v1.ConfChange;
import dev.meshplane.proto.internal.v1.ConfChangeType;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class MembershipTest {
    private static final Membership THREE = new Membership(new TreeSet<>(Set.of("a", "b", "c")), new TreeSet<>());

    private static ConfChange change(ConfChangeType type, String id) {
        return ConfChange.newBuilder().setType(type).setNodeId(id).build();
    }

    @Test
    void quorumIsAMajorityOfVoters() {
        assertEquals(2, THREE.quorum());
        Membership four = THREE.apply(change(ConfChangeType.CONF_CHANGE_TYPE_ADD_VOTER, "d"));
        assertEquals(3, four.quorum());
        Membership withLearner = THREE.apply(change(ConfChangeType.CONF_CHANGE_TYPE_ADD_LEARNER, "e"));
        assertEquals(2, withLearner.quorum());
    }

    @Test
    void learnerPromotionAndVoterDemotion() {
        Membership m = THREE.apply(change(ConfChangeType.CONF_CHANGE_TYPE_ADD_LEARNER, "d"))
                .apply(change(ConfChangeType.CONF_CHANGE_TYPE_ADD_VOTER, "d"));
        assertEquals(Set.of("a", "b", "c", "d"), m.voters());
        assertEquals(Set.of(), m.learners());
        Membership demoted = m.apply(change(ConfChangeType.CONF_CHANGE_TYPE_ADD_LEARNER, "a"));
        assertEquals(Set.of("b", "c", "d"), demoted.voters());
        assertEquals(Set.of("a"), demoted.learners());
    }

    @Test
    void nonsenseChangesAreRefusedWithAReason() {
        assertEquals("server a is already a voter", assertThrows(IllegalArgumentException.class,
                () -> THREE.apply(change(ConfChangeType.CONF_CHANGE_TYPE_ADD_VOTER, "a"))).getMessage());
        assertEquals("server z is not a member", assertThrows(IllegalArgumentException.class,
                () -> THREE.apply(change(ConfChangeType.CONF_CHANGE_TYPE_REMOVE, "z"))).getMessage());
        Membership one = new Membership(new TreeSet<>(Set.of("a")), new TreeSet<>());
        assertEquals("cannot remove a, the only voter", assertThrows(IllegalArgumentException.class,
                () -> one.apply(change(ConfChangeType.CONF_CHANGE_TYPE_REMOVE, "a"))).getMessage());
        assertEquals("conf change CONF_CHANGE_TYPE_ADD_VOTER names no server", assertThrows(IllegalArgumentException.class,
                () -> THREE.apply(change(ConfChangeType.CONF_CHANGE_TYPE_ADD_VOTER, ""))).getMessage());
    }
}
