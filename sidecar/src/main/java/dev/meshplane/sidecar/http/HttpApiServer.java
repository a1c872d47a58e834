package dev.meshplane.sidecar.http;

import dev.meshplane.sidecar.connect.SidecarConnect;
import io.grpc.Channel;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;

/**
 * The Consul-compatible HTTP API: a Netty HTTP/1.1 server whose endpoints translate each
 * request onto the public gRPC API (and the agent's own Agent service) and the answer back
 * into Consul's JSON. A request waiting on a blocking query holds no thread: it is a gRPC call
 * in flight and a connection in the event loop.
 */
public final class HttpApiServer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(HttpApiServer.class.getName());

    private final HttpConfig config;
    private final Router router = new Router();
    private final BlockingQueryCoalescer coalescer = new BlockingQueryCoalescer();
    private final AtomicInteger connections = new AtomicInteger();
    private EventLoopGroup group;
    private io.netty.channel.Channel listener;

    /**
     * @param servers the channel to the servers' public API
     * @param agent   a channel to this agent's own Agent service
     */
    public HttpApiServer(HttpConfig config, Channel servers, Channel agent, AgentIdentity self) {
        this(config, servers, agent, self, null);
    }

    /** @param mesh the agent's leaves and intention cache, for /v1/agent/connect/*; null without them */
    public HttpApiServer(HttpConfig config, Channel servers, Channel agent, AgentIdentity self, SidecarConnect mesh) {
        this.config = config;
        ApiContext c = new ApiContext(servers, agent, config, self, mesh);
        CatalogEndpoints.register(router, c);
        HealthEndpoints.register(router, c);
        KvEndpoints.register(router, c);
        SessionEndpoints.register(router, c);
        TxnEndpoint.register(router, c);
        StatusEndpoints.register(router, c);
        AgentEndpoints.register(router, c);
        AgentCheckEndpoints.register(router, c);
        AgentMaintenanceEndpoints.register(router, c);
        AgentHealthEndpoints.register(router, c);
        ConnectCaEndpoints.register(router, c);
        IntentionEndpoints.register(router, c);
    }

    public InetSocketAddress start() throws IOException {
        int threads = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
        group = new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory("http-api", true),
                NioIoHandler.newFactory());
        ServerBootstrap b = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 4096)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (connections.incrementAndGet() > config.maxConnections()) {
                            connections.decrementAndGet();
                            LOG.warning("HTTP connection from " + ch.remoteAddress() + " refused: "
                                    + config.maxConnections() + " connections are open (the limit)");
                            ch.close();
                            return;
                        }
                        ch.closeFuture().addListener(f -> connections.decrementAndGet());
                        ch.pipeline()
                                .addLast(new IdleStateHandler(0, 0, config.idleTimeout().toMillis(), TimeUnit.MILLISECONDS))
                                .addLast(new HttpRequestDecoder(config.maxUrlBytes(), config.maxHeaderBytes(), 65536))
                                .addLast(HttpApiHandler.ENCODER, new HttpResponseEncoder())
                                .addLast(new BoundedAggregator(config.maxBodyBytes()))
                                .addLast(new HttpApiHandler(router, coalescer));
                    }
                });
        try {
            listener = b.bind(config.bind()).sync().channel();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while binding the HTTP API", e);
        } catch (Exception e) {
            group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            throw e instanceof IOException io ? io : new IOException(e.getMessage(), e);
        }
        InetSocketAddress bound = address();
        LOG.info("HTTP API listening on " + bound.getHostString() + ":" + bound.getPort());
        return bound;
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) listener.localAddress();
    }

    /** Open client connections (each may hold a parked blocking query). */
    public int connections() {
        return connections.get();
    }

    @Override
    public void close() {
        if (listener != null) {
            listener.close().syncUninterruptibly();
        }
        if (group != null) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }
}
