package dev.meshplane.sidecar.gossip.core;

import dev.meshplane.sidecar.gossip.GossipEvent.Kind;
import dev.meshplane.sidecar.gossip.GossipEvent.MemberEvent;
import dev.meshplane.sidecar.gossip.GossipEvent.NameConflict;
import dev.meshplane.sidecar.gossip.MemberStatus;
import dev.meshplane.sidecar.gossip.NodeAddress;
import dev.meshplane.sidecar.gossip.core.GossipMessage.Alive;
import dev.meshplane.sidecar.gossip.core.GossipMessage.Dead;
import dev.meshplane.sidecar.gossip.core.GossipMessage.Suspect;
import java.util.HashMap;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * How alive / suspect / dead news changes the member table. Incarnation numbers order the
 * news about a member; only the member itself raises its incarnation, to refute a suspicion.
 */
final class MembershipRules {
  private static final Logger LOG = Logger.getLogger(MembershipRules.class.getName());

  private record Timer(long deadline, MemberRecord member, Suspicion suspicion) {}

  private final CoreContext ctx;
  private final PriorityQueue<Timer> timers = new PriorityQueue<>((a, b) -> Long.compare(a.deadline, b.deadline));
  /** The other address last reported per conflicting name, so a conflict is reported once. */
  private final Map<String, NodeAddress> reportedConflicts = new HashMap<>();

  MembershipRules(CoreContext ctx) {
    this.ctx = ctx;
  }

  void onAlive(Alive a) {
    MemberRecord rec = ctx.table.get(a.name());
    if (rec == null) {
      MemberRecord fresh =
          new MemberRecord(a.name(), a.address(), a.tags(), a.incarnation(), MemberStatus.ALIVE, ctx.now);
      ctx.table.add(fresh);
      ctx.broadcast(a);
      event(Kind.JOINED, fresh, a.name());
      return;
    }
    boolean isSelf = rec == ctx.self;
    if (!rec.address.equals(a.address())) {
      if (!isSelf && rec.status.isDeadOrLeft()) {
        // The member came back under its name at a new address (a rescheduled pod): the new
        // one replaces the dead entry whatever its incarnation, since it restarted from 1.
        LOG.info(() -> "member " + a.name() + " returned at " + a.address() + " (was " + rec.address + ")");
        rec.address = a.address();
        rec.tags = a.tags();
        rec.incarnation = a.incarnation();
        cancelSuspicion(rec);
        ctx.table.setStatus(rec, MemberStatus.ALIVE, ctx.now);
        reportedConflicts.remove(a.name());
        ctx.broadcast(a);
        event(Kind.JOINED, rec, a.name());
      } else {
        reportConflict(rec, a.address());
      }
      return;
    }
    if (isSelf) {
      boolean sameAsUs = a.incarnation() == rec.incarnation && a.tags().equals(rec.tags);
      if (!ctx.leaving && a.incarnation() >= rec.incarnation && !sameAsUs) {
        refute(a.incarnation());
      }
      return;
    }
    if (a.incarnation() <= rec.incarnation) {
      return;
    }
    MemberStatus old = rec.status;
    boolean tagsChanged = !rec.tags.equals(a.tags());
    rec.incarnation = a.incarnation();
    rec.tags = a.tags();
    cancelSuspicion(rec);
    ctx.table.setStatus(rec, MemberStatus.ALIVE, ctx.now);
    ctx.broadcast(a);
    if (old.isDeadOrLeft()) {
      event(Kind.JOINED, rec, a.name());
    } else if (tagsChanged) {
      event(Kind.UPDATED, rec, a.name());
    }
  }

  void onSuspect(Suspect s) {
    MemberRecord rec = ctx.table.get(s.name());
    if (rec == null || s.incarnation() < rec.incarnation) {
      return;
    }
    if (rec.suspicion != null) {
      // Another member's independent confirmation shortens the timer; pass the news on so
      // that others can count it too.
      if (rec.suspicion.confirm(s.from())) {
        timers.add(new Timer(rec.suspicion.deadline(), rec, rec.suspicion));
        ctx.broadcast(s);
      }
      return;
    }
    if (rec.status != MemberStatus.ALIVE) {
      return;
    }
    if (rec == ctx.self) {
      refute(s.incarnation());
      return;
    }
    ctx.broadcast(s);
    rec.incarnation = s.incarnation();
    ctx.table.setStatus(rec, MemberStatus.SUSPECT, ctx.now);
    startSuspicion(rec, s.from());
    event(Kind.SUSPECTED, rec, s.from());
  }

