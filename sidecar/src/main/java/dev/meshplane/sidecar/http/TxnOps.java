package dev.meshplane.sidecar.http;

import com.google.protobuf.ByteString;
import dev.meshplane.proto.v1.CatalogVerb;
import dev.meshplane.proto.v1.CheckTxnOp;
import dev.meshplane.proto.v1.KvTxnOp;
import dev.meshplane.proto.v1.KvVerb;
import dev.meshplane.proto.v1.NodeTxnOp;
import dev.meshplane.proto.v1.ServiceTxnOp;
import dev.meshplane.proto.v1.TxnOp;
import java.util.Base64;

/** Decodes one operation of a Consul transaction document. */
final class TxnOps {
    private TxnOps() {}

    static TxnOp decode(JsonIn op, int index) {
        JsonIn kv = op.object("KV");
        JsonIn node = op.object("Node");
        JsonIn service = op.object("Service");
        JsonIn check = op.object("Check");
        int kinds = (kv != null ? 1 : 0) + (node != null ? 1 : 0) + (service != null ? 1 : 0) + (check != null ? 1 : 0);
        if (kinds != 1) {
            throw HttpError.badRequest("Failed to parse body: operation " + index
                    + " must have exactly one of KV, Node, Service or Check");
        }
        if (kv != null) {
            return TxnOp.newBuilder().setKv(kv(kv, index)).build();
        }
        if (node != null) {
            JsonIn n = node.object("Node");
            return TxnOp.newBuilder().setNode(NodeTxnOp.newBuilder().setVerb(catalogVerb(node, index))
                    .setNode(n == null ? dev.meshplane.proto.v1.Node.getDefaultInstance() : ConsulInput.node(n)))
                    .build();
        }
        if (service != null) {
            JsonIn s = service.object("Service");
            return TxnOp.newBuilder().setService(ServiceTxnOp.newBuilder().setVerb(catalogVerb(service, index))
                    .setNode(service.text("Node"))
                    .setService(s == null ? dev.meshplane.proto.v1.Service.getDefaultInstance()
                            : ConsulInput.service(s))).build();
        }
        JsonIn c = check.object("Check");
        return TxnOp.newBuilder().setCheck(CheckTxnOp.newBuilder().setVerb(catalogVerb(check, index))
                .setCheck(c == null ? dev.meshplane.proto.v1.Check.getDefaultInstance() : ConsulInput.check(c, "")))
                .build();
    }

    private static KvTxnOp kv(JsonIn in, int index) {
        String verb = in.text("Verb");
        KvVerb v = switch (verb) {
            case "set" -> KvVerb.KV_SET;
            case "cas" -> KvVerb.KV_CAS;
            case "lock" -> KvVerb.KV_LOCK;
            case "unlock" -> KvVerb.KV_UNLOCK;
            case "get" -> KvVerb.KV_GET;
            case "get-tree" -> KvVerb.KV_GET_TREE;
            case "check-index" -> KvVerb.KV_CHECK_INDEX;
            case "check-session" -> KvVerb.KV_CHECK_SESSION;
            case "check-not-exists" -> KvVerb.KV_CHECK_NOT_EXISTS;
            case "delete" -> KvVerb.KV_DELETE;
            case "delete-tree" -> KvVerb.KV_DELETE_TREE;
            case "delete-cas" -> KvVerb.KV_DELETE_CAS;
            default -> throw HttpError.badRequest("Failed to parse body: operation " + index + ": unknown KV verb \""
                    + verb + "\"");
        };
        ByteString value = ByteString.EMPTY;
        String encoded = in.text("Value");
        if (!encoded.isEmpty()) {
            try {
                value = ByteString.copyFrom(Base64.getDecoder().decode(encoded));
            } catch (IllegalArgumentException e) {
                throw HttpError.badRequest("Failed to parse body: operation " + index
                        + ": Value is not valid base64: " + e.getMessage());
            }
        }
        long flags = in.integer("Flags", 0);
        long modifyIndex = in.integer("Index", 0);
        if (flags < 0 || modifyIndex < 0) {
            throw HttpError.badRequest("Failed to parse body: operation " + index + ": Flags and Index must not be negative");
        }
        return KvTxnOp.newBuilder().setVerb(v).setKey(in.text("Key")).setValue(value).setFlags(flags)
                .setIndex(modifyIndex).setSession(in.text("Session")).build();
    }

    private static CatalogVerb catalogVerb(JsonIn in, int index) {
        String verb = in.text("Verb");
        return switch (verb) {
            case "set" -> CatalogVerb.CATALOG_SET;
            case "cas" -> CatalogVerb.CATALOG_CAS;
            case "get" -> CatalogVerb.CATALOG_GET;
            case "delete" -> CatalogVerb.CATALOG_DELETE;
            case "delete-cas" -> CatalogVerb.CATALOG_DELETE_CAS;
            default -> throw HttpError.badRequest("Failed to parse body: operation " + index + ": unknown verb \""
                    + verb + "\"");
        };
    }
}
