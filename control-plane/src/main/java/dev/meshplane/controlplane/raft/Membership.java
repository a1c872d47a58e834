package dev.meshplane.controlplane.raft;

import dev.meshplane.proto.internal.v1.ConfChange;
import dev.meshplane.proto.internal.v1.ConfState;
import java.util.Collections;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * Who votes and who only listens. Immutable; sorted so that every iteration (and so every
 * message the core emits) happens in the same order on every run.
 */
record Membership(SortedSet<String> voters, SortedSet<String> learners) {

    Membership {
        voters = Collections.unmodifiableSortedSet(new TreeSet<>(voters));
        learners = Collections.unmodifiableSortedSet(new TreeSet<>(learners));
        for (String id : voters) {
            if (learners.contains(id)) {
                throw new IllegalArgumentException("server " + id + " is both a voter and a learner");
            }
        }
    }

    static Membership of(ConfState state) {
        return new Membership(new TreeSet<>(state.getVotersList()), new TreeSet<>(state.getLearnersList()));
    }

    ConfState toConfState() {
        return ConfState.newBuilder().addAllVoters(voters).addAllLearners(learners).build();
    }

    int quorum() {
        return voters.size() / 2 + 1;
    }

    boolean isVoter(String id) {
        return voters.contains(id);
    }

    boolean isLearner(String id) {
        return learners.contains(id);
    }

    boolean contains(String id) {
        return isVoter(id) || isLearner(id);
    }

    /**
     * The membership after {@code change}, or an {@link IllegalArgumentException} saying why the
     * change does not apply to this membership.
     */
    Membership apply(ConfChange change) {
        String id = change.getNodeId();
        if (id.isBlank()) {
            throw new IllegalArgumentException("conf change " + change.getType() + " names no server");
        }
        TreeSet<String> newVoters = new TreeSet<>(voters);
        TreeSet<String> newLearners = new TreeSet<>(learners);
        switch (change.getType()) {
            case CONF_CHANGE_TYPE_ADD_VOTER -> {
                if (isVoter(id)) {
                    throw new IllegalArgumentException("server " + id + " is already a voter");
                }
                newLearners.remove(id);
                newVoters.add(id);
            }
            case CONF_CHANGE_TYPE_ADD_LEARNER -> {
                if (isLearner(id)) {
                    throw new IllegalArgumentException("server " + id + " is already a learner");
                }
                if (isVoter(id) && voters.size() == 1) {
                    throw new IllegalArgumentException("cannot demote " + id + ", the only voter");
                }
                newVoters.remove(id);
                newLearners.add(id);
            }
            case CONF_CHANGE_TYPE_REMOVE -> {
                if (!contains(id)) {
                    throw new IllegalArgumentException("server " + id + " is not a member");
                }
                if (isVoter(id) && voters.size() == 1) {
                    throw new IllegalArgumentException("cannot remove " + id + ", the only voter");
                }
                newVoters.remove(id);
                newLearners.remove(id);
            }
            default -> throw new IllegalArgumentException("conf change type " + change.getType()
                    + " is not ADD_VOTER, ADD_LEARNER or REMOVE");
        }
        return new Membership(newVoters, newLearners);
    }

    @Override
    public String toString() {
        return "voters=" + voters + (learners.isEmpty() ? "" : " learners=" + learners);
    }
}