  void onDead(Dead d) {
    MemberRecord rec = ctx.table.get(d.name());
    if (rec == null || d.incarnation() < rec.incarnation) {
      return;
    }
    cancelSuspicion(rec);
    if (rec.status == MemberStatus.DEAD && d.isLeaveIntent() && rec != ctx.self) {
      // We declared it failed before its leave intent reached us; the intent comes from the
      // member itself, so record the leave rather than the failure.
      ctx.broadcast(d);
      rec.incarnation = d.incarnation();
      ctx.table.setStatus(rec, MemberStatus.LEFT, ctx.now);
      event(Kind.LEFT, rec, d.from());
      return;
    }
    if (rec.status.isDeadOrLeft()) {
      return;
    }
    if (rec == ctx.self) {
      if (!ctx.leaving) {
        refute(d.incarnation());
        return;
      }
      ctx.leaveBroadcastId = ctx.broadcast(d);
    } else {
      ctx.broadcast(d);
    }
    rec.incarnation = d.incarnation();
    boolean left = d.isLeaveIntent();
    ctx.table.setStatus(rec, left ? MemberStatus.LEFT : MemberStatus.DEAD, ctx.now);
    event(left ? Kind.LEFT : Kind.FAILED, rec, d.from());
  }

  /** Merges a peer's full state; its dead verdicts become suspicions here, to be verified. */
  void merge(PushPull remote) {
    for (MemberState m : remote.members()) {
      switch (m.status()) {
        case ALIVE -> onAlive(new Alive(m.incarnation(), m.name(), m.address(), m.tags()));
        case LEFT -> onDead(new Dead(m.incarnation(), m.name(), m.name(), true));
        case DEAD, SUSPECT -> onSuspect(new Suspect(m.incarnation(), m.name(), ctx.self.name));
      }
    }
  }

  /** Beats an accusation against us with a higher incarnation, and counts it against our health. */
  void refute(long accused) {
    MemberRecord self = ctx.self;
    self.incarnation = Math.max(self.incarnation + 1, accused + 1);
    ctx.refutations++;
    ctx.awareness.apply(1);
    ctx.broadcast(new Alive(self.incarnation, self.name, self.address, self.tags));
  }

  /** Declares dead every suspect whose timer ran out. */
  void expireSuspicions() {
    while (!timers.isEmpty() && timers.peek().deadline <= ctx.now) {
      Timer t = timers.poll();
      MemberRecord rec = t.member;
      if (rec.suspicion != t.suspicion || t.suspicion.deadline() != t.deadline
          || rec.status != MemberStatus.SUSPECT || ctx.table.get(rec.name) != rec) {
        continue;
      }
      int confirmations = t.suspicion.confirmations();
      LOG.log(Level.FINE, () -> "marking " + rec.name + " failed: suspicion timed out with "
          + confirmations + " confirmations");
      ctx.declaredDead++;
      onDead(new Dead(rec.incarnation, rec.name, ctx.self.name, false));
    }
  }

  long nextDeadline() {
    while (!timers.isEmpty()) {
      Timer t = timers.peek();
      if (t.member.suspicion == t.suspicion && t.suspicion.deadline() == t.deadline) {
        return t.deadline;
      }
      timers.poll();
    }
    return Long.MAX_VALUE;
  }

  private void startSuspicion(MemberRecord rec, String from) {
    int n = ctx.table.liveCount();
    long min = Suspicion.minTimeout(ctx.config.suspicionMult(), n, ctx.probeIntervalMillis());
    int wanted = 0;
    long max = min;
    if (ctx.config.lifeguard()) {
      // Aim to hit the minimum two probe intervals short of SuspicionMult; without enough other
      // members to confirm, expect no confirmations at all (n - 2 excludes us and the suspect).
      wanted = ctx.config.suspicionMult() - 2;
      if (n - 2 < wanted) {
        wanted = 0;
      }
      max = ctx.config.suspicionMaxTimeoutMult() * min;
    }
    rec.suspicion = new Suspicion(from, wanted, min, max, ctx.now);
    timers.add(new Timer(rec.suspicion.deadline(), rec, rec.suspicion));
  }

  private void cancelSuspicion(MemberRecord rec) {
    rec.suspicion = null;
  }

  private void reportConflict(MemberRecord rec, NodeAddress other) {
    if (other.equals(reportedConflicts.get(rec.name))) {
      return;
    }
    reportedConflicts.put(rec.name, other);
    ctx.nameConflicts++;
    LOG.warning(() -> "two members claim the name " + rec.name + ": " + rec.address + " (" + rec.status
        + ", kept) and " + other + " (ignored)");
    ctx.events.add(new NameConflict(rec.name, rec.address, other));
  }

  void forget(MemberRecord rec) {
    reportedConflicts.remove(rec.name);
    cancelSuspicion(rec);
  }

  private void event(Kind kind, MemberRecord rec, String reportedBy) {
    ctx.events.add(new MemberEvent(kind, rec.snapshot(), reportedBy));
  }
}
