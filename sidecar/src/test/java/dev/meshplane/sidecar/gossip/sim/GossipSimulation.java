package dev.meshplane.sidecar.gossip.sim;

import dev.meshplane.sidecar.gossip.GossipConfig;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The gossip measurement program: a deterministic simulation of a large cluster (1,000 members
 * with the LAN preset by default) on fixed seeds, printing detection time, false positives
 * under loss and under slowed members (Lifeguard on vs off), and dissemination time. See
 * docs/gossip.md for the command. Every figure replays exactly from the printed seed.
 *
 * <pre>
 * --members N        cluster size (1000)
 * --seeds a,b,c      seeds, one run of each scenario per seed (1,2,3)
 * --scenarios list   detect,loss,slow,spread (all)
 * --kills K          members killed per seed in the detection run (20)
 * --observe S        seconds observed for false positives (300)
 * --slow-delay a,b   extra processing delay bounds of slowed members, ms (1500,5000,12000,25000)
 * --slow-fraction F  fraction of members slowed (0.2)
 * --loss F           packet loss of the loss run (0.10)
 * --suspicion-mult M override the preset's SuspicionMult (exploration only; default: the preset's 4)
 * </pre>
 */
public final class GossipSimulation {
  private GossipSimulation() {}

  public static void main(String[] args) {
    SimulationOptions o = SimulationOptions.parse(args);
    // Thousands of simulated members would flood the console; the figures are the output.
    java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.SEVERE);
    GossipConfig lan = o.suspicionMult() > 0
        ? GossipConfig.lan().toBuilder().suspicionMult(o.suspicionMult()).build() : GossipConfig.lan();
    System.out.printf(Locale.ROOT, "gossip simulation: %d members, LAN preset%s, seeds %s, scenarios %s%n",
        o.members(), o.suspicionMult() > 0 ? " with suspicionMult " + o.suspicionMult() : "", o.seeds(),
        o.scenarios());
    long wallStart = System.nanoTime();
    for (long seed : o.seeds()) {
      System.out.printf(Locale.ROOT, "%n== seed %d (replay: --seeds %d) ==%n", seed, seed);
      if (o.scenarios().contains("detect") || o.scenarios().contains("spread")) {
        long t = System.nanoTime();
        SimCluster c = SimRun.converged(seed, o.members(), lan, SimNetworkConfig.lan(), 60_000);
        System.out.printf(Locale.ROOT, "warm-up: converged at %.1fs sim, %.1fs wall%n", c.now() / 1000.0, wallSince(t));
        if (o.scenarios().contains("spread")) {
          Percentiles spread = DisseminationScenario.run(c, 10, 0.9999, 30_000, seed);
          System.out.printf(Locale.ROOT, "dissemination of one update to 99.99%% of members: %s (target p99 <= 3s)%n",
              spread.summary());
        }
        if (o.scenarios().contains("detect")) {
          DetectionScenario.Result r = DetectionScenario.run(c, o.kills(), 3_000, 180_000, seed);
          System.out.printf(Locale.ROOT, "killed %d members: first suspicion %s%n", r.victims(), r.firstSuspect().summary());
          System.out.printf(Locale.ROOT, "  first member declares dead:    %s%n", r.firstDead().summary());
          System.out.printf(Locale.ROOT, "  EVERY member knows it dead:    %s, never within 180s: %d (target p99 <= 5s)%n",
              r.allKnowDead().summary(), r.undetected());
        }
        report(c, t);
      }
      if (o.scenarios().contains("loss")) {
        long t = System.nanoTime();
        SimCluster c = SimRun.converged(seed, o.members(), lan, SimNetworkConfig.lan(), 30_000);
        c.setNetwork(SimNetworkConfig.lan().withLoss(o.loss()));
        FalsePositiveCounter fp = new FalsePositiveCounter(c);
        c.observe(fp);
        long lostBefore = c.packetsLost();
        long sentBefore = c.packetsSent();
        c.runFor(o.observeSeconds() * 1000L);
        System.out.printf(Locale.ROOT,
            "%.0f%% packet loss for %ds: false-positive deaths %d (distinct members %d), suspicions raised %d, "
                + "packets lost %.1f%% (target 0 false positives)%n",
            o.loss() * 100, o.observeSeconds(), fp.total(), fp.distinctHealthyVictims(), fp.raisedAgainstHealthy,
            100.0 * (c.packetsLost() - lostBefore) / Math.max(1, c.packetsSent() - sentBefore));
        report(c, t);
      }
      if (o.scenarios().contains("slow")) {
        for (long delay : o.slowDelays()) {
          long t = System.nanoTime();
          SlowMembersScenario.Result r = SlowMembersScenario.run(seed, o.members(), o.slowFraction(), delay,
              o.observeSeconds() * 1000L, lan);
          System.out.printf(Locale.ROOT, "%d%% slowed, +0..%dms per received message, %ds observed:%n",
              Math.round(o.slowFraction() * 100), delay, o.observeSeconds());
          for (var row : new Object[][] {{"Lifeguard", r.lifeguard()}, {"plain SWIM", r.swim()}}) {
            FalsePositiveCounter fp = (FalsePositiveCounter) row[1];
            System.out.printf(Locale.ROOT,
                "  %-10s false positives at healthy members %d (distinct members %d; seen by healthy members %d), "
                    + "at slowed members %d; suspicions raised against healthy members %d%n",
                row[0], fp.atHealthy, fp.distinctHealthyVictims(), fp.atHealthySeenByHealthy, fp.atSlow,
                fp.raisedAgainstHealthy);
          }
          System.out.printf(Locale.ROOT, "  Lifeguard reduction at healthy members: %s (target >= 50x) [wall %.1fs]%n",
              r.ratio(), wallSince(t));
        }
      }
    }
    System.out.printf(Locale.ROOT, "%ntotal wall time %.1fs%n", wallSince(wallStart));
  }

  private static void report(SimCluster c, long startNanos) {
    var heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
    var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    System.out.printf(Locale.ROOT, "  [sim %.0fs, %d events, %d packets, wall %.1fs, heap used %d MiB, process CPU %.1fs]%n",
        c.now() / 1000.0, c.eventsRun(), c.packetsSent(), wallSince(startNanos), heap.getUsed() >> 20,
        os.getProcessCpuTime() / 1e9);
  }

  private static double wallSince(long nanos) {
    return (System.nanoTime() - nanos) / 1e9;
  }

  /** Command-line options with the defaults of the published figures. */
  record SimulationOptions(int members, List<Long> seeds, List<String> scenarios, int kills, int observeSeconds,
      List<Long> slowDelays, double slowFraction, double loss, int suspicionMult) {

    static SimulationOptions parse(String[] args) {
      int members = 1000;
      List<Long> seeds = List.of(1L, 2L, 3L);
      List<String> scenarios = List.of("detect", "loss", "slow", "spread");
      int kills = 20;
      int observe = 300;
      List<Long> slowDelays = List.of(1500L, 5000L, 12000L, 25000L);
      double slowFraction = 0.2;
      double loss = 0.10;
      int suspicionMult = 0;
      for (int i = 0; i < args.length; i++) {
        String flag = args[i];
        if (i + 1 >= args.length) {
          throw new IllegalArgumentException("option " + flag + " needs a value");
        }
        String v = args[++i];
        switch (flag) {
          case "--members" -> members = Integer.parseInt(v);
          case "--seeds" -> seeds = longs(v);
          case "--scenarios" -> scenarios = List.of(v.split(","));
          case "--kills" -> kills = Integer.parseInt(v);
          case "--observe" -> observe = Integer.parseInt(v);
          case "--slow-delay" -> slowDelays = longs(v);
          case "--slow-fraction" -> slowFraction = Double.parseDouble(v);
          case "--loss" -> loss = Double.parseDouble(v);
          case "--suspicion-mult" -> suspicionMult = Integer.parseInt(v);
          default -> throw new IllegalArgumentException("unknown option " + flag
              + " (known: --members --seeds --scenarios --kills --observe --slow-delay --slow-fraction --loss"
              + " --suspicion-mult)");
        }
      }
      return new SimulationOptions(members, seeds, scenarios, kills, observe, slowDelays, slowFraction, loss,
          suspicionMult);
    }

    private static List<Long> longs(String csv) {
      List<Long> out = new ArrayList<>();
      for (String part : csv.split(",")) {
        out.add(Long.parseLong(part.trim()));
      }
      return out;
    }
  }
}
