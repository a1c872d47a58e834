package dev.meshplane.sidecar.dns;

import dev.meshplane.proto.v1.HealthStatus;
import dev.meshplane.proto.v1.ServiceEntry;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * One service instance reduced to what DNS answers need, computed once per change rather than
 * once per query.
 *
 * @param address    the address to answer with (service address, else node address), raw bytes,
 *                   or null when it is a host name
 * @param hostname   the address when it is a host name rather than an IP literal, else null
 * @param ownAddress whether the service has an address of its own (SRV then targets it, not the node)
 */
record Instance(String node, String nodeAddress, byte[] address, String hostname, boolean ownAddress, int port,
                List<String> tags, HealthStatus status, int passingWeight, int warningWeight,
                Map<String, String> nodeMeta) {

    static Instance of(ServiceEntry e) {
        String own = e.getService().getAddress();
        String chosen = own.isEmpty() ? e.getNode().getAddress() : own;
        byte[] ip = ipLiteral(chosen);
        var w = e.getService().getWeights();
        return new Instance(e.getNode().getName(), e.getNode().getAddress(), ip, ip == null ? chosen : null,
                !own.isEmpty(), e.getService().getPort(), List.copyOf(e.getService().getTagsList()),
                e.getAggregatedStatus(), w.getPassing() == 0 ? 1 : w.getPassing(), w.getWarning(),
                Map.copyOf(e.getNode().getMetaMap()));
    }

    /** Discovery never hands out critical or maintenance instances; only_passing drops warning too. */
    boolean healthy(boolean onlyPassing) {
        return status == HealthStatus.HEALTH_STATUS_PASSING
                || (!onlyPassing && status == HealthStatus.HEALTH_STATUS_WARNING);
    }

    int weight() {
        return status == HealthStatus.HEALTH_STATUS_WARNING ? warningWeight : passingWeight;
    }

    /** The "<hex>.addr" label Consul uses as the SRV target of an instance with its own address. */
    String addrLabel() {
        return HexFormat.of().formatHex(address);
    }

    /** The bytes of an IPv4 or IPv6 literal, or null for anything else (a host name is never resolved here). */
    static byte[] ipLiteral(String s) {
        if (s.isEmpty()) {
            return null;
        }
        boolean v6 = s.indexOf(':') >= 0;
        boolean v4 = !v6 && s.chars().allMatch(c -> (c >= '0' && c <= '9') || c == '.')
                && s.chars().filter(c -> c == '.').count() == 3;
        if (!v4 && !v6) {
            return null;
        }
        try {
            return InetAddress.getByName(s).getAddress();
        } catch (UnknownHostException | SecurityException e) {
            return null;
        }
    }
}
