package dev.meshplane.sidecar.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/** Collects a request body up to the configured limit; beyond it answers 413 with the limit and closes. */
final class BoundedAggregator extends HttpObjectAggregator {
    /** How long the rest of an oversized body is read and dropped before the connection closes. */
    private static final long CLOSE_AFTER_MILLIS = 1000;

    private final int maxBodyBytes;

    BoundedAggregator(int maxBodyBytes) {
        super(maxBodyBytes);
        this.maxBodyBytes = maxBodyBytes;
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
        byte[] body = ("Request body too large, max size: " + maxBodyBytes + " bytes")
                .getBytes(StandardCharsets.UTF_8);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, Unpooled.wrappedBuffer(body));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, Reply.TEXT);
        response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        // The rest of the body may still be on its way. Closing at once would reset the connection
        // and the client might never read the 413: keep reading (the aggregator discards what
        // follows) and close a moment later.
        ctx.writeAndFlush(response).addListener(f ->
                ctx.executor().schedule(() -> ctx.close(), CLOSE_AFTER_MILLIS, TimeUnit.MILLISECONDS));
    }
}
