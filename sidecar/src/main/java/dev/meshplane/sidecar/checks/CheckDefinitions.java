package dev.meshplane.sidecar.checks;

import dev.meshplane.api.ApiException;
import dev.meshplane.api.ApiLimits;
import dev.meshplane.api.CheckRules;
import dev.meshplane.api.Durations;
import dev.meshplane.api.NameRules;
import dev.meshplane.proto.v1.CheckDefinition;
import dev.meshplane.proto.v1.HealthStatus;
import dev.meshplane.proto.v1.HttpCheck;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Locale;
import java.util.logging.Logger;

/**
 * Validates a check definition and fills in Consul's defaults, so that everything the runner
 * sees is complete and sane. Errors name the field, prefixed with {@code path}.
 */
public final class CheckDefinitions {
    private static final Logger LOG = Logger.getLogger(CheckDefinitions.class.getName());

    private CheckDefinitions() {}

    /** The catalog's name for the kind of check ("grpc", "http", ...). */
    public static String type(CheckDefinition def) {
        return switch (def.getTargetCase()) {
            case GRPC -> "grpc";
            case HTTP -> "http";
            case TCP -> "tcp";
            case TTL -> "ttl";
            case SCRIPT -> "script";
            case ALIAS -> "alias";
            case TARGET_NOT_SET -> "";
        };
    }

    /** Whether the check runs on a timer (as opposed to TTL and alias checks, which are told). */
    public static boolean polled(CheckDefinition def) {
        return switch (def.getTargetCase()) {
            case GRPC, HTTP, TCP, SCRIPT -> true;
            default -> false;
        };
    }

    public static CheckDefinition normalize(String path, CheckDefinition def, ChecksConfig config) {
        CheckDefinition.Builder b = def.toBuilder();
        if (def.getId().isEmpty()) {
            if (def.getName().isEmpty()) {
                throw ApiException.invalidArgument(path + ".id", "give an id or a name");
            }
            b.setId(def.getName());
        }
        NameRules.checkId(path + ".id", b.getId());
        if (def.getName().isEmpty()) {
            b.setName(b.getId());
        } else if (def.getName().length() > ApiLimits.MAX_ID_LENGTH || hasControl(def.getName())) {
            throw ApiException.invalidArgument(path + ".name", "must be at most " + ApiLimits.MAX_ID_LENGTH
                    + " characters without control characters");
        }
        if (def.getNotes().length() > CheckRules.MAX_NOTES_LENGTH) {
            throw ApiException.invalidArgument(path + ".notes", "is " + def.getNotes().length()
                    + " characters; the limit is " + CheckRules.MAX_NOTES_LENGTH);
        }
        if (!def.getServiceId().isEmpty()) {
            NameRules.checkId(path + ".service_id", def.getServiceId());
        }
        switch (def.getInitialStatus()) {
            case HEALTH_STATUS_UNSPECIFIED -> b.setInitialStatus(HealthStatus.HEALTH_STATUS_CRITICAL);
            case HEALTH_STATUS_PASSING, HEALTH_STATUS_WARNING, HEALTH_STATUS_CRITICAL -> { }
            default -> throw ApiException.invalidArgument(path + ".initial_status",
                    def.getInitialStatus() + " is not passing, warning or critical");
        }
        nonNegative(path + ".success_before_passing", def.getSuccessBeforePassing());
        nonNegative(path + ".failures_before_warning", def.getFailuresBeforeWarning());
        nonNegative(path + ".failures_before_critical", def.getFailuresBeforeCritical());
        if (def.getFailuresBeforeWarning() > 0 && def.getFailuresBeforeCritical() > 0
                && def.getFailuresBeforeWarning() > def.getFailuresBeforeCritical()) {
            throw ApiException.invalidArgument(path + ".failures_before_warning", def.getFailuresBeforeWarning()
                    + " must not exceed failures_before_critical " + def.getFailuresBeforeCritical());
        }
        Duration deregisterAfter = duration(path + ".deregister_critical_service_after",
                def.getDeregisterCriticalServiceAfter());
        if (!deregisterAfter.isZero()) {
            if (def.getServiceId().isEmpty()) {
                throw ApiException.invalidArgument(path + ".deregister_critical_service_after",
                        "applies only to a check of a service (service_id is empty)");
            }
            if (deregisterAfter.compareTo(config.minDeregisterAfter()) < 0) {
                LOG.warning("check " + b.getId() + ": deregister_critical_service_after " + deregisterAfter
                        + " is below the minimum " + config.minDeregisterAfter() + "; using the minimum");
                b.setDeregisterCriticalServiceAfter(Durations.toProto(config.minDeregisterAfter()));
            }
        }
        Duration interval = duration(path + ".interval", def.getInterval());
        Duration timeout = duration(path + ".timeout", def.getTimeout());
        if (polled(def)) {
            if (interval.isZero()) {
                throw ApiException.invalidArgument(path + ".interval", "must be set for a " + type(def) + " check");
            }
            if (interval.compareTo(config.minInterval()) < 0) {
                LOG.warning("check " + b.getId() + ": interval " + interval + " is below the minimum "
                        + config.minInterval() + "; using the minimum");
                interval = config.minInterval();
                b.setInterval(Durations.toProto(interval));
            }
            if (timeout.isZero()) {
                Duration dflt = def.hasScript() ? config.scriptTimeout() : config.defaultTimeout();
                timeout = def.hasScript() || dflt.compareTo(interval) <= 0 ? dflt : interval;
                b.setTimeout(Durations.toProto(timeout));
            }
        }
        switch (def.getTargetCase()) {
            case GRPC -> Targets.grpc(path + ".grpc.target", def.getGrpc().getTarget());
            case HTTP -> b.setHttp(http(path + ".http", def.getHttp()));
            case TCP -> Targets.hostPort(path + ".tcp.address", def.getTcp().getAddress());
            case TTL -> {
                if (duration(path + ".ttl.ttl", def.getTtl().getTtl()).isZero()) {
                    throw ApiException.invalidArgument(path + ".ttl.ttl", "must be set");
                }
            }
            case SCRIPT -> {
                if (!config.enableScriptChecks()) {
                    throw ApiException.failedPrecondition(path + ".script: script checks are disabled on this agent "
                            + "(start it with -enable-script-checks)");
                }
                if (def.getScript().getArgsCount() == 0 || def.getScript().getArgs(0).isEmpty()) {
                    throw ApiException.invalidArgument(path + ".script.args", "must name a program");
                }
            }
            case ALIAS -> {
                NameRules.checkId(path + ".alias.service_id", def.getAlias().getServiceId());
                if (!def.getAlias().getNode().isEmpty()) {
                    NameRules.checkName(path + ".alias.node", def.getAlias().getNode());
                }
            }
            case TARGET_NOT_SET -> throw ApiException.invalidArgument(path,
                    "one of grpc, http, tcp, ttl, script or alias must be set");
        }
        return b.build();
    }

