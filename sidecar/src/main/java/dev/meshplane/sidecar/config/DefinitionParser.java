package dev.meshplane.sidecar.config;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.meshplane.api.Durations;
import dev.meshplane.proto.v1.AliasCheck;
import dev.meshplane.proto.v1.CheckDefinition;
import dev.meshplane.proto.v1.GrpcCheck;
import dev.meshplane.proto.v1.HeaderValues;
import dev.meshplane.proto.v1.HealthStatus;
import dev.meshplane.proto.v1.HttpCheck;
import dev.meshplane.proto.v1.ScriptCheck;
import dev.meshplane.proto.v1.Service;
import dev.meshplane.proto.v1.TcpCheck;
import dev.meshplane.proto.v1.TlsOptions;
import dev.meshplane.proto.v1.TtlCheck;
import dev.meshplane.proto.v1.Weights;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Reads Consul-format JSON service definitions: {@code service} (one object) or {@code services}
 * (a list), and node-level {@code check} / {@code checks}, with Consul's field names in either
 * spelling. Fields it does not know are reported to {@code warn} and otherwise ignored, so that
 * existing files load; kinds of checks this agent cannot run are errors.
 */
public final class DefinitionParser {
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private final Consumer<String> warn;
    private final List<ServiceDefinition> services = new ArrayList<>();
    private final List<Definitions.Located<CheckDefinition>> checks = new ArrayList<>();

    /** @param warn receives one line per ignored field, naming file and field */
    public DefinitionParser(Consumer<String> warn) {
        this.warn = warn;
    }

    /** Parses one file's text; {@code origin} (the file's path) starts every error and warning. */
    public DefinitionParser parse(String origin, String text) {
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (JsonParseException e) {
            throw new ConfigException(origin + ": not valid JSON: " + e.getOriginalMessage() + " at line "
                    + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr());
        } catch (IOException e) {
            throw new ConfigException(origin + ": cannot be read: " + e.getMessage());
        }
        if (root == null || root.isMissingNode()) {
            throw new ConfigException(origin + ": the file is empty");
        }
        JsonFields top = new JsonFields(origin, root, true);
        JsonNode one = top.get("service");
        if (one != null) {
            services.add(service(origin + ": service", one));
        }
        JsonNode many = top.get("services");
        if (many != null) {
            for (int i = 0; i < list(top.pathOf("services"), many).size(); i++) {
                services.add(service(origin + ": services[" + i + "]", many.get(i)));
            }
        }
        JsonNode check = top.get("check");
        if (check != null) {
            checks.add(new Definitions.Located<>(origin + ": check", check(origin + ": check", check)));
        }
        JsonNode checkList = top.get("checks");
        if (checkList != null) {
            for (int i = 0; i < list(top.pathOf("checks"), checkList).size(); i++) {
                String p = origin + ": checks[" + i + "]";
                checks.add(new Definitions.Located<>(p, check(p, checkList.get(i))));
            }
        }
        top.unused().forEach(f -> warn.accept(origin + ": field \"" + f + "\" is not a service or check definition; ignored"));
        return this;
    }

    public Definitions result(int files) {
        return new Definitions(services, checks, files);
    }

    private static List<JsonNode> list(String path, JsonNode n) {
        if (!n.isArray()) {
            throw new ConfigException(path + ": expected a list, found " + JsonFields.kind(n));
        }
        List<JsonNode> out = new ArrayList<>();
        n.forEach(out::add);
        return out;
    }

    private ServiceDefinition service(String path, JsonNode node) {
        JsonFields f = new JsonFields(path, node);
        Service.Builder b = Service.newBuilder();
        f.string("id", b::setId);
        f.string("name", b::setName);
        List<String> tags = f.strings("tags");
        if (tags != null) {
            b.addAllTags(tags);
        }
        f.string("address", b::setAddress);
        f.integer("port", b::setPort);
        Map<String, String> meta = f.stringMap("meta");
        if (meta != null) {
            b.putAllMeta(meta);
        }
        f.string("kind", b::setKind);
        f.bool("enable_tag_override", b::setEnableTagOverride);
        JsonNode weights = f.get("weights");
        if (weights != null) {
            JsonFields w = new JsonFields(f.pathOf("weights"), weights);
            Weights.Builder wb = Weights.newBuilder().setPassing(1).setWarning(1);
            w.integer("passing", wb::setPassing);
            w.integer("warning", wb::setWarning);
            w.unused().forEach(u -> warn.accept(w.path() + ": unknown field \"" + u + "\"; ignored"));
            b.setWeights(wb);
        }
        List<CheckDefinition> checks = new ArrayList<>();
        JsonNode one = f.get("check");
        if (one != null) {
            checks.add(check(f.pathOf("check"), one));
        }
        JsonNode many = f.get("checks");
        if (many != null) {
            List<JsonNode> items = list(f.pathOf("checks"), many);
            for (int i = 0; i < items.size(); i++) {
                checks.add(check(f.pathOf("checks") + "[" + i + "]", items.get(i)));
            }
        }
        f.unused().forEach(u -> warn.accept(path + ": unknown field \"" + u + "\"; ignored"));
        return new ServiceDefinition(path, b.build(), checks);
    }

    /** Check kinds Consul has and this agent does not run: an error, not a silent no-op. */
    private static final List<String> UNSUPPORTED_KINDS =
            List.of("h2ping", "docker_container_id", "os_service", "udp", "script", "shell");

