package dev.meshplane.cli;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Pattern;

/**
 * -advertise and -advertise-wan: the IP other members use to reach this agent (its gossip
 * address, the host of its server RPC address, its catalog node address), as opposed to -bind,
 * where it listens. Only IP literals are accepted: gossip never resolves names on its network
 * thread, and a name that resolves differently on each host would split the pool.
 */
final class AdvertiseAddress {
    private static final Pattern IPV4 = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]+");

    private AdvertiseAddress() {}

    /** A flag's value as an advertisable IP: a literal, neither a wildcard nor multicast. */
    static String parse(String flag, String value) {
        InetAddress ip = literal(value);
        if (ip == null) {
            throw new CliException(flag + ": \"" + value + "\" is not an IP address (give the IP other agents reach "
                    + "this one at)");
        }
        if (ip.isAnyLocalAddress() || ip.isMulticastAddress()) {
            throw new CliException(flag + ": " + value + " is a " + (ip.isAnyLocalAddress() ? "wildcard" : "multicast")
                    + " address; other agents cannot reach this one there");
        }
        return ip.getHostAddress();
    }

    /**
     * What is advertised without -advertise (Consul's rule): the bind address, or, when that is a
     * wildcard (0.0.0.0 or ::), the first non-loopback, non-link-local address of an interface that
     * is up, IPv4 before IPv6, interfaces in index order.
     */
    static String defaultFor(String bindHost) {
        InetAddress bind = literal(bindHost);
        if (bind == null || !bind.isAnyLocalAddress()) {
            return bindHost;
        }
        return firstNonLoopback().orElseThrow(() -> new CliException("-advertise: -bind " + bindHost
                + " is a wildcard and this host has no non-loopback address to advertise; give -advertise IP"));
    }

    private static java.util.Optional<String> firstNonLoopback() {
        List<InetAddress> found = new ArrayList<>();
        try {
            List<NetworkInterface> interfaces = NetworkInterface.networkInterfaces()
                    .sorted(Comparator.comparingInt(NetworkInterface::getIndex)).toList();
            for (NetworkInterface nic : interfaces) {
                if (!nic.isUp() || nic.isLoopback()) {
                    continue;
                }
                nic.inetAddresses().filter(a -> !a.isLoopbackAddress() && !a.isLinkLocalAddress()
                        && !a.isAnyLocalAddress() && !a.isMulticastAddress()).forEach(found::add);
            }
        } catch (SocketException e) {
            throw new CliException("-advertise: cannot list this host's network interfaces (" + e.getMessage()
                    + "); give -advertise IP");
        }
        return found.stream().sorted(Comparator.comparingInt(a -> a instanceof Inet4Address ? 0 : 1)).findFirst()
                .map(InetAddress::getHostAddress);
    }

    /** The address if {@code text} is an IPv4 or IPv6 literal (never a DNS lookup), else null. */
    static InetAddress literal(String text) {
        if (text == null || text.isEmpty()) {
            return null;
        }
        String t = text.startsWith("[") && text.endsWith("]") ? text.substring(1, text.length() - 1) : text;
        var v4 = IPV4.matcher(t);
        if (v4.matches()) {
            for (int i = 1; i <= 4; i++) {
                if (Integer.parseInt(v4.group(i)) > 255) {
                    return null;
                }
            }
        } else if (!t.contains(":") || !IPV6.matcher(t).matches()) {
            return null;
        }
        try {
            // A literal: getByName parses it without asking DNS.
            return InetAddress.getByName(t);
        } catch (UnknownHostException e) {
            return null;
        }
    }
}
