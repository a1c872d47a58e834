package dev.meshplane.ca;

import java.util.Set;

/**
 * Decides whether the caller behind a CSR may have a certificate for the identity it names.
 * The server role answers from the caller's ACL token (service:write on the service); the CA
 * only asks.
 */
@FunctionalInterface
public interface SigningAuthorizer {
    boolean maySign(SpiffeId id);

    /** A caller that may sign for exactly these service names. */
    static SigningAuthorizer services(Set<String> names) {
        Set<String> allowed = Set.copyOf(names);
        return id -> allowed.contains(id.service());
    }

    /** A caller that may sign for any service: for trusted operator tooling only. */
    static SigningAuthorizer anyService() {
        return id -> true;
    }
}
