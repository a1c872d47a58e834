package dev.meshplane.sidecar.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshplane.api.Durations;
import dev.meshplane.proto.v1.CatalogDeregisterRequest;
import dev.meshplane.proto.v1.Check;
import dev.meshplane.proto.v1.CheckDefinition;
import dev.meshplane.proto.v1.GetNodeResponse;
import dev.meshplane.proto.v1.HealthStatus;
import dev.meshplane.proto.v1.Node;
import dev.meshplane.proto.v1.Service;
import dev.meshplane.proto.v1.Weights;
import dev.meshplane.sidecar.checks.Scheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Local state's sync bookkeeping: what a pass writes, what a full comparison repairs, output throttling. */
class LocalStateTest {
    private static final Node SELF = Node.newBuilder().setName("n1").setAddress("10.0.0.1").setDatacenter("dc1").build();

    /** Timers that fire only when the test says. */
    private static final class Timers implements Scheduler {
        final List<Runnable> pending = new ArrayList<>();
        final List<Duration> delays = new ArrayList<>();
        long now;

        @Override
        public long nanoTime() {
            return now;
        }

        @Override
        public long currentTimeMillis() {
            return now / 1_000_000;
        }

        @Override
        public Timer schedule(Duration delay, Runnable task) {
            pending.add(task);
            delays.add(delay);
            return () -> pending.remove(task);
        }

        void fireAll() {
            List<Runnable> due = new ArrayList<>(pending);
            pending.clear();
            due.forEach(Runnable::run);
        }
    }

    private final Timers timers = new Timers();
    private final LocalState state = new LocalState(SELF, timers, Duration.ofMinutes(5), new SplittableRandom(1));

    private static Service service(String id) {
        return Service.newBuilder().setId(id).setName(id).setWeights(Weights.newBuilder().setPassing(1).setWarning(1))
                .build();
    }

    private static CheckDefinition ttl(String id, String serviceId) {
        return CheckDefinition.newBuilder().setId(id).setName(id).setServiceId(serviceId)
                .setInitialStatus(HealthStatus.HEALTH_STATUS_CRITICAL)
                .setTtl(dev.meshplane.proto.v1.TtlCheck.newBuilder().setTtl(Durations.toProto(Duration.ofSeconds(30))))
                .build();
    }

    /** Marks every write of the current plan as done at index 7. */
    private void writeAll() {
        state.plan().writes().forEach(w -> state.written(w, 7));
    }

    @Test
    void aPassWritesServicesWithTheirChecksAndThenNothing() {
        state.putService(service("web"), Source.API);
        state.putCheck(ttl("web-ttl", "web"), Source.API, HealthStatus.HEALTH_STATUS_CRITICAL, "");
        SyncPlan plan = state.plan();
        assertEquals(1, plan.writes().size());
        SyncPlan.Register reg = (SyncPlan.Register) plan.writes().get(0);
        assertEquals("web", reg.request().getService().getId());
        assertEquals("web-ttl", reg.request().getChecks(0).getCheckId());
        writeAll();
        assertTrue(state.plan().isEmpty());
        assertEquals(7, state.syncedIndex("web"));
    }

    @Test
    void aChangeDuringAWriteIsNotMarkedSyncedByIt() {
        state.putService(service("web"), Source.API);
        SyncPlan inFlight = state.plan();
        state.putService(service("web").toBuilder().setPort(81).build(), Source.API);
        inFlight.writes().forEach(w -> state.written(w, 7));
        assertEquals(0, state.syncedIndex("web"), "the port change still has to go out");
        assertEquals(81, ((SyncPlan.Register) state.plan().writes().get(0)).request().getService().getPort());
    }

