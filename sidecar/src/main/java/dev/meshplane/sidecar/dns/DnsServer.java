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
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.dns.DatagramDnsQueryDecoder;
import io.netty.handler.codec.dns.TcpDnsQueryDecoder;
import io.netty.handler.timeout.ReadTimeoutHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * The DNS interface: UDP and TCP on one port, Netty's DNS codec, answers built from the same
 * gRPC service layer as everything else (Watch streams for services, stale GetNode reads for
 * nodes). DNS reads are stale reads, as in Consul.
 */
public final class DnsServer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(DnsServer.class.getName());
    /** A TCP client that sends nothing for this long is disconnected. */
    private static final int TCP_IDLE_SECONDS = 10;
    /** Tries to find a port free for both UDP and TCP when asked for port 0. */
    private static final int PORT_ATTEMPTS = 20;

    private final DnsConfig config;
    private final ServiceCache services;
    private final Recursors recursors;
    private final DnsHandler udpHandler;
    private final DnsHandler tcpHandler;
    private EventLoopGroup group;
    private io.netty.channel.Channel udp;
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
        CatalogGrpc.CatalogFutureStub catalog = CatalogGrpc.newFutureStub(servers);
        this.udpHandler = new DnsHandler(config, false, answers, services, catalog, recursors);
        this.tcpHandler = new DnsHandler(config, true, answers, services, catalog, recursors);
    }

    /** Binds UDP and TCP on the same port; returns the bound address. */
    public InetSocketAddress start() throws IOException {
        group = new MultiThreadIoEventLoopGroup(2, new DefaultThreadFactory("dns", true), NioIoHandler.newFactory());
        int attempts = config.bind().getPort() == 0 ? PORT_ATTEMPTS : 1;
        for (int i = 1; ; i++) {
            try {
                udp = bindUdp(config.bind());
                InetSocketAddress bound = (InetSocketAddress) udp.localAddress();
                tcp = bindTcp(new InetSocketAddress(config.bind().getAddress(), bound.getPort()));
                LOG.info("DNS listening on " + bound.getHostString() + ":" + bound.getPort() + " (UDP and TCP), domain "
                        + config.domain() + (config.altDomain().isEmpty() ? "" : " and " + config.altDomain()));
                return bound;
            } catch (IOException e) {
                if (udp != null) {
                    udp.close().syncUninterruptibly();
                    udp = null;
                }
                if (i >= attempts || !(e instanceof BindException)) {
                    close();
                    throw e;
                }
            }
        }
    }

    private io.netty.channel.Channel bindUdp(InetSocketAddress where) throws IOException {
        Bootstrap b = new Bootstrap().group(group).channel(NioDatagramChannel.class)
                .option(ChannelOption.SO_RCVBUF, 1 << 20)
                .option(ChannelOption.SO_SNDBUF, 1 << 20)
                // Read a burst of queries per wake-up rather than the default 16.
                .option(ChannelOption.MAX_MESSAGES_PER_READ, 64)
                .handler(new ChannelInitializer<NioDatagramChannel>() {
                    @Override
                    protected void initChannel(NioDatagramChannel ch) {
                        ch.pipeline().addLast(new DatagramDnsQueryDecoder(new WireQuestionDecoder()))
                                .addLast(udpHandler);
                    }
                });
        return bind(b.bind(where));
    }

    private io.netty.channel.Channel bindTcp(InetSocketAddress where) throws IOException {
        ServerBootstrap b = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
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
            if (cause instanceof IOException io) {
                throw io;
            }
            throw new IOException(cause);
        }
        return f.channel();
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) udp.localAddress();
    }

    /** Services whose instances are currently watched for DNS answers. */
    public int watchedServices() {
        return services.watchedCount();
    }

    @Override
    public void close() {
        if (udp != null) {
            udp.close().syncUninterruptibly();
        }
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
