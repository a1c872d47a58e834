package dev.meshplane.sidecar.dns;

/**
 * What a query name asks for, once the domain is recognised. {@code domain} is the configured
 * domain the name fell under ("consul." or the alternate), used to build target names.
 */
sealed interface Lookup {
    /** A name outside every domain served: recursors answer it, or it is REFUSED. */
    record Foreign() implements Lookup {}

    /** The domain itself ("consul."): SOA and NS. */
    record Apex(String domain) implements Lookup {}

    /** Under the domain but not a name this server knows the shape of: NXDOMAIN. */
    record Unknown(String domain) implements Lookup {}

    /**
     * {@code [tag.]svc.service[.dc].domain} or RFC 2782 {@code _svc._tag.service[.dc].domain}
     * (tag "tcp" there means any tag).
     *
     * @param tag        null for any tag
     * @param datacenter null for the local one
     */
    record Service(String domain, String service, String tag, String datacenter) implements Lookup {}

    /** {@code node.node[.dc].domain}. */
    record Node(String domain, String node, String datacenter) implements Lookup {}

    /** {@code <hex ip>.addr[.dc].domain}, the targets of SRV answers for services with their own address. */
    record Addr(String domain, byte[] address, String datacenter) implements Lookup {}
}
