package dev.meshplane.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.meshplane.proto.v1.AgentGrpc;
import dev.meshplane.proto.v1.CatalogGrpc;
import dev.meshplane.proto.v1.DeregisterServiceRequest;
import dev.meshplane.proto.v1.KVGrpc;
import dev.meshplane.proto.v1.KvGetRequest;
import dev.meshplane.proto.v1.KvListRequest;
import dev.meshplane.proto.v1.KvPutRequest;
import dev.meshplane.proto.v1.ListServicesRequest;
import dev.meshplane.proto.v1.RegisterServiceRequest;
import dev.meshplane.proto.v1.Service;
import dev.meshplane.proto.v1.ServiceHealthTopic;
import dev.meshplane.proto.v1.WatchGrpc;
import dev.meshplane.proto.v1.WatchRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.function.Executable;

/** Bad input is refused with a status that names the field, and leaves nothing behind. */
class BadInputTest {
    @RegisterExtension
    static final DevAgentExtension DEV = new DevAgentExtension("node-bad-input");

    private AgentGrpc.AgentBlockingStub agent() {
        return AgentGrpc.newBlockingStub(DEV.channel()).withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    private KVGrpc.KVBlockingStub kv() {
        return KVGrpc.newBlockingStub(DEV.channel()).withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    private static void assertRefused(Status.Code code, String field, Executable call) {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, call);
        assertEquals(code, e.getStatus().getCode(), e.getStatus().toString());
        assertTrue(e.getStatus().getDescription().startsWith(field + ":"),
                "the message names the field " + field + ": " + e.getStatus().getDescription());
    }

    private void assertNoServices() {
        var services = CatalogGrpc.newBlockingStub(DEV.channel()).listServices(ListServicesRequest.getDefaultInstance())
                .getServicesList();
        assertTrue(services.isEmpty(), "nothing was registered: " + services);
    }

    private void register(String name, int port) {
        agent().registerService(RegisterServiceRequest.newBuilder()
                .setService(Service.newBuilder().setName(name).setPort(port)).build());
    }

    @Test
    void emptyServiceName() {
        assertRefused(Status.Code.INVALID_ARGUMENT, "service.name", () -> register("", 80));
        assertNoServices();
    }

    @Test
    void overLongServiceName() {
        assertRefused(Status.Code.INVALID_ARGUMENT, "service.name", () -> register("s".repeat(129), 80));
        assertNoServices();
    }

    @Test
    void serviceNameWithInvalidCharacters() {
        assertRefused(Status.Code.INVALID_ARGUMENT, "service.name", () -> register("web server", 80));
        assertNoServices();
    }

    @Test
    void portOutOfRange() {
        assertRefused(Status.Code.INVALID_ARGUMENT, "service.port", () -> register("web", 65536));
        assertRefused(Status.Code.INVALID_ARGUMENT, "service.port", () -> register("web", -1));
        assertNoServices();
    }

    @Test
    void missingService() {
        assertRefused(Status.Code.INVALID_ARGUMENT, "service",
                () -> agent().registerService(RegisterServiceRequest.getDefaultInstance()));
        assertNoServices();
    }

    @Test
    void unknownServiceOnDeregistration() {
        assertRefused(Status.Code.NOT_FOUND, "service_id",
                () -> agent().deregisterService(DeregisterServiceRequest.newBuilder().setServiceId("ghost").build()));
    }

    @Test
    void kvKeyWithInvalidCharacters() {
        for (String key : new String[] {"bad\u0001key", "/leading-slash", "", "tab\tkey"}) {
            assertRefused(Status.Code.INVALID_ARGUMENT, "key", () -> kv().put(KvPutRequest.newBuilder()
                    .setKey(key).setValue(ByteString.copyFromUtf8("v")).build()));
        }
        assertEquals(0, kv().list(KvListRequest.newBuilder().setKeysOnly(true).build()).getKeysCount());
    }

    @Test
    void kvValueOverTheLimit() {
        ByteString tooBig = ByteString.copyFrom(new byte[512 * 1024 + 1]);
        assertRefused(Status.Code.INVALID_ARGUMENT, "value",
                () -> kv().put(KvPutRequest.newBuilder().setKey("limits/big").setValue(tooBig).build()));
        assertFalse(kv().get(KvGetRequest.newBuilder().setKey("limits/big").build()).getFound(), "nothing stored");

        ByteString atLimit = ByteString.copyFrom(new byte[512 * 1024]);
        assertTrue(kv().put(KvPutRequest.newBuilder().setKey("limits/exact").setValue(atLimit).build()).getApplied());
        assertEquals(atLimit.size(), kv().get(KvGetRequest.newBuilder().setKey("limits/exact").build())
                .getEntry().getValue().size());
        kv().delete(dev.meshplane.proto.v1.KvDeleteRequest.newBuilder().setKey("limits/exact").build());
    }

    @Test
    void watchWithoutTopicOrWithBadName() {
        assertRefused(Status.Code.INVALID_ARGUMENT, "topic",
                () -> WatchGrpc.newBlockingStub(DEV.channel()).watch(WatchRequest.getDefaultInstance()).hasNext());
        assertRefused(Status.Code.INVALID_ARGUMENT, "service_health.service",
                () -> WatchGrpc.newBlockingStub(DEV.channel()).watch(WatchRequest.newBuilder()
                        .setServiceHealth(ServiceHealthTopic.newBuilder().setService("")).build()).hasNext());
    }
}
