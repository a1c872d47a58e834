package dev.meshplane.controlplane.membership;

/**
 * A LAN gossip member as the server role needs to know it (the control plane does not depend on
 * the gossip code; the agent translates).
 *
 * @param name       the member's name, which is its node name
 * @param address    the member's IP (its gossip host)
 * @param datacenter the datacenter in its tags ("" when it gives none)
 * @param state      alive (suspects included), failed, left, or reaped (forgotten by gossip)
 */
public record PoolMember(String name, String address, String datacenter, State state) {
    public enum State { ALIVE, FAILED, LEFT, REAPED }

    public PoolMember {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("pool member name must not be empty");
        }
        if (state == null) {
            throw new IllegalArgumentException("pool member " + name + " needs a state");
        }
        address = address == null ? "" : address;
        datacenter = datacenter == null ? "" : datacenter;
    }
}