    private static HttpCheck http(String path, HttpCheck http) {
        URI uri;
        try {
            uri = new URI(http.getUrl());
        } catch (URISyntaxException e) {
            throw ApiException.invalidArgument(path + ".url", "\"" + http.getUrl() + "\" is not a URL: " + e.getReason());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw ApiException.invalidArgument(path + ".url", "\"" + http.getUrl() + "\" must start with http:// or https://");
        }
        if (uri.getHost() == null) {
            throw ApiException.invalidArgument(path + ".url", "\"" + http.getUrl() + "\" has no host");
        }
        HttpCheck.Builder b = http.toBuilder();
        String method = http.getMethod().isEmpty() ? "GET" : http.getMethod().toUpperCase(Locale.ROOT);
        if (!isToken(method)) {
            throw ApiException.invalidArgument(path + ".method", "\"" + http.getMethod() + "\" is not an HTTP method");
        }
        b.setMethod(method);
        for (var e : http.getHeadersMap().entrySet()) {
            if (!isToken(e.getKey())) {
                throw ApiException.invalidArgument(path + ".headers", "\"" + e.getKey() + "\" is not a header name");
            }
            for (String v : e.getValue().getValuesList()) {
                if (v.indexOf('\r') >= 0 || v.indexOf('\n') >= 0) {
                    throw ApiException.invalidArgument(path + ".headers[" + e.getKey() + "]",
                            "a value must not contain line breaks");
                }
            }
        }
        return b.build();
    }

    private static boolean isToken(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (char c : s.toCharArray()) {
            if (c <= 0x20 || c >= 0x7f || "()<>@,;:\\\"/[]?={}".indexOf(c) >= 0) {
                return false;
            }
        }
        return true;
    }

    private static boolean hasControl(String s) {
        return s.chars().anyMatch(c -> c < 0x20 || (c >= 0x7f && c <= 0x9f));
    }

    private static void nonNegative(String field, int value) {
        if (value < 0) {
            throw ApiException.invalidArgument(field, value + " must not be negative");
        }
    }

    private static Duration duration(String field, com.google.protobuf.Duration d) {
        Duration j = Durations.toJava(d);
        if (j.isNegative()) {
            throw ApiException.invalidArgument(field, j + " must not be negative");
        }
        return j;
    }
}
