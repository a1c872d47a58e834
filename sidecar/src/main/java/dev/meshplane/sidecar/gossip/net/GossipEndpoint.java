package dev.meshplane.sidecar.gossip.net;

import dev.meshplane.proto.internal.v1.GossipStreamResponse;
import dev.meshplane.sidecar.gossip.GossipConfig;
import dev.meshplane.sidecar.gossip.GossipEvent;
import dev.meshplane.sidecar.gossip.Member;
import dev.meshplane.sidecar.gossip.MemberTags;
import dev.meshplane.sidecar.gossip.NodeAddress;
import dev.meshplane.sidecar.gossip.core.CoreStats;
import dev.meshplane.sidecar.gossip.core.MalformedMessageException;
import dev.meshplane.sidecar.gossip.core.SwimCore;
import dev.meshplane.sidecar.gossip.crypto.PacketSecurity;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * The gossip network endpoint: UDP for probes and gossip, TCP on the same port for push-pull
 * and the fallback probe, one Netty event-loop thread that owns the protocol core. Every
 * public method is thread-safe.
 */
public final class GossipEndpoint implements AutoCloseable {
  /** Largest datagram read; anything larger was not sent by a member. */
  private static final int MAX_DATAGRAM = 65_536;
  /** Attempts at finding a port free for both UDP and TCP when an ephemeral port is asked for. */
  private static final int EPHEMERAL_BIND_ATTEMPTS = 10;
  private static final long CALL_TIMEOUT_SECONDS = 10;

  private final EventLoopGroup group;
  private final EventLoop loop;
  private final Channel udp;
  private final Channel tcp;
  private final NodeAddress address;
  private final TransportStats stats;
  private final PacketSecurity security;
  private volatile GossipDriver driver;

  private GossipEndpoint(EventLoopGroup group, Channel udp, Channel tcp, NodeAddress address, TransportStats stats,
      PacketSecurity security) {
    this.group = group;
    this.loop = udp.eventLoop();
    this.udp = udp;
    this.tcp = tcp;
    this.address = address;
    this.stats = stats;
    this.security = security;
  }

  /**
   * Binds UDP and TCP on {@code bindHost:bindPort} (port 0 picks a free one for both) and starts
   * the member. {@code advertiseHost} is the IP others reach us at; null means the bind host,
   * which must then not be a wildcard.
   */
  public static GossipEndpoint open(String name, String bindHost, int bindPort, String advertiseHost,
      Map<String, String> tags, GossipConfig config, PacketSecurity security, Consumer<List<GossipEvent>> events)
      throws IOException {
    Map<String, String> validTags = MemberTags.validate(tags);
    String advertise = advertiseHost != null ? advertiseHost : bindHost;
    if (InetAddress.getByName(advertise).isAnyLocalAddress()) {
      throw new IllegalArgumentException("gossip bind address " + bindHost
          + " is a wildcard; give an advertise address that other members can reach");
    }
    TransportStats stats = new TransportStats();
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    GossipEndpoint[] self = new GossipEndpoint[1];
    StreamServer streams = new StreamServer(security, config.maxStreamBytes(), config.tcpTimeout().toMillis(),
        config.maxConcurrentPushPulls(), stats, request -> {
          GossipDriver d = self[0] == null ? null : self[0].driver;
          if (d == null) {
            return GossipStreamResponse.newBuilder().setError("member is starting").build();
          }
          return d.loopOnStream(request);
        });
    try {
      for (int attempt = 1; ; attempt++) {
        Channel udp = new Bootstrap().group(group).channel(NioDatagramChannel.class)
            .option(ChannelOption.RECVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(MAX_DATAGRAM))
            .handler(new SimpleChannelInboundHandler<DatagramPacket>() {
              @Override
              protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
                GossipDriver d = self[0] == null ? null : self[0].driver;
                if (d != null) {
                  d.loopOnDatagram(ByteBufUtil.getBytes(packet.content()));
                }
              }
            })
            .bind(bindHost, bindPort).sync().channel();
        int port = ((InetSocketAddress) udp.localAddress()).getPort();
        Channel tcp;
        try {
          tcp = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
              .childHandler(streams).bind(bindHost, port).sync().channel();
        } catch (Exception e) {
          udp.close().sync();
          if (bindPort != 0 || attempt >= EPHEMERAL_BIND_ATTEMPTS) {
            throw new IOException("gossip TCP port " + bindHost + ":" + port + " is not available: " + e.getMessage(), e);
          }
          continue;
        }
        NodeAddress address = new NodeAddress(advertise, port);
        GossipEndpoint endpoint = new GossipEndpoint(group, udp, tcp, address, stats, security);
        endpoint.loop.submit(() -> {
          SwimCore core = new SwimCore(config, name, address, validTags,
              new SplittableRandom(new SecureRandom().nextLong()), 0);
          GossipDriver d = new GossipDriver(config, security, endpoint.loop, core, stats, events);
          endpoint.driver = d;
          self[0] = endpoint;
          d.loopStart(udp);
        }).sync();
        return endpoint;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      throw new IOException("interrupted while binding gossip on " + bindHost + ":" + bindPort, e);
    } catch (IOException | RuntimeException e) {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      throw e instanceof IOException io ? io
          : new IOException("cannot bind gossip on " + bindHost + ":" + bindPort + ": " + e.getMessage(), e);
    }
  }

  public NodeAddress address() {
    return address;
  }

  public TransportStats stats() {
    return stats;
  }

  public PacketSecurity security() {
    return security;
  }

  /** Starts a join through each seed; each future says how that seed went. */
  public List<CompletableFuture<JoinOutcome>> join(List<NodeAddress> seeds) {
    return call(() -> driver.loopJoin(seeds));
  }

  /** Broadcasts a leave intent; completes once it has been fully retransmitted. */
  public CompletableFuture<Void> leave() {
    return call(driver::loopLeave);
  }

  public List<Member> members() {
    return call(() -> driver.core().members());
  }

  public Member local() {
    return call(() -> driver.core().local());
  }

  public CoreStats coreStats() {
    return call(() -> driver.core().stats());
  }

  public void updateTags(Map<String, String> tags) {
    Map<String, String> valid = MemberTags.validate(tags);
    call(() -> {
      driver.core().updateTags(driver.now(), valid);
      driver.loopFlush();
      return null;
    });
  }

  @Override
  public void close() {
    try {
      if (driver != null) {
        call(() -> {
          driver.loopStop();
          return null;
        });
      }
      udp.close().syncUninterruptibly();
      tcp.close().syncUninterruptibly();
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
  }

  private <T> T call(Callable<T> task) {
    try {
      if (loop.inEventLoop()) {
        return task.call();
      }
      return loop.submit(task).get(CALL_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new IllegalStateException("gossip call failed: " + e.getCause(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the gossip loop", e);
    } catch (TimeoutException e) {
      throw new IllegalStateException("the gossip loop did not answer within " + CALL_TIMEOUT_SECONDS + " s", e);
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
  }
}
