package dev.meshplane.sidecar.dns;

import dev.meshplane.api.ApiException;
import dev.meshplane.api.NameRules;
import java.util.HexFormat;
import java.util.Locale;

/** Parses a query name into a {@link Lookup}, the way Consul reads its DNS names. */
final class QueryNames {
    /** Names asked recently: the same few names are asked over and over. Cleared when full. */
    private static final int MAX_REMEMBERED = 16384;

    private final String domain;
    private final String altDomain;
    private final java.util.concurrent.ConcurrentHashMap<String, Lookup> remembered =
            new java.util.concurrent.ConcurrentHashMap<>();

    QueryNames(String domain, String altDomain) {
        this.domain = domain;
        this.altDomain = altDomain;
    }

    /** @param qname a name as decoded from the wire, with or without the trailing dot */
    Lookup parse(String qname) {
        Lookup known = remembered.get(qname);
        if (known != null) {
            return known;
        }
        Lookup parsed = parseNew(qname);
        if (remembered.size() >= MAX_REMEMBERED) {
            remembered.clear();
        }
        remembered.put(qname, parsed);
        return parsed;
    }

    private Lookup parseNew(String qname) {
        String name = qname.endsWith(".") ? qname : qname + ".";
        String lower = name.toLowerCase(Locale.ROOT);
        String matched = match(lower, domain);
        if (matched == null && !altDomain.isEmpty()) {
            matched = match(lower, altDomain);
        }
        if (matched == null) {
            return new Lookup.Foreign();
        }
        if (lower.length() == matched.length()) {
            return new Lookup.Apex(matched);
        }
        String[] labels = name.substring(0, name.length() - matched.length() - 1).split("\\.", -1);
        for (String label : labels) {
            if (label.isEmpty()) {
                return new Lookup.Unknown(matched);
            }
        }
        int n = labels.length;
        int typeAt;
        String dc;
        if (isType(labels[n - 1])) {
            typeAt = n - 1;
            dc = null;
        } else if (n >= 2 && isType(labels[n - 2])) {
            typeAt = n - 2;
            dc = labels[n - 1];
        } else {
            return new Lookup.Unknown(matched);
        }
        if (typeAt == 0) {
            return new Lookup.Unknown(matched);
        }
        Lookup lookup = switch (labels[typeAt].toLowerCase(Locale.ROOT)) {
            case "service" -> service(matched, labels, typeAt, dc);
            case "node" -> new Lookup.Node(matched, String.join(".", java.util.Arrays.copyOf(labels, typeAt)), dc);
            case "addr" -> typeAt == 1 ? addr(matched, labels[0], dc) : new Lookup.Unknown(matched);
            default -> new Lookup.Unknown(matched);
        };
        // A name the catalog could never hold cannot exist: NXDOMAIN, without asking the servers.
        String asked = lookup instanceof Lookup.Service sv ? sv.service()
                : lookup instanceof Lookup.Node nd ? nd.node() : null;
        return asked != null && !validName(asked) ? new Lookup.Unknown(matched) : lookup;
    }

    private static boolean validName(String name) {
        try {
            NameRules.checkName("name", name);
            return true;
        } catch (ApiException e) {
            return false;
        }
    }

    private static String match(String lowerName, String domain) {
        if (lowerName.equals(domain) || lowerName.endsWith("." + domain)) {
            return domain;
        }
        return null;
    }

    private static boolean isType(String label) {
        return label.equalsIgnoreCase("service") || label.equalsIgnoreCase("node") || label.equalsIgnoreCase("addr");
    }

    private static Lookup service(String domain, String[] labels, int typeAt, String dc) {
        if (typeAt == 1) {
            return new Lookup.Service(domain, labels[0], null, dc);
        }
        if (typeAt == 2) {
            if (labels[0].startsWith("_") && labels[1].startsWith("_")) {
                String service = labels[0].substring(1);
                String tag = labels[1].substring(1);
                if (service.isEmpty() || tag.isEmpty()) {
                    return new Lookup.Unknown(domain);
                }
                return new Lookup.Service(domain, service, tag.equalsIgnoreCase("tcp") ? null : tag, dc);
            }
            return new Lookup.Service(domain, labels[1], labels[0], dc);
        }
        return new Lookup.Unknown(domain);
    }

    private static Lookup addr(String domain, String hex, String dc) {
        if (hex.length() != 8 && hex.length() != 32) {
            return new Lookup.Unknown(domain);
        }
        try {
            return new Lookup.Addr(domain, HexFormat.of().parseHex(hex), dc);
        } catch (IllegalArgumentException e) {
            return new Lookup.Unknown(domain);
        }
    }
}
