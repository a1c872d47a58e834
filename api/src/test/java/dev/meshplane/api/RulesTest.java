package dev.meshplane.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.ByteString;
import dev.meshplane.proto.v1.Check;
import dev.meshplane.proto.v1.HealthStatus;
import dev.meshplane.proto.v1.Node;
import dev.meshplane.proto.v1.Service;
import dev.meshplane.proto.v1.Weights;
import io.grpc.Status;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RulesTest {

    private static String refusal(Runnable r) {
        ApiException e = assertThrows(ApiException.class, r::run);
        assertEquals(Status.Code.INVALID_ARGUMENT, e.code());
        return e.getMessage();
    }

    @Test
    void serviceDefaultsFollowConsul() {
        Service s = ServiceRules.normalize("service", Service.newBuilder().setName("web").setCreateIndex(9).build());
        assertEquals("web", s.getId(), "ID defaults to the name");
        assertEquals(Weights.newBuilder().setPassing(1).setWarning(1).build(), s.getWeights());
        assertEquals(0, s.getCreateIndex(), "clients cannot set indexes");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "''|service.name: must not be empty",
            "-web|service.name: \"-web\" may contain only letters, digits, '.', '_' and '-', and must start with a letter or digit",
            "we b|service.name: \"we b\" may contain only letters, digits, '.', '_' and '-', and must start with a letter or digit",
    })
    void badServiceNames(String name, String message) {
        assertEquals(message, refusal(() -> ServiceRules.normalize("service", Service.newBuilder().setName(name).build())));
    }

    @Test
    void serviceLimits() {
        assertEquals("service.name: is 129 characters long; the limit is 128", refusal(() ->
                ServiceRules.normalize("service", Service.newBuilder().setName("a".repeat(129)).build())));
        ServiceRules.normalize("service", Service.newBuilder().setName("a".repeat(128)).build());
        assertEquals("service.port: 65536 is out of range 0-65535", refusal(() ->
                ServiceRules.normalize("service", Service.newBuilder().setName("a").setPort(65536).build())));
        assertEquals("service.tags[1]: \"x\" is listed twice", refusal(() ->
                ServiceRules.normalize("service", Service.newBuilder().setName("a").addTags("x").addTags("x").build())));
        assertEquals("service.id: \"a/b\" must not contain whitespace, control characters or '/'", refusal(() ->
                ServiceRules.normalize("service", Service.newBuilder().setName("a").setId("a/b").build())));
        assertEquals("service.weights.passing: 0 must be at least 1", refusal(() ->
                ServiceRules.normalize("service", Service.newBuilder().setName("a")
                        .setWeights(Weights.newBuilder().setPassing(0)).build())));
        Map<String, String> meta = new HashMap<>();
        for (int i = 0; i < 65; i++) {
            meta.put("k" + i, "v");
        }
        assertEquals("service.meta: has 65 pairs; the limit is 64", refusal(() ->
                ServiceRules.normalize("service", Service.newBuilder().setName("a").putAllMeta(meta).build())));
        assertEquals("service.meta: key \"a.b\" may contain only letters, digits, '_' and '-'", refusal(() ->
                ServiceRules.normalize("service", Service.newBuilder().setName("a").putMeta("a.b", "v").build())));
    }

    @Test
    void kvKeysAndValues() {
        ApiLimits limits = ApiLimits.DEFAULTS;
        assertEquals("key: must not be empty", refusal(() -> KvRules.checkKey("key", "", limits)));
        assertEquals("key: \"/a\" must not start with '/'", refusal(() -> KvRules.checkKey("key", "/a", limits)));
        assertEquals("key: \"a\\u0000b\" contains a control character at position 1",
                refusal(() -> KvRules.checkKey("key", "a\u0000b", limits)));
        assertEquals("key: is 513 bytes long; the limit is 512",
                refusal(() -> KvRules.checkKey("key", "é".repeat(256) + "x", limits)));
        KvRules.checkKey("key", "a/b c/日本", limits);
        KvRules.checkValue("value", ByteString.copyFrom(new byte[524288]), limits);
        assertEquals("value: is 524289 bytes; the limit is 524288 bytes",
                refusal(() -> KvRules.checkValue("value", ByteString.copyFrom(new byte[524289]), limits)));
        ApiLimits small = new ApiLimits(10, 512);
        assertEquals("value: is 11 bytes; the limit is 10 bytes",
                refusal(() -> KvRules.checkValue("value", ByteString.copyFrom(new byte[11]), small)));
    }

    @Test
    void limitsValidateThemselves() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new ApiLimits(0, 512));
        assertEquals("maxKvValueBytes 0 must be between 1 and 67108864 (64 MiB)", e.getMessage());
    }

    @Test
    void nodesAndChecks() {
        assertEquals("node.address: must not be empty",
                refusal(() -> NodeRules.normalize("node", Node.newBuilder().setName("n1").build())));
        Check c = CheckRules.normalize("checks[0]", Check.newBuilder().setCheckId("ping").build());
        assertEquals(HealthStatus.HEALTH_STATUS_CRITICAL, c.getStatus(), "a new check starts critical");
        assertEquals("ping", c.getName());
        assertEquals("checks[0].output: is 4097 characters; the limit is 4096", refusal(() -> CheckRules.normalize(
                "checks[0]", Check.newBuilder().setCheckId("x").setOutput("o".repeat(4097)).build())));
    }

    @Test
    void unexpectedFailuresBecomeInternalWithAnIncidentNotAStackTrace() {
        Status s = ErrorMapping.toStatus(new IllegalStateException("boom"));
        assertEquals(Status.Code.INTERNAL, s.getCode());
        assertEquals(true, s.getDescription().startsWith("internal error (incident "));
        assertEquals(Status.Code.NOT_FOUND, ErrorMapping.toStatus(
                new java.util.concurrent.CompletionException(ApiException.notFound("x"))).getCode());
    }
}
