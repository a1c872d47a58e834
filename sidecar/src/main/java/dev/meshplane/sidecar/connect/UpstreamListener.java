package dev.meshplane.sidecar.connect;

import dev.meshplane.ca.SpiffeId;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * A local plaintext listener for one upstream: each accepted connection is carried over mTLS
 * (this service's leaf) to a healthy instance of the destination, whose certificate must name
 * the destination service. Instances are tried round-robin; when the TCP connect or the
 * handshake fails, the next instance is tried, each at most once.
 */
final class UpstreamListener implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(UpstreamListener.class.getName());

    private final String service;
    private final InetSocketAddress bind;
    private final UpstreamTargets targets;
    private final EventLoopGroup loops;
    private final Supplier<ServiceTls> tls;
    private final int connectTimeoutMillis;
    private final ChannelGroup connections = new DefaultChannelGroup(io.netty.util.concurrent.GlobalEventExecutor.INSTANCE);
    private Channel server;

    UpstreamListener(String service, InetSocketAddress bind, UpstreamTargets targets, EventLoopGroup loops,
                     Supplier<ServiceTls> tls, int connectTimeoutMillis) {
        this.service = service;
        this.bind = bind;
        this.targets = targets;
        this.loops = loops;
        this.tls = tls;
        this.connectTimeoutMillis = connectTimeoutMillis;
    }

    UpstreamListener start() throws InterruptedException {
        ChannelFuture bound = new ServerBootstrap().group(loops).channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, Relay.WATER_MARK)
                .childOption(ChannelOption.AUTO_READ, false)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        connections.add(ch);
                        ch.pipeline().addLast(new Relay(), new Dialer());
                    }
                }).bind(bind).sync();
        server = bound.channel();
        LOG.info("sidecar of " + service + ": upstream " + targets.destination() + " on " + address());
        return this;
    }

    InetSocketAddress address() {
        return (InetSocketAddress) server.localAddress();
    }

    /** Dials instances for a newly accepted connection. */
    private final class Dialer extends ChannelInboundHandlerAdapter {
        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            Channel inbound = ctx.channel();
            ctx.pipeline().remove(this);
            ServiceTls current = tls.get();
            List<InetSocketAddress> candidates = targets.order();
            if (current == null || candidates.isEmpty()) {
                LOG.fine(() -> "sidecar of " + service + ": no " + (current == null ? "leaf yet" : "healthy instance of "
                        + targets.destination()) + "; closing the local connection");
                inbound.close();
                return;
            }
            attempt(inbound, current, candidates, 0);
        }
    }

    private void attempt(Channel inbound, ServiceTls current, List<InetSocketAddress> candidates, int i) {
        if (!inbound.isActive()) {
            return;
        }
        if (i >= candidates.size()) {
            LOG.warning("sidecar of " + service + ": no instance of " + targets.destination() + " accepted ("
                    + candidates.size() + " tried); closing the local connection");
            inbound.close();
            return;
        }
        InetSocketAddress target = candidates.get(i);
        Relay outboundRelay = new Relay();
        new Bootstrap().group(inbound.eventLoop()).channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, Relay.WATER_MARK)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, connectTimeoutMillis)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        SslHandler ssl = current.client().newHandler(ch.alloc());
                        ssl.setHandshakeTimeoutMillis(connectTimeoutMillis);
                        ch.pipeline().addLast(ssl, new Verify(inbound, current, candidates, i), outboundRelay);
                    }
                })
                .connect(target).addListener((ChannelFuture f) -> {
                    if (!f.isSuccess()) {
                        LOG.fine(() -> "sidecar of " + service + ": " + target + " refused: " + f.cause());
                        attempt(inbound, current, candidates, i + 1);
                    }
                });
    }

    /** Checks the instance's identity once its handshake is done, then attaches the relays. */
    private final class Verify extends ChannelInboundHandlerAdapter {
        private final Channel inbound;
        private final ServiceTls current;
        private final List<InetSocketAddress> candidates;
        private final int index;

        Verify(Channel inbound, ServiceTls current, List<InetSocketAddress> candidates, int index) {
            this.inbound = inbound;
            this.current = current;
            this.candidates = candidates;
            this.index = index;
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
            if (!(evt instanceof SslHandshakeCompletionEvent done)) {
                super.userEventTriggered(ctx, evt);
                return;
            }
            Channel outbound = ctx.channel();
            if (!done.isSuccess()) {
                LOG.fine(() -> "sidecar of " + service + ": handshake with " + outbound.remoteAddress() + " failed: "
                        + done.cause());
                outbound.close();
                attempt(inbound, current, candidates, index + 1);
                return;
            }
            Optional<SpiffeId> peer = PeerIdentity.of(ctx.pipeline().get(SslHandler.class).engine().getSession());
            if (peer.isEmpty() || !peer.get().service().equals(targets.destination())
                    || !peer.get().trustDomain().equals(current.bundle().trustDomain())) {
                LOG.warning("sidecar of " + service + ": " + outbound.remoteAddress() + " is not "
                        + targets.destination() + " (its certificate names " + peer.map(SpiffeId::uri).orElse("nothing")
                        + "); trying another instance");
                outbound.close();
                attempt(inbound, current, candidates, index + 1);
                return;
            }
            ctx.pipeline().remove(this);
            Relay outboundRelay = outbound.pipeline().get(Relay.class);
            inbound.pipeline().get(Relay.class).attach(outbound);
            outboundRelay.attach(inbound);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // A failed handshake also arrives as the completion event, which retries.
            ctx.close();
        }
    }

    @Override
    public void close() {
        if (server != null) {
            server.close().syncUninterruptibly();
        }
        connections.close();
    }
}
