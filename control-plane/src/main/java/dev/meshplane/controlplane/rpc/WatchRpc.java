package dev.meshplane.controlplane.rpc;

import dev.meshplane.api.ApiException;
import dev.meshplane.api.ApiLimits;
import dev.meshplane.api.KvRules;
import dev.meshplane.api.NameRules;
import dev.meshplane.controlplane.watch.WatchHub;
import dev.meshplane.proto.v1.WatchEvent;
import dev.meshplane.proto.v1.WatchGrpc;
import dev.meshplane.proto.v1.WatchRequest;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;

/** The Watch stream of the server role. */
final class WatchRpc extends WatchGrpc.WatchImplBase {
    private final WatchHub hub;
    private final ApiLimits limits;

    WatchRpc(WatchHub hub, ApiLimits limits) {
        this.hub = hub;
        this.limits = limits;
    }

    @Override
    public void watch(WatchRequest request, StreamObserver<WatchEvent> observer) {
        switch (request.getTopicCase()) {
            case SERVICE_HEALTH -> {
                NameRules.checkName("service_health.service", request.getServiceHealth().getService());
                for (int i = 0; i < request.getServiceHealth().getTagsCount(); i++) {
                    if (request.getServiceHealth().getTags(i).isEmpty()) {
                        throw ApiException.invalidArgument("service_health.tags[" + i + "]", "must not be empty");
                    }
                }
            }
            case KV_PREFIX -> KvRules.checkPrefix("kv_prefix.prefix", request.getKvPrefix().getPrefix(), limits);
            case SERVICE_LIST -> { }
            case TOPIC_NOT_SET -> throw ApiException.invalidArgument("topic",
                    "must be one of service_health, kv_prefix or service_list");
        }
        hub.subscribe(request, (ServerCallStreamObserver<WatchEvent>) observer);
    }
}
