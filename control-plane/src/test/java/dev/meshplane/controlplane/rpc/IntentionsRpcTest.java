package dev.meshplane.controlplane.rpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshplane.api.ApiLimits;
import dev.meshplane.controlplane.ServerConfig;
import dev.meshplane.controlplane.connect.ConnectConfig;
import dev.meshplane.controlplane.watch.WatchConfig;
import dev.meshplane.proto.v1.Intention;
import dev.meshplane.proto.v1.IntentionAction;
import dev.meshplane.proto.v1.IntentionCheckRequest;
import dev.meshplane.proto.v1.IntentionCheckResponse;
import dev.meshplane.proto.v1.IntentionDeleteRequest;
import dev.meshplane.proto.v1.IntentionGetRequest;
import dev.meshplane.proto.v1.IntentionListRequest;
import dev.meshplane.proto.v1.IntentionListResponse;
import dev.meshplane.proto.v1.IntentionMatchRequest;
import dev.meshplane.proto.v1.IntentionUpsertRequest;
import dev.meshplane.proto.v1.IntentionsGrpc;
import dev.meshplane.proto.v1.QueryOptions;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The Intentions service: writes, exact reads, lists in evaluation order, match, check, blocking. */
class IntentionsRpcTest {
    private static InProcessServer server(boolean defaultAllow) throws Exception {
        return new InProcessServer(new ServerConfig("127.0.0.1:8300", ApiLimits.DEFAULTS, WatchConfig.DEFAULTS,
                Duration.ofSeconds(1), Duration.ofMinutes(15),
                ConnectConfig.defaults("dc1").withIntentionDefaultAllow(defaultAllow)));
    }

    private static long upsert(IntentionsGrpc.IntentionsBlockingStub api, String src, String dst, IntentionAction a) {
        return api.upsert(IntentionUpsertRequest.newBuilder().setIntention(Intention.newBuilder().setSourceName(src)
                .setDestinationName(dst).setAction(a).setDescription(src + " to " + dst)).build()).getIndex();
    }

    @Test
    void writeReadMatchCheckAndDelete() throws Exception {
        try (InProcessServer server = server(true)) {
            var api = IntentionsGrpc.newBlockingStub(server.channel);
            upsert(api, "*", "db", IntentionAction.INTENTION_ACTION_DENY);
            long index = upsert(api, "web", "db", IntentionAction.INTENTION_ACTION_ALLOW);
            Intention got = api.get(IntentionGetRequest.newBuilder().setSourceName("web").setDestinationName("db")
                    .build()).getIntention();
            assertEquals(9, got.getPrecedence());
            assertEquals(index, got.getCreateIndex());
            assertEquals("web to db", got.getDescription());

            IntentionListResponse list = api.list(IntentionListRequest.getDefaultInstance());
            assertEquals("web", list.getIntentions(0).getSourceName(), "highest precedence first");
            assertEquals("*", list.getIntentions(1).getSourceName());
            assertTrue(list.getDefaultAllow());

            IntentionCheckResponse web = api.check(IntentionCheckRequest.newBuilder().setSourceName("web")
                    .setDestinationName("db").build());
            assertTrue(web.getAllowed());
            assertEquals("web", web.getDecidedBy().getSourceName());
            IntentionCheckResponse other = api.check(IntentionCheckRequest.newBuilder().setSourceName("api")
                    .setDestinationName("db").build());
            assertFalse(other.getAllowed());
            assertEquals("denied by intention * => db (deny, precedence 8)", other.getReason());
            IntentionCheckResponse unmatched = api.check(IntentionCheckRequest.newBuilder().setSourceName("api")
                    .setDestinationName("cache").build());
            assertTrue(unmatched.getAllowed());
            assertFalse(unmatched.hasDecidedBy());

            assertEquals(2, api.match(IntentionMatchRequest.newBuilder().setBy(IntentionMatchRequest.By.BY_DESTINATION)
                    .setName("db").build()).getIntentionsCount());
            assertEquals(1, api.match(IntentionMatchRequest.newBuilder().setBy(IntentionMatchRequest.By.BY_SOURCE)
                    .setName("api").build()).getIntentionsCount());

            api.delete(IntentionDeleteRequest.newBuilder().setSourceName("web").setDestinationName("db").build());
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> api.get(IntentionGetRequest
                    .newBuilder().setSourceName("web").setDestinationName("db").build()));
            assertEquals(Status.Code.NOT_FOUND, e.getStatus().getCode());
            assertEquals("no intention web => db", e.getStatus().getDescription());
            e = assertThrows(StatusRuntimeException.class, () -> api.delete(IntentionDeleteRequest.newBuilder()
                    .setSourceName("web").setDestinationName("db").build()));
            assertEquals(Status.Code.NOT_FOUND, e.getStatus().getCode());
            e = assertThrows(StatusRuntimeException.class, () -> upsert(api, "web", "db bad",
                    IntentionAction.INTENTION_ACTION_ALLOW));
            assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
            assertTrue(e.getStatus().getDescription().startsWith("intention.destination_name: "));
        }
    }

    @Test
    void theDefaultPolicyCanBeDenyAndListsBlockUntilAChange() throws Exception {
        try (InProcessServer server = server(false)) {
            var api = IntentionsGrpc.newBlockingStub(server.channel);
            IntentionCheckResponse r = api.check(IntentionCheckRequest.newBuilder().setSourceName("web")
                    .setDestinationName("db").build());
            assertFalse(r.getAllowed());
            assertEquals("denied by the default policy (deny): no intention matches web => db", r.getReason());
            IntentionListResponse first = api.list(IntentionListRequest.getDefaultInstance());
            assertFalse(first.getDefaultAllow());
            CompletableFuture<IntentionListResponse> blocked = CompletableFuture.supplyAsync(() -> api
                    .withDeadlineAfter(30, TimeUnit.SECONDS).list(IntentionListRequest.newBuilder().setOptions(
                            QueryOptions.newBuilder().setIndex(first.getMeta().getIndex())).build()));
            Thread.sleep(200);
            assertFalse(blocked.isDone());
            long index = upsert(api, "web", "db", IntentionAction.INTENTION_ACTION_ALLOW);
            IntentionListResponse woken = blocked.get(10, TimeUnit.SECONDS);
            assertEquals(index, woken.getMeta().getIndex());
            assertEquals(1, woken.getIntentionsCount());
        }
    }
}
