package dev.meshplane.sidecar.checks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshplane.api.Durations;
import dev.meshplane.proto.v1.CheckDefinition;
import dev.meshplane.proto.v1.HealthStatus;
import dev.meshplane.proto.v1.TcpCheck;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Queue;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;
import org.junit.jupiter.api.Test;

/** The runner's timing and threshold logic on a manual clock, with scripted probes. */
class PolledCheckTest {
    private final ManualScheduler clock = new ManualScheduler();
    private final Recorder recorder = new Recorder();
    private final Queue<HealthStatus> script = new ArrayDeque<>();
    private final List<Long> runTimes = new ArrayList<>();

    /** A probe that answers the scripted statuses in turn (passing when the script is empty). */
    private final ProbeFactory scripted = (field, def) -> timeout -> {
        runTimes.add(clock.nanoTime());
        HealthStatus s = script.isEmpty() ? HealthStatus.HEALTH_STATUS_PASSING : script.poll();
        return new CheckResult(s, "scripted " + s);
    };

    private CheckRunner runner(ProbeFactory probes, java.util.concurrent.Executor runs) {
        return new CheckRunner(ChecksConfig.DEFAULTS, clock, runs, probes, recorder,
                (sid, ex) -> Optional.empty(), "node-1", null, new SplittableRandom(7));
    }

    private static CheckDefinition tcp(String id, Duration interval) {
        CheckDefinition def = CheckDefinition.newBuilder().setId(id).setInterval(Durations.toProto(interval))
                .setTcp(TcpCheck.newBuilder().setAddress("127.0.0.1:1")).build();
        return CheckDefinitions.normalize("check", def, ChecksConfig.DEFAULTS);
    }

    private void start(CheckRunner runner, CheckDefinition def) {
        runner.start(runner.prepare("check", def));
    }

    @Test
    void firstRunIsStaggeredWithinOneIntervalThenRunsAtAFixedRate() {
        CheckRunner runner = runner(scripted, Runnable::run);
        start(runner, tcp("a", Duration.ofSeconds(10)));
        clock.advance(Duration.ofSeconds(10));
        assertEquals(1, runTimes.size(), "exactly one run in the first interval");
        long first = runTimes.get(0);
        clock.advance(Duration.ofSeconds(30));
        assertEquals(4, runTimes.size());
        for (int i = 1; i < runTimes.size(); i++) {
            assertEquals(Duration.ofSeconds(10).toNanos(), runTimes.get(i) - runTimes.get(i - 1));
        }
        assertTrue(first < Duration.ofSeconds(10).toNanos());
    }

    @Test
    void staggerSpreadsManyChecksOverTheInterval() {
        CheckRunner runner = runner(scripted, Runnable::run);
        for (int i = 0; i < 100; i++) {
            start(runner, tcp("c" + i, Duration.ofSeconds(10)));
        }
        clock.advance(Duration.ofSeconds(10));
        long firstHalf = runTimes.stream().filter(t -> t < Duration.ofSeconds(5).toNanos()).count();
        assertEquals(100, runTimes.size());
        assertTrue(firstHalf > 25 && firstHalf < 75, "first runs spread over the interval: " + firstHalf + " of 100 in the first half");
    }

    @Test
    void alternatingTargetWithFailuresBeforeCritical3NeverGoesCritical() {
        CheckRunner runner = runner(scripted, Runnable::run);
        for (int i = 0; i < 20; i++) {
            script.add(HealthStatus.HEALTH_STATUS_PASSING);
            script.add(HealthStatus.HEALTH_STATUS_CRITICAL);
        }
        start(runner, tcp("flappy", Duration.ofSeconds(1)).toBuilder().setFailuresBeforeCritical(3).build());
        clock.advance(Duration.ofSeconds(41));
        assertEquals(41, runTimes.size());
        assertTrue(recorder.all().stream().noneMatch(r -> r.status() == HealthStatus.HEALTH_STATUS_CRITICAL),
                recorder.all().toString());
        script.add(HealthStatus.HEALTH_STATUS_CRITICAL);
        script.add(HealthStatus.HEALTH_STATUS_CRITICAL);
        script.add(HealthStatus.HEALTH_STATUS_CRITICAL);
        clock.advance(Duration.ofSeconds(3));
        assertEquals(HealthStatus.HEALTH_STATUS_CRITICAL, recorder.latest("flappy").status(),
                "three failures in a row do turn it critical");
    }

