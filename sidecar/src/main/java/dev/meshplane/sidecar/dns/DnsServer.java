package dev.meshplane.sidecar.dns;

import dev.meshplane.proto.v1.CatalogGrpc;
import io.grpc.Channel;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.unix.Errors;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.dns.DatagramDnsQueryDecoder;
import io.netty.handler.codec.dns.TcpDnsQueryDecoder;
import io.netty.handler.timeout.ReadTimeoutHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * The DNS interface: UDP and TCP on one port, Netty's DNS codec, answers built from the same
 * gRPC service layer as everything else (Watch streams for services, stale GetNode reads for
 * nodes). DNS reads are stale reads, as in Consul.
 *
 * <p>On Linux (epoll) UDP is served by one socket per event loop on the same port
 * (SO_REUSEPORT: the kernel spreads clients over them) and each socket reads and writes bursts
 * of datagrams per system call (recvmmsg/sendmmsg). Elsewhere one NIO socket serves UDP.
 */
public final class DnsServer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(DnsServer.class.getName());
    /** A TCP client that sends nothing for this long is disconnected. */
    private static final int TCP_IDLE_SECONDS = 10;
    /** Tries to find a port free for both UDP and TCP when asked for port 0. */
    private static final int PORT_ATTEMPTS = 20;
    /** The largest query read whole by recvmmsg; a longer datagram is no DNS query we answer. */
    private static final int MAX_QUERY_DATAGRAM = 4096;
    /** Bytes per recvmmsg burst: 16 queries of the largest size, far more of the usual ~50 bytes. */
    private static final int UDP_READ_BUFFER = 16 * MAX_QUERY_DATAGRAM;
    /** Linux's errno for an address in use (epoll's bind reports it negated). */
    private static final int EADDRINUSE = 98;

    private final DnsConfig config;
    private final ServiceCache services;
    private final Recursors recursors;
    private final Supplier<DnsHandler> udpHandlers;
    private final DnsHandler tcpHandler;
    private final boolean epoll = Epoll.isAvailable();
    private final int loops = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
    private EventLoopGroup group;
    private final List<io.netty.channel.Channel> udp = new ArrayList<>();
    private io.netty.channel.Channel tcp;

    /**
     * @param servers    the channel to the servers' public API
     * @param datacenter the local datacenter (the only one answered for)
     */
    public DnsServer(DnsConfig config, Channel servers, String datacenter) {
        this.config = config;
        this.services = new ServiceCache(servers, config.maxWatchedServices(), config.serviceIdleTimeout().toNanos(),
                System::nanoTime);
        this.recursors = new Recursors(config.recursors(), config.recursorTimeout());
        DnsAnswers answers = new DnsAnswers(config, datacenter);
        QueryNames names = new QueryNames(config.domain(), config.altDomain());
        CatalogGrpc.CatalogFutureStub catalog = CatalogGrpc.newFutureStub(servers);
        this.udpHandlers = () -> new DnsHandler(config, false, names, answers, services, catalog, recursors);
        this.tcpHandler = new DnsHandler(config, true, names, answers, services, catalog, recursors);
    }

    /** Binds UDP and TCP on the same port; returns the bound address. */
    public InetSocketAddress start() throws IOException {
        DefaultThreadFactory threads = new DefaultThreadFactory("dns", true);
        group = epoll ? new MultiThreadIoEventLoopGroup(loops, threads, EpollIoHandler.newFactory())
                : new MultiThreadIoEventLoopGroup(2, threads, NioIoHandler.newFactory());
        int attempts = config.bind().getPort() == 0 ? PORT_ATTEMPTS : 1;
        for (int i = 1; ; i++) {
            try {
                InetSocketAddress bound = bindUdp(config.bind());
                tcp = bindTcp(bound);
                LOG.info("DNS listening on " + bound.getHostString() + ":" + bound.getPort() + " (UDP and TCP"
                        + (epoll ? ", " + udp.size() + " UDP sockets" : "") + "), domain " + config.domain()
                        + (config.altDomain().isEmpty() ? "" : " and " + config.altDomain()));
                return bound;
            } catch (IOException e) {
                udp.forEach(c -> c.close().syncUninterruptibly());
                udp.clear();
                if (i >= attempts || !(e instanceof BindException)) {
                    close();
                    throw e;
                }
            }
        }
    }

    /** Binds the UDP socket(s); with port 0 the first socket picks the port and the others share it. */
    private InetSocketAddress bindUdp(InetSocketAddress where) throws IOException {
        int sockets = epoll ? loops : 1;
        InetSocketAddress bound = where;
        for (int i = 0; i < sockets; i++) {
            Bootstrap b = new Bootstrap().group(group)
                    .channel(epoll ? EpollDatagramChannel.class : NioDatagramChannel.class)
                    .option(ChannelOption.SO_RCVBUF, 1 << 20)
                    .option(ChannelOption.SO_SNDBUF, 1 << 20)
                    // Read a burst of queries per wake-up rather than the default 16.
                    .option(ChannelOption.MAX_MESSAGES_PER_READ, 64)
                    .handler(new ChannelInitializer<io.netty.channel.Channel>() {
                        @Override
                        protected void initChannel(io.netty.channel.Channel ch) {
                            ch.pipeline().addLast(new DatagramDnsQueryDecoder(new WireQuestionDecoder()))
                                    .addLast(udpHandlers.get());
                        }
                    });
            if (epoll) {
                b.option(EpollChannelOption.SO_REUSEPORT, true)
                        .option(EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, MAX_QUERY_DATAGRAM)
                        .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(UDP_READ_BUFFER));
            }
            io.netty.channel.Channel ch = bind(b.bind(bound));
            udp.add(ch);
            bound = (InetSocketAddress) ch.localAddress();
        }
        return bound;
    }

    private io.netty.channel.Channel bindTcp(InetSocketAddress where) throws IOException {
        ServerBootstrap b = new ServerBootstrap().group(group)
                .channel(epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<io.netty.channel.Channel>() {
                    @Override
                    protected void initChannel(io.netty.channel.Channel ch) {
                        ch.pipeline().addLast(new ReadTimeoutHandler(TCP_IDLE_SECONDS, TimeUnit.SECONDS))
                                .addLast(new TcpDnsQueryDecoder(new WireQuestionDecoder(), DnsConfig.MAX_TCP_MESSAGE))
                                .addLast(tcpHandler);
                    }
                });
        return bind(b.bind(where));
    }

    private static io.netty.channel.Channel bind(io.netty.channel.ChannelFuture f) throws IOException {
        f.awaitUninterruptibly();
        if (!f.isSuccess()) {
            Throwable cause = f.cause();
            if (cause instanceof Errors.NativeIoException n && n.expectedErr() == -EADDRINUSE) {
                // epoll reports a taken port as a plain IOException; callers retry or explain a BindException.
                BindException taken = new BindException(cause.getMessage());
                taken.initCause(cause);
                throw taken;
            }
            if (cause instanceof IOException io) {
                throw io;
            }
            throw new IOException(cause);
        }
        return f.channel();
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) udp.get(0).localAddress();
    }

    /** UDP sockets bound to the port, each read by its own event loop. */
    public int udpSockets() {
        return udp.size();
    }

    /** Services whose instances are currently watched for DNS answers. */
    public int watchedServices() {
        return services.watchedCount();
    }

    @Override
    public void close() {
        udp.forEach(c -> c.close().syncUninterruptibly());
        if (tcp != null) {
            tcp.close().syncUninterruptibly();
        }
        services.close();
        recursors.close();
        if (group != null) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }
}
