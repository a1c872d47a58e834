package dev.meshplane.sidecar.http;

import dev.meshplane.api.Durations;
import dev.meshplane.proto.v1.AliasCheck;
import dev.meshplane.proto.v1.CheckDefinition;
import dev.meshplane.proto.v1.GrpcCheck;
import dev.meshplane.proto.v1.HeaderValues;
import dev.meshplane.proto.v1.HttpCheck;
import dev.meshplane.proto.v1.ScriptCheck;
import dev.meshplane.proto.v1.TcpCheck;
import dev.meshplane.proto.v1.TlsOptions;
import dev.meshplane.proto.v1.TtlCheck;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Consul's agent check definitions ("Check"/"Checks" of a service definition, or the body of
 * /v1/agent/check/register) as {@link CheckDefinition}s. Which target is set is decided by the
 * fields present, as Consul does: TTL, HTTP, TCP, GRPC, Args/ScriptArgs, AliasService.
 */
final class CheckDefinitions {
    private CheckDefinitions() {}

    static List<CheckDefinition> fromService(JsonIn service) {
        List<CheckDefinition> out = new ArrayList<>();
        JsonIn single = service.object("Check");
        if (single != null) {
            out.add(definition(single));
        }
        for (JsonIn c : service.objects("Checks")) {
            out.add(definition(c));
        }
        return out;
    }

    /** Kinds of check Consul has and this agent does not run: refused, never silently ignored. */
    private static final List<String> UNSUPPORTED = List.of("DockerContainerID", "Shell", "H2PING", "UDP",
            "OSService", "Script");

    static CheckDefinition definition(JsonIn in) {
        for (String kind : UNSUPPORTED) {
            if (in.has(kind)) {
                String where = in.path().isEmpty() ? kind : in.path() + "." + kind;
                throw HttpError.badRequest("Invalid check: " + where + ": " + (kind.equals("Script")
                        ? "the deprecated Script string is not supported; give Args as a list"
                        : "this kind of check is not supported by this agent"));
            }
        }
        CheckDefinition.Builder b = CheckDefinition.newBuilder()
                .setId(in.text("CheckID", "ID"))
                .setName(in.text("Name"))
                .setNotes(in.text("Notes"))
                .setServiceId(in.text("ServiceID"))
                .setSuccessBeforePassing(in.int32("SuccessBeforePassing", 0))
                .setFailuresBeforeWarning(in.int32("FailuresBeforeWarning", 0))
                .setFailuresBeforeCritical(in.int32("FailuresBeforeCritical", 0));
        String status = in.text("Status");
        if (!status.isEmpty()) {
            b.setInitialStatus(ConsulInput.status(status, in.path() + ".Status"));
        }
        setDuration(in.duration("Interval"), d -> b.setInterval(Durations.toProto(d)));
        setDuration(in.duration("Timeout"), d -> b.setTimeout(Durations.toProto(d)));
        setDuration(in.duration("DeregisterCriticalServiceAfter"),
                d -> b.setDeregisterCriticalServiceAfter(Durations.toProto(d)));
        TlsOptions tls = TlsOptions.newBuilder().setServerName(in.text("TLSServerName"))
                .setSkipVerify(in.bool("TLSSkipVerify")).build();
        Duration ttl = in.duration("TTL");
        int targets = 0;
        if (ttl != null) {
            b.setTtl(TtlCheck.newBuilder().setTtl(Durations.toProto(ttl)));
            targets++;
        }
        if (in.has("HTTP")) {
            HttpCheck.Builder http = HttpCheck.newBuilder().setUrl(in.text("HTTP")).setMethod(in.text("Method"))
                    .setBody(in.text("Body")).setTls(tls.toBuilder().setEnabled(in.text("HTTP").startsWith("https")));
            JsonIn headers = in.object("Header");
            if (headers != null) {
                headers.node().fieldNames().forEachRemaining(name ->
                        http.putHeaders(name, HeaderValues.newBuilder().addAllValues(headers.strings(name)).build()));
            }
            b.setHttp(http);
            targets++;
        }
        if (in.has("TCP")) {
            b.setTcp(TcpCheck.newBuilder().setAddress(in.text("TCP")));
            targets++;
        }
        if (in.has("GRPC")) {
            b.setGrpc(GrpcCheck.newBuilder().setTarget(in.text("GRPC"))
                    .setTls(tls.toBuilder().setEnabled(in.bool("GRPCUseTLS"))));
            targets++;
        }
        if (in.has("Args", "ScriptArgs")) {
            b.setScript(ScriptCheck.newBuilder().addAllArgs(in.strings("Args", "ScriptArgs")));
            targets++;
        }
        if (in.has("AliasService")) {
            b.setAlias(AliasCheck.newBuilder().setServiceId(in.text("AliasService")).setNode(in.text("AliasNode")));
            targets++;
        }
        if (targets != 1) {
            throw HttpError.badRequest("Invalid check" + (in.path().isEmpty() ? "" : " " + in.path())
                    + ": give exactly one of TTL, HTTP, TCP, GRPC, Args or AliasService (got " + targets + ")");
        }
        return b.build();
    }

    private static void setDuration(Duration d, java.util.function.Consumer<Duration> setter) {
        if (d != null) {
            setter.accept(d);
        }
    }
}