    @Test
    void aRunStillGoingSkipsTheNextSlotInsteadOfStacking() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        ProbeFactory hanging = (field, def) -> timeout -> {
            threads.add(Thread.currentThread());
            release.await();
            return CheckResult.passing("late");
        };
        ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();
        CheckRunner runner = runner(hanging, pool);
        start(runner, tcp("slow", Duration.ofSeconds(30)).toBuilder().setTimeout(Durations.toProto(Duration.ofMinutes(5)))
                .build());
        clock.advance(Duration.ofSeconds(30 * 4));
        Thread.sleep(200);
        assertEquals(1, threads.size(), "one run at a time");
        assertTrue(runner.stats().skippedBusy() >= 3, "skipped: " + runner.stats().skippedBusy());
        release.countDown();
        pool.shutdown();
    }

    @Test
    void theRunnerCutsOffAProbeThatIgnoresItsTimeout() throws Exception {
        CountDownLatch interrupted = new CountDownLatch(1);
        ProbeFactory stubborn = (field, def) -> timeout -> {
            try {
                Thread.sleep(Duration.ofHours(1));
            } catch (InterruptedException e) {
                interrupted.countDown();
                throw e;
            }
            return CheckResult.passing("never");
        };
        ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();
        CheckRunner runner = runner(stubborn, pool);
        start(runner, tcp("stuck", Duration.ofSeconds(10)).toBuilder().setTimeout(Durations.toProto(Duration.ofSeconds(3)))
                .build());
        clock.advance(Duration.ofSeconds(10));
        Thread.sleep(100);
        clock.advance(Duration.ofSeconds(5)); // timeout 3 s + grace 2 s
        assertTrue(interrupted.await(5, java.util.concurrent.TimeUnit.SECONDS), "the run's thread was interrupted");
        Recorder.Report r = recorder.latest("stuck");
        assertEquals(HealthStatus.HEALTH_STATUS_CRITICAL, r.status());
        assertTrue(r.output().contains("did not finish within its timeout of 3s"), r.output());
        assertEquals(1, runner.stats().timedOut());
        pool.shutdown();
    }

    @Test
    void aStoppedCheckRunsNoMore() {
        CheckRunner runner = runner(scripted, Runnable::run);
        start(runner, tcp("gone", Duration.ofSeconds(1)));
        clock.advance(Duration.ofSeconds(3));
        int before = runTimes.size();
        runner.stop("gone");
        clock.advance(Duration.ofSeconds(10));
        assertEquals(before, runTimes.size());
        assertEquals(0, clock.pending());
    }

    @Test
    void ttlChecksExpireToCriticalAndUpdatesRestartTheTtl() {
        CheckRunner runner = runner(scripted, Runnable::run);
        CheckDefinition ttl = CheckDefinitions.normalize("check", CheckDefinition.newBuilder().setId("ttl")
                .setTtl(dev.meshplane.proto.v1.TtlCheck.newBuilder().setTtl(Durations.toProto(Duration.ofSeconds(10))))
                .build(), ChecksConfig.DEFAULTS);
        start(runner, ttl);
        clock.advance(Duration.ofSeconds(8));
        runner.updateTtl("ttl", HealthStatus.HEALTH_STATUS_PASSING, "fine");
        assertEquals(HealthStatus.HEALTH_STATUS_PASSING, recorder.latest("ttl").status());
        clock.advance(Duration.ofSeconds(8));
        assertEquals(HealthStatus.HEALTH_STATUS_PASSING, recorder.latest("ttl").status(), "the update restarted the TTL");
        clock.advance(Duration.ofSeconds(3));
        Recorder.Report r = recorder.latest("ttl");
        assertEquals(HealthStatus.HEALTH_STATUS_CRITICAL, r.status());
        assertTrue(r.output().startsWith("TTL expired"), r.output());
    }
}