    @Test
    void fullSyncRestoresMissingRemovesForeignAndLeavesSerfHealthAlone() {
        state.putService(service("kept"), Source.API);
        state.putService(service("lost"), Source.API);
        writeAll();
        GetNodeResponse view = GetNodeResponse.newBuilder().setNode(SELF.toBuilder().setModifyIndex(3))
                .addServices(service("kept").toBuilder().setCreateIndex(2).setModifyIndex(2))
                .addServices(service("foreign"))
                .addChecks(Check.newBuilder().setCheckId("serfHealth").setStatus(HealthStatus.HEALTH_STATUS_PASSING))
                .addChecks(Check.newBuilder().setCheckId("stray").setStatus(HealthStatus.HEALTH_STATUS_PASSING))
                .build();
        state.reconcile(view);
        List<String> writes = state.plan().writes().stream().map(w -> switch (w) {
            case SyncPlan.Register r -> "register " + r.request().getService().getId();
            case SyncPlan.Deregister d -> "deregister " + (d.request().getServiceId().isEmpty()
                    ? "check " + d.request().getCheckId() : d.request().getServiceId());
        }).toList();
        assertEquals(List.of("deregister foreign", "deregister check stray", "register lost"), writes);
        CatalogDeregisterRequest first = ((SyncPlan.Deregister) state.plan().writes().get(0)).request();
        assertEquals("n1", first.getNode());
    }

    @Test
    void outputOnlyChangesWaitForTheUpdateIntervalAndStatusChangesDoNot() {
        state.putService(service("web"), Source.API);
        state.putCheck(ttl("t", "web"), Source.API, HealthStatus.HEALTH_STATUS_PASSING, "a");
        writeAll();
        state.checkUpdated("t", HealthStatus.HEALTH_STATUS_PASSING, "b");
        state.checkUpdated("t", HealthStatus.HEALTH_STATUS_PASSING, "c");
        assertTrue(state.plan().isEmpty(), "output churn is not written now");
        assertEquals(1, timers.pending.size(), "one deferred write, however many changes");
        Duration delay = timers.delays.get(timers.delays.size() - 1);
        assertTrue(delay.compareTo(Duration.ofMinutes(5)) >= 0 && delay.compareTo(Duration.ofMinutes(5).plusSeconds(75)) <= 0,
                delay.toString());
        timers.fireAll();
        assertEquals("c", ((SyncPlan.Register) state.plan().writes().get(0)).request().getChecks(0).getOutput());
        writeAll();

        state.checkUpdated("t", HealthStatus.HEALTH_STATUS_PASSING, "d");
        state.checkUpdated("t", HealthStatus.HEALTH_STATUS_CRITICAL, "down");
        assertTrue(timers.pending.isEmpty(), "the status change took the deferred write with it");
        Check sent = ((SyncPlan.Register) state.plan().writes().get(0)).request().getChecks(0);
        assertEquals(HealthStatus.HEALTH_STATUS_CRITICAL, sent.getStatus());
        assertEquals("down", sent.getOutput());
    }

    @Test
    void removingAServiceTakesItsChecksAndTheCatalogsCopyWithIt() {
        state.putService(service("web"), Source.API);
        state.putCheck(ttl("t", "web"), Source.API, HealthStatus.HEALTH_STATUS_PASSING, "");
        writeAll();
        assertTrue(state.removeService("web"));
        List<SyncPlan.Write> writes = state.plan().writes();
        assertEquals(1, writes.size());
        assertEquals("web", ((SyncPlan.Deregister) writes.get(0)).request().getServiceId());
        assertTrue(state.checks().isEmpty());
        assertEquals(false, state.serviceRemovalSynced("web"));
        writeAll();
        assertTrue(state.serviceRemovalSynced("web"));
    }

    @Test
    void aCheckCriticalPastItsDeregisterAfterMarksItsServiceForReaping() {
        state.putService(service("web"), Source.API);
        state.putCheck(ttl("t", "web").toBuilder().setDeregisterCriticalServiceAfter(
                Durations.toProto(Duration.ofMinutes(1))).build(), Source.API, HealthStatus.HEALTH_STATUS_CRITICAL, "");
        timers.now += Duration.ofSeconds(59).toNanos();
        assertTrue(state.servicesToReap().isEmpty());
        state.checkUpdated("t", HealthStatus.HEALTH_STATUS_PASSING, "");
        state.checkUpdated("t", HealthStatus.HEALTH_STATUS_CRITICAL, "");
        timers.now += Duration.ofSeconds(59).toNanos();
        assertTrue(state.servicesToReap().isEmpty(), "a pass in between restarts the clock");
        timers.now += Duration.ofSeconds(1).toNanos();
        assertEquals(java.util.Set.of("web"), state.servicesToReap());
    }
}
