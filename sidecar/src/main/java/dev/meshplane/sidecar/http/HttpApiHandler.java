package dev.meshplane.sidecar.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.timeout.IdleStateEvent;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One connection's requests: decodes each into a {@link Request}, dispatches it, and writes
 * the reply when its future completes (on whatever thread the gRPC answer arrived). Requests
 * pipelined behind one in flight wait their turn so replies keep their order. A client that
 * disconnects cancels the call it was waiting on, so a parked blocking query is released.
 */
final class HttpApiHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger LOG = Logger.getLogger(HttpApiHandler.class.getName());
    /** Requests a client may pipeline behind the one in flight before it is cut off. */
    private static final int MAX_PIPELINED = 16;
    /** The response encoder's name in the pipeline: pre-encoded bytes are written from its context, past it. */
    static final String ENCODER = "http-encoder";

    private record Pending(Request request, boolean keepAlive, HttpVersion version, String uri) {}

    private final Router router;
    private final BlockingQueryCoalescer coalescer;
    private final ArrayDeque<Pending> queue = new ArrayDeque<>();
    private Request inFlight;

    HttpApiHandler(Router router, BlockingQueryCoalescer coalescer) {
        this.router = router;
        this.coalescer = coalescer;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest msg) {
        boolean keepAlive = HttpUtil.isKeepAlive(msg);
        if (msg.decoderResult().isFailure()) {
            Throwable cause = msg.decoderResult().cause();
            int status = cause instanceof TooLongFrameException ? 431 : 400;
            String what = cause instanceof TooLongFrameException
                    ? "Request line or headers too large: " + cause.getMessage()
                    : "Malformed request: " + cause.getMessage();
            write(ctx, Reply.text(status, what), false, msg.protocolVersion(), false);
            return;
        }
        Request request;
        try {
            QueryStringDecoder uri = new QueryStringDecoder(msg.uri());
            request = new Request(msg.method().name(), uri.path(), uri.parameters(), msg.headers(),
                    ByteBufUtil.getBytes(msg.content()));
        } catch (IllegalArgumentException e) {
            write(ctx, Reply.text(400, "Malformed request URI: " + e.getMessage()), false, msg.protocolVersion(),
                    msg.method().name().equals("HEAD"));
            return;
        }
        Pending p = new Pending(request, keepAlive, msg.protocolVersion(), msg.uri());
        if (inFlight != null) {
            if (queue.size() >= MAX_PIPELINED) {
                ctx.close();
                return;
            }
            queue.add(p);
            return;
        }
        start(ctx, p);
    }

    private void start(ChannelHandlerContext ctx, Pending p) {
        inFlight = p.request();
        boolean shared = BlockingQueryCoalescer.shareable(p.request());
        CompletableFuture<Reply> answer;
        try {
            answer = shared ? coalescer.dispatch(p.request().method() + " " + p.uri(), p.request(), router)
                    : router.dispatch(p.request());
        } catch (RuntimeException e) {
            answer = CompletableFuture.failedFuture(e);
        }
        answer.whenComplete((reply, failure) -> {
            Reply out;
            try {
                out = failure == null ? reply : StatusMapping.toReply(failure);
            } catch (RuntimeException e) {
                out = StatusMapping.toReply(e);
            }
            Reply finalOut = out;
            ctx.executor().execute(() -> finish(ctx, p, finalOut, shared && failure == null));
        });
    }

    private void finish(ChannelHandlerContext ctx, Pending p, Reply reply, boolean shared) {
        if (inFlight != p.request() || !ctx.channel().isActive()) {
            return;
        }
        if (LOG.isLoggable(Level.FINE)) {
            LOG.fine(p.request().method() + " " + p.request().path() + " -> " + reply.status());
        }
        inFlight = null;
        if (shared && p.keepAlive() && p.version().equals(HttpVersion.HTTP_1_1)) {
            // Many clients wait on this reply: encode it once, then each is a write of the same bytes.
            byte[] wire = reply.wire().get(() -> encode(reply));
            ctx.pipeline().context(ENCODER).writeAndFlush(Unpooled.wrappedBuffer(wire));
        } else {
            write(ctx, reply, p.keepAlive(), p.version(), p.request().method().equals("HEAD"));
        }
        if (p.keepAlive()) {
            Pending next = queue.poll();
            if (next != null) {
                start(ctx, next);
            }
        }
    }

    private static FullHttpResponse response(Reply reply, HttpVersion version, boolean keepAlive, boolean head) {
        FullHttpResponse response = new DefaultFullHttpResponse(version, HttpResponseStatus.valueOf(reply.status()),
                head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(reply.body()));
        for (Map.Entry<String, String> h : reply.headers().entrySet()) {
            response.headers().set(h.getKey(), h.getValue());
        }
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, reply.contentType());
        // A HEAD answer has no body but tells the length a GET's would have.
        response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, reply.body().length);
        if (keepAlive) {
            if (version.equals(HttpVersion.HTTP_1_0)) {
                response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            }
        } else {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        return response;
    }

    /** The HTTP/1.1 keep-alive response as bytes, through Netty's encoder. */
    private static byte[] encode(Reply reply) {
        EmbeddedChannel encoder = new EmbeddedChannel(new HttpResponseEncoder());
        try {
            encoder.writeOutbound(response(reply, HttpVersion.HTTP_1_1, true, false));
            ByteBuf all = Unpooled.buffer();
            for (Object part; (part = encoder.readOutbound()) != null; ) {
                ByteBuf b = (ByteBuf) part;
                all.writeBytes(b);
                b.release();
            }
            return ByteBufUtil.getBytes(all);
        } finally {
            encoder.finishAndReleaseAll();
        }
    }

    private static void write(ChannelHandlerContext ctx, Reply reply, boolean keepAlive, HttpVersion version,
                              boolean head) {
        FullHttpResponse response = response(reply, version, keepAlive, head);
        if (keepAlive) {
            ctx.writeAndFlush(response);
        } else {
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof IdleStateEvent && inFlight == null) {
            ctx.close();
            return;
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (inFlight != null) {
            Request leaving = inFlight;
            inFlight = null;
            leaving.cancel();
        }
        queue.clear();
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.log(Level.FINE, "HTTP connection " + ctx.channel().remoteAddress() + " failed", cause);
        ctx.close();
    }
}