    private CheckDefinition check(String path, JsonNode node) {
        JsonFields f = new JsonFields(path, node);
        for (String kind : UNSUPPORTED_KINDS) {
            if (f.has(kind)) {
                throw new ConfigException(f.pathOf(kind) + ": " + (kind.equals("script")
                        ? "the deprecated \"script\" string is not supported; give \"args\" as a list"
                        : "this kind of check is not supported by this agent"));
            }
        }
        CheckDefinition.Builder b = CheckDefinition.newBuilder();
        f.string("id", b::setId);
        String checkId = f.string("check_id", b::setId);
        if (checkId != null && f.has("id")) {
            throw new ConfigException(path + ": give only one of \"id\" and \"check_id\"");
        }
        f.string("name", b::setName);
        f.string("notes", b::setNotes);
        f.string("service_id", b::setServiceId);
        f.duration("interval", d -> b.setInterval(Durations.toProto(d)));
        f.duration("timeout", d -> b.setTimeout(Durations.toProto(d)));
        f.duration("deregister_critical_service_after", d -> b.setDeregisterCriticalServiceAfter(Durations.toProto(d)));
        f.integer("success_before_passing", b::setSuccessBeforePassing);
        f.integer("failures_before_warning", b::setFailuresBeforeWarning);
        f.integer("failures_before_critical", b::setFailuresBeforeCritical);
        f.string("status", s -> b.setInitialStatus(status(f.pathOf("status"), s)));

        TlsOptions.Builder tls = TlsOptions.newBuilder();
        f.string("tls_server_name", tls::setServerName);
        f.bool("tls_skip_verify", tls::setSkipVerify);
        f.string("ca_file", tls::setCaFile);
        f.string("cert_file", tls::setCertFile);
        f.string("key_file", tls::setKeyFile);
        f.bool("grpc_use_tls", tls::setEnabled);

        List<String> kinds = new ArrayList<>();
        String grpc = f.string("grpc", s -> { });
        if (grpc != null) {
            kinds.add("grpc");
            b.setGrpc(GrpcCheck.newBuilder().setTarget(grpc).setTls(tls));
        }
        String http = f.string("http", s -> { });
        if (http != null) {
            kinds.add("http");
            HttpCheck.Builder h = HttpCheck.newBuilder().setUrl(http).setTls(tls.clone().setEnabled(
                    http.toLowerCase(Locale.ROOT).startsWith("https:")));
            f.string("method", h::setMethod);
            f.string("body", h::setBody);
            JsonNode header = f.get("header");
            if (header != null) {
                headers(f.pathOf("header"), header, h);
            }
            b.setHttp(h);
        }
        String tcp = f.string("tcp", s -> { });
        if (tcp != null) {
            kinds.add("tcp");
            b.setTcp(TcpCheck.newBuilder().setAddress(tcp));
        }
        JsonNode ttl = f.get("ttl");
        if (ttl != null) {
            kinds.add("ttl");
            f.duration("ttl", d -> b.setTtl(TtlCheck.newBuilder().setTtl(Durations.toProto(d))));
        }
        List<String> args = f.strings("args", "script_args");
        if (args != null) {
            kinds.add("args");
            b.setScript(ScriptCheck.newBuilder().addAllArgs(args));
        }
        String alias = f.string("alias_service", s -> { });
        if (alias != null) {
            kinds.add("alias_service");
            AliasCheck.Builder a = AliasCheck.newBuilder().setServiceId(alias);
            f.string("alias_node", a::setNode);
            b.setAlias(a);
        }
        if (kinds.size() > 1) {
            throw new ConfigException(path + ": a check has exactly one of grpc, http, tcp, ttl, args and "
                    + "alias_service; found " + String.join(" and ", kinds));
        }
        if (kinds.isEmpty()) {
            throw new ConfigException(path + ": a check needs one of grpc, http, tcp, ttl, args or alias_service");
        }
        f.unused().forEach(u -> warn.accept(path + ": unknown field \"" + u + "\"; ignored"));
        return b.build();
    }

    private static void headers(String path, JsonNode header, HttpCheck.Builder h) {
        if (!header.isObject()) {
            throw new ConfigException(path + ": expected an object of lists of strings, found " + JsonFields.kind(header));
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            HeaderValues.Builder values = HeaderValues.newBuilder();
            JsonNode v = e.getValue();
            if (v.isTextual()) {
                values.addValues(v.asText());
            } else if (v.isArray()) {
                for (JsonNode item : v) {
                    if (!item.isTextual()) {
                        throw new ConfigException(path + "." + e.getKey() + ": expected strings, found "
                                + JsonFields.kind(item));
                    }
                    values.addValues(item.asText());
                }
            } else {
                throw new ConfigException(path + "." + e.getKey() + ": expected a list of strings, found "
                        + JsonFields.kind(v));
            }
            h.putHeaders(e.getKey(), values.build());
        }
    }

    private static HealthStatus status(String path, String s) {
        return switch (s.toLowerCase(Locale.ROOT)) {
            case "passing" -> HealthStatus.HEALTH_STATUS_PASSING;
            case "warning" -> HealthStatus.HEALTH_STATUS_WARNING;
            case "critical" -> HealthStatus.HEALTH_STATUS_CRITICAL;
            default -> throw new ConfigException(path + ": \"" + s + "\" is not passing, warning or critical");
        };
    }
}
