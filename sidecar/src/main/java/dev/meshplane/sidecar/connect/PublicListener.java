package dev.meshplane.sidecar.connect;

import dev.meshplane.api.IntentionDecider;
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
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * A service's inbound side: terminates mTLS with the service's leaf (client certificate
 * required, chain checked against every root of the bundle), takes the caller's SPIFFE ID from
 * its certificate, asks the intentions, and relays an allowed connection to the local
 * application. A refused connection is closed right after the handshake.
 */
final class PublicListener implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(PublicListener.class.getName());
    private static final AttributeKey<String> SOURCE = AttributeKey.valueOf("meshplane.source");

    private final String service;
    private final InetSocketAddress bind;
    private final InetSocketAddress application;
    private final EventLoopGroup loops;
    private final Supplier<ServiceTls> tls;
    private final IntentionCache intentions;
    private final int connectTimeoutMillis;
    private final ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private Channel server;

    PublicListener(String service, InetSocketAddress bind, InetSocketAddress application, EventLoopGroup loops,
                   Supplier<ServiceTls> tls, IntentionCache intentions, int connectTimeoutMillis) {
        this.service = service;
        this.bind = bind;
        this.application = application;
        this.loops = loops;
        this.tls = tls;
        this.intentions = intentions;
        this.connectTimeoutMillis = connectTimeoutMillis;
    }

    PublicListener start() throws InterruptedException {
        ChannelFuture bound = new ServerBootstrap().group(loops).channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, Relay.WATER_MARK)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ServiceTls current = tls.get();
                        if (current == null) {
                            // No leaf yet: nothing to present, so no handshake can succeed.
                            ch.close();
                            return;
                        }
                        ch.pipeline().addLast(current.server().newHandler(ch.alloc()), new Gate(current), new Relay());
                    }
                }).bind(bind).sync();
        server = bound.channel();
        LOG.info("sidecar of " + service + ": public mTLS listener on " + address() + " -> " + application);
        return this;
    }

    InetSocketAddress address() {
        return (InetSocketAddress) server.localAddress();
    }

    /** Closes the connections the intentions no longer allow (when so configured). */
    void recheck() {
        for (Channel ch : connections) {
            String source = ch.attr(SOURCE).get();
            if (source != null && !intentions.decide(source, service).allowed()) {
                LOG.info("sidecar of " + service + ": closing a connection from " + source + ": no longer allowed");
                ch.close();
            }
        }
    }

    /** Decides once the handshake is done, then connects the application and attaches the relays. */
    private final class Gate extends ChannelInboundHandlerAdapter {
        private final ServiceTls used;

        Gate(ServiceTls used) {
            this.used = used;
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
            if (!(evt instanceof SslHandshakeCompletionEvent done)) {
                super.userEventTriggered(ctx, evt);
                return;
            }
            Channel inbound = ctx.channel();
            if (!done.isSuccess()) {
                LOG.fine(() -> "sidecar of " + service + ": handshake from " + inbound.remoteAddress() + " failed: "
                        + done.cause());
                inbound.close();
                return;
            }
            Optional<SpiffeId> caller = PeerIdentity.of(ctx.pipeline().get(SslHandler.class).engine().getSession());
            if (caller.isEmpty() || !caller.get().trustDomain().equals(used.bundle().trustDomain())) {
                LOG.info("sidecar of " + service + ": refused " + inbound.remoteAddress()
                        + ": its certificate names no service of this trust domain");
                inbound.close();
                return;
            }
            String source = caller.get().service();
            IntentionDecider.Decision d = intentions.decide(source, service);
            if (!d.allowed()) {
                LOG.fine(() -> "sidecar of " + service + ": refused " + source + ": " + d.reason());
                inbound.close();
                return;
            }
            inbound.attr(SOURCE).set(source);
            connections.add(inbound);
            ctx.pipeline().remove(this);
            Relay inboundRelay = inbound.pipeline().get(Relay.class);
            new Bootstrap().group(inbound.eventLoop()).channel(NioSocketChannel.class)
                    .option(ChannelOption.TCP_NODELAY, true)
                    .option(ChannelOption.WRITE_BUFFER_WATER_MARK, Relay.WATER_MARK)
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, connectTimeoutMillis)
                    .handler(new Relay())
                    .connect(application).addListener((ChannelFuture f) -> {
                        if (!f.isSuccess()) {
                            LOG.warning("sidecar of " + service + ": cannot reach the application at " + application
                                    + ": " + f.cause().getMessage());
                            inbound.close();
                            return;
                        }
                        Channel app = f.channel();
                        app.pipeline().get(Relay.class).attach(inbound);
                        inboundRelay.attach(app);
                    });
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
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
