package dev.meshplane.api;

import dev.meshplane.proto.v1.Node;

/** Validates a node as registered in the catalog. */
public final class NodeRules {
    private NodeRules() {}

    public static Node normalize(String path, Node node) {
        NameRules.checkName(path + ".name", node.getName());
        if (node.getAddress().isEmpty()) {
            throw ApiException.invalidArgument(path + ".address", "must not be empty");
        }
        NameRules.checkAddress(path + ".address", node.getAddress());
        if (!node.getId().isEmpty()) {
            NameRules.checkId(path + ".id", node.getId());
        }
        if (!node.getDatacenter().isEmpty()) {
            NameRules.checkName(path + ".datacenter", node.getDatacenter());
        }
        NameRules.checkMeta(path + ".meta", node.getMetaMap());
        for (var e : node.getTaggedAddressesMap().entrySet()) {
            NameRules.checkAddress(path + ".tagged_addresses[" + e.getKey() + "]", e.getValue());
        }
        return node.toBuilder().clearCreateIndex().clearModifyIndex().build();
    }
}
