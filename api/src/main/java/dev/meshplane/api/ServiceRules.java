package dev.meshplane.api;

import dev.meshplane.proto.v1.Service;
import dev.meshplane.proto.v1.Weights;
import java.util.HashSet;
import java.util.Set;

/** Validates a service definition and fills in Consul's defaults. */
public final class ServiceRules {
    private ServiceRules() {}

    /**
     * Returns the service with defaults applied (ID = name, weights 1/1), or throws
     * INVALID_ARGUMENT naming the first bad field, prefixed with {@code path} (e.g. "service").
     */
    public static Service normalize(String path, Service service) {
        NameRules.checkName(path + ".name", service.getName());
        Service.Builder b = service.toBuilder();
        if (service.getId().isEmpty()) {
            b.setId(service.getName());
        } else {
            NameRules.checkId(path + ".id", service.getId());
        }
        if (service.getTagsCount() > ApiLimits.MAX_TAGS) {
            throw ApiException.invalidArgument(path + ".tags", "has " + service.getTagsCount()
                    + " tags; the limit is " + ApiLimits.MAX_TAGS);
        }
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < service.getTagsCount(); i++) {
            String tag = service.getTags(i);
            String field = path + ".tags[" + i + "]";
            if (tag.isEmpty() || tag.length() > ApiLimits.MAX_TAG_LENGTH) {
                throw ApiException.invalidArgument(field, "must be 1 to " + ApiLimits.MAX_TAG_LENGTH + " characters");
            }
            if (Text.firstControl(tag) >= 0) {
                throw ApiException.invalidArgument(field, Text.quote(tag) + " must not contain control characters");
            }
            if (!seen.add(tag)) {
                throw ApiException.invalidArgument(field, Text.quote(tag) + " is listed twice");
            }
        }
        NameRules.checkAddress(path + ".address", service.getAddress());
        if (service.getPort() < 0 || service.getPort() > 65535) {
            throw ApiException.invalidArgument(path + ".port", service.getPort() + " is out of range 0-65535");
        }
        NameRules.checkMeta(path + ".meta", service.getMetaMap());
        if (!service.hasWeights()) {
            b.setWeights(Weights.newBuilder().setPassing(1).setWarning(1));
        } else {
            if (service.getWeights().getPassing() < 1) {
                throw ApiException.invalidArgument(path + ".weights.passing",
                        service.getWeights().getPassing() + " must be at least 1");
            }
            if (service.getWeights().getWarning() < 0) {
                throw ApiException.invalidArgument(path + ".weights.warning",
                        service.getWeights().getWarning() + " must not be negative");
            }
        }
        if (!service.getKind().isEmpty() && !Text.isName(service.getKind())) {
            throw ApiException.invalidArgument(path + ".kind", Text.quote(service.getKind()) + " is not a valid kind");
        }
        if (service.hasConnect()) {
            ConnectRules.check(path + ".connect", service.getConnect(), service.getPort());
        }
        // Indexes are assigned by the state store, never by a client.
        return b.clearCreateIndex().clearModifyIndex().build();
    }
}
