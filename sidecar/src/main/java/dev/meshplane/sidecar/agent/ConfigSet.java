package dev.meshplane.sidecar.agent;

import dev.meshplane.api.ApiException;
import dev.meshplane.api.ServiceRules;
import dev.meshplane.proto.v1.CheckDefinition;
import dev.meshplane.proto.v1.ReloadResponse;
import dev.meshplane.proto.v1.Service;
import dev.meshplane.sidecar.checks.CheckDefinitions;
import dev.meshplane.sidecar.checks.CheckRunner;
import dev.meshplane.sidecar.config.ConfigDir;
import dev.meshplane.sidecar.config.ConfigException;
import dev.meshplane.sidecar.config.Definitions;
import dev.meshplane.sidecar.config.ServiceDefinition;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.logging.Logger;

/**
 * What the config dir declared at the last successful (re)load, and the reload itself: read
 * every file, validate and prepare everything, and only then apply the difference (services
 * added, changed, removed). Any error leaves the running configuration exactly as it was.
 * Called with the agent's lock held.
 */
final class ConfigSet {
    private static final Logger LOG = Logger.getLogger(ConfigSet.class.getName());

    /** A normalized service and its checks, as last applied. */
    private record Applied(Service service, List<CheckDefinition> checks) {}

    private final LocalAgent agent;
    private final ConfigDir dir;
    private Map<String, Applied> services = Map.of();
    private Map<String, CheckDefinition> nodeChecks = Map.of();

    ConfigSet(LocalAgent agent, ConfigDir dir) {
        this.agent = agent;
        this.dir = dir;
    }

    /** @param starting the first read at start: there is no running configuration to keep yet */
    ReloadResponse reload(boolean starting) {
        String refused = starting ? "cannot read -config-dir " + (dir == null ? "" : dir.path()) + ": "
                : "config not applied, the running configuration is unchanged: ";
        if (dir == null) {
            return ReloadResponse.getDefaultInstance();
        }
        Definitions defs;
        Map<String, Applied> nextServices = new LinkedHashMap<>();
        Map<String, CheckDefinition> nextNodeChecks = new LinkedHashMap<>();
        Map<String, String> origins = new LinkedHashMap<>();
        List<CheckDefinition> toPrepare = new ArrayList<>();
        List<String> prepareOrigins = new ArrayList<>();
        try {
            defs = dir.load(LOG::warning);
            for (ServiceDefinition sd : defs.services()) {
                Service service = ServiceRules.normalize(sd.origin(), sd.service());
                claim(origins, "service " + service.getId(), sd.origin());
                List<CheckDefinition> checks = ServiceChecks.normalize(sd.origin() + ".checks", service, sd.checks(),
                        agent.config().checks());
                for (int i = 0; i < checks.size(); i++) {
                    claim(origins, "check " + checks.get(i).getId(), sd.origin() + ".checks[" + i + "]");
                    toPrepare.add(checks.get(i));
                    prepareOrigins.add(sd.origin() + ".checks[" + i + "]");
                }
                nextServices.put(service.getId(), new Applied(service, checks));
            }
            for (Definitions.Located<CheckDefinition> located : defs.checks()) {
                CheckDefinition def = CheckDefinitions.normalize(located.origin(), located.value(), agent.config().checks());
                claim(origins, "check " + def.getId(), located.origin());
                if (!def.getServiceId().isEmpty() && !nextServices.containsKey(def.getServiceId())
                        && agent.state().service(def.getServiceId()).isEmpty()) {
                    throw ApiException.invalidArgument(located.origin() + ".service_id", "\"" + def.getServiceId()
                            + "\" is not a service of this agent");
                }
                nextNodeChecks.put(def.getId(), def);
                toPrepare.add(def);
                prepareOrigins.add(located.origin());
            }
        } catch (ConfigException e) {
            throw ApiException.failedPrecondition(refused + e.getMessage());
        } catch (ApiException e) {
            throw ApiException.failedPrecondition(refused + e.getMessage());
        }
        List<CheckRunner.Prepared> prepared;
        try {
            prepared = agent.prepareAll(toPrepare, prepareOrigins);
        } catch (ApiException e) {
            throw ApiException.failedPrecondition(refused + e.getMessage());
        }
        return apply(defs.files(), nextServices, nextNodeChecks, toPrepare, prepared);
    }

    private static void claim(Map<String, String> origins, String what, String origin) {
        String previous = origins.putIfAbsent(what, origin);
        if (previous != null) {
            throw new ConfigException(origin + ": " + what + " is already defined in " + previous);
        }
    }

    private ReloadResponse apply(int files, Map<String, Applied> nextServices, Map<String, CheckDefinition> nextNodeChecks,
                                 List<CheckDefinition> defs, List<CheckRunner.Prepared> prepared) {
        TreeSet<String> added = new TreeSet<>();
        TreeSet<String> changed = new TreeSet<>();
        TreeSet<String> removed = new TreeSet<>();
        LocalState state = agent.state();
        for (String id : services.keySet()) {
            if (!nextServices.containsKey(id) && state.serviceSource(id).orElse(null) == Source.CONFIG) {
                agent.removeService(id);
                removed.add(id);
            }
        }
        for (String id : nodeChecks.keySet()) {
            if (!nextNodeChecks.containsKey(id) && state.checkSource(id).orElse(null) == Source.CONFIG) {
                agent.dropCheck(id);
            }
        }
        nextServices.forEach((id, next) -> {
            Applied before = services.get(id);
            boolean present = state.service(id).isPresent();
            if (before == null || !present) {
                added.add(id);
            } else if (!Objects.equals(before, next)) {
                changed.add(id);
            }
            if (!present || !state.service(id).get().equals(next.service())
                    || state.serviceSource(id).orElse(null) != Source.CONFIG) {
                state.putService(next.service(), Source.CONFIG);
            }
            List<String> keep = next.checks().stream().map(CheckDefinition::getId).toList();
            // Maintenance is switched through the API, not by the files.
            state.checksOf(id).stream().filter(c -> !keep.contains(c) && !c.startsWith(Maintenance.SERVICE_PREFIX))
                    .forEach(agent::dropCheck);
        });
        for (int i = 0; i < defs.size(); i++) {
            if (prepared.get(i) == null) {
                state.setCheckSource(defs.get(i).getId(), Source.CONFIG);
            } else {
                agent.applyCheck(prepared.get(i), Source.CONFIG);
            }
        }
        services = nextServices;
        nodeChecks = nextNodeChecks;
        LOG.info("config dir " + dir.path() + ": " + files + " files; services added " + added + ", changed "
                + changed + ", removed " + removed);
        return ReloadResponse.newBuilder().addAllAdded(added).addAllChanged(changed).addAllRemoved(removed)
                .setFiles(files).build();
    }
}
