package dev.meshplane.sidecar.gossip;

import static org.junit.jupiter.api.Assertions.fail;

import dev.meshplane.sidecar.gossip.crypto.EncryptionMode;
import dev.meshplane.sidecar.gossip.crypto.Keyring;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;

/** Real agents on 127.0.0.1 with ephemeral ports, and their recorded events. */
final class AgentTestSupport implements AutoCloseable {
  /** An event and the agent that saw it. */
  record Seen(String observer, GossipEvent event) {}

  final List<GossipAgent> agents = new ArrayList<>();
  final List<Seen> events = new CopyOnWriteArrayList<>();
  private final GossipConfig config;

  AgentTestSupport(GossipConfig config) {
    this.config = config;
  }

  GossipAgent start(String name, Keyring keyring, EncryptionMode mode) throws Exception {
    GossipAgentConfig c = new GossipAgentConfig(name, "127.0.0.1", 0, null,
        Map.of(MemberTags.ROLE, "client", MemberTags.DATACENTER, "dc1", MemberTags.BUILD, "0.1.0"), config, keyring, mode);
    GossipAgent agent = GossipAgent.start(c, e -> events.add(new Seen(name, e)));
    agents.add(agent);
    return agent;
  }

  List<GossipAgent> startCluster(int n, Keyring keyringTemplate, EncryptionMode mode) throws Exception {
    List<GossipAgent> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Keyring keyring = keyringTemplate.isEmpty() ? Keyring.empty()
          : Keyring.of(keyringTemplate.list().get(0), keyringTemplate.list().subList(1, keyringTemplate.list().size())
              .toArray(String[]::new));
      out.add(start("agent-" + i, keyring, mode));
    }
    for (int i = 1; i < n; i++) {
      out.get(i).join(List.of(out.get(0).address()));
    }
    await("all " + n + " agents see each other alive", Duration.ofSeconds(15), () -> allAlive(out),
        () -> describe(out));
    return out;
  }

  static String describe(List<GossipAgent> group) {
    StringBuilder b = new StringBuilder();
    for (GossipAgent a : group) {
      b.append("\n  ").append(a.local().name()).append(" sees");
      for (Member m : a.members()) {
        b.append(' ').append(m.name()).append('=').append(m.status()).append('#').append(m.incarnation());
      }
      b.append(" | ").append(a.transportStats());
    }
    return b.toString();
  }

  static boolean allAlive(List<GossipAgent> group) {
    for (GossipAgent observer : group) {
      long alive = observer.members().stream().filter(m -> m.status() == MemberStatus.ALIVE).count();
      if (alive != group.size()) {
        return false;
      }
    }
    return true;
  }

  static MemberStatus statusOf(GossipAgent observer, String name) {
    return observer.members().stream().filter(m -> m.name().equals(name)).findFirst().map(Member::status).orElse(null);
  }

  static void await(String what, Duration limit, BooleanSupplier condition) throws InterruptedException {
    await(what, limit, condition, () -> "");
  }

  static void await(String what, Duration limit, BooleanSupplier condition, java.util.function.Supplier<String> state)
      throws InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        fail("timed out after " + limit + " waiting until " + what + state.get());
      }
      Thread.sleep(50);
    }
  }

  List<Seen> memberEvents(GossipEvent.Kind kind, String member) {
    return events.stream().filter(s -> s.event() instanceof GossipEvent.MemberEvent m && m.kind() == kind
        && m.member().name().equals(member)).toList();
  }

  @Override
  public void close() {
    for (GossipAgent a : agents) {
      try {
        a.close();
      } catch (RuntimeException e) {
        // Already closed by the test.
      }
    }
  }
}
